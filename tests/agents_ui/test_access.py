"""Who may open which agents page: logged-out visitors, viewers, and members of another team."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import PendingAction, PendingStatus
from crm.leads.models import Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_ui.conftest import World, propose_tour

PAGES = [
    reverse("agents:index"),
    reverse("agents:activity"),
    reverse("agents:activity-export"),
    reverse("agents:lead-picker"),
    *[reverse(f"agents:chat-{name}") for name in ("coo", "leasing", "marketing", "property")],
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_posts_change_nothing(world: World) -> None:
    action = propose_tour(world)
    for name in ("action-approve", "action-reject"):
        response = Client().post(reverse(f"agents:{name}", kwargs={"action_id": action.pk}))
        assert response.status_code == 302
    assert Client().post(reverse("agents:answer-leasing"), {"message": "show new leads"}).status_code == 302
    with team_scope(world.team.team):
        assert PendingAction.objects.get(pk=action.pk).status == PendingStatus.PENDING


def test_an_unknown_agent_is_a_404(world: World) -> None:
    assert world.client().get("/agents/sales/").status_code == 404
    assert world.client().post("/agents/sales/answer/", {"message": "hi"}).status_code == 404


@pytest.mark.parametrize("url", PAGES[:2] + PAGES[3:])
def test_a_viewer_can_read_the_pages(world: World, url: str) -> None:
    assert world.client(Role.VIEWER).get(url).status_code == 200


def test_a_viewer_sees_pending_actions_without_buttons_and_cannot_decide(world: World) -> None:
    action = propose_tour(world)
    viewer = world.client(Role.VIEWER)
    page = viewer.get(reverse("agents:index")).content.decode()
    assert action.summary in page
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) not in page
    assert "Waiting for a teammate" in page
    for name in ("action-approve", "action-reject"):
        response = viewer.post(reverse(f"agents:{name}", kwargs={"action_id": action.pk}))
        assert response.status_code == 403
    with team_scope(world.team.team):
        assert PendingAction.objects.get(pk=action.pk).status == PendingStatus.PENDING
        assert not Tour.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_only_managers_and_up_export_the_activity_log(world: World, role: str) -> None:
    assert world.client(role).get(reverse("agents:activity-export")).status_code == 403
    assert world.client(Role.MANAGER).get(reverse("agents:activity-export")).status_code == 200


def test_another_teams_action_is_a_404_and_stays_pending(world: World, bravo: World) -> None:
    theirs = propose_tour(bravo)
    owner = world.client(Role.OWNER)
    for name in ("action-approve", "action-reject"):
        response = owner.post(reverse(f"agents:{name}", kwargs={"action_id": theirs.pk}), HTTP_HX_REQUEST="true")
        assert response.status_code == 404
    with team_scope(bravo.team.team):
        assert PendingAction.objects.get(pk=theirs.pk).status == PendingStatus.PENDING
        assert not Tour.objects.exists()


def test_another_teams_lead_is_a_404_and_never_preselected(world: World, bravo: World) -> None:
    owner = world.client(Role.OWNER)
    assert owner.get(reverse("agents:lead-activity", kwargs={"lead_id": bravo.ada.pk})).status_code == 404
    page = owner.get(reverse("agents:chat-leasing"), {"lead": str(bravo.ada.pk)}).content.decode()
    assert "Canaryfield" not in page
    response = owner.post(reverse("agents:chat-leasing"), {"message": "show new leads", "lead": str(bravo.ada.pk)})
    assert response.status_code == 422
    assert "That lead was not found." in response.content.decode()


def test_lists_show_only_the_teams_own_rows(world: World, bravo: World) -> None:
    propose_tour(bravo)
    propose_tour(world)
    owner = world.client(Role.OWNER)
    pages: list[Any] = [
        owner.get(reverse("agents:index")),
        owner.get(reverse("agents:activity")),
        owner.get(reverse("agents:lead-picker"), {"lead_q": "Brenda"}),
        owner.get(reverse("leads:detail", kwargs={"lead_id": world.ada.pk})),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "Canary" not in response.content.decode()
    export = b"".join(owner.get(reverse("agents:activity-export")).streaming_content).decode()
    assert "Ada Lovelace" in export
    assert "Canary" not in export
