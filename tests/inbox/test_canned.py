"""Canned replies: the variables, and the manager's pages to keep them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.inbox.models import CannedReply
from crm.inbox.services.canned import fill_canned, unknown_variables
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import make_lead

LIST = reverse("inbox:canned")
ADD = reverse("inbox:canned-add")


def replies(world: TeamWorld) -> list[tuple[str, str]]:
    with team_scope(world.team):
        return list(CannedReply.objects.order_by("title").values_list("title", "body"))


def test_variables_are_filled_for_the_lead_and_sender(team_a: TeamWorld, ada: Lead) -> None:
    agent = team_a.user(Role.AGENT)
    text = fill_canned("Hi {first_name}! {agent_name} from {property} here.", lead=ada, user=agent)
    assert text == f"Hi Ada! {agent.name.split()[0]} from Maple Court here."


def test_missing_values_read_naturally(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, phone="+15125550150")
    assert fill_canned("Hi {first_name}, welcome to {property}. {agent_name}", lead=lead, user=None) == (
        "Hi there, welcome to our community. the leasing team"
    )


def test_unknown_variables_are_a_validation_error_not_a_crash(team_a: TeamWorld, ada: Lead) -> None:
    assert unknown_variables("{first_name} {unit} {price} {}") == ["", "price", "unit"]
    with pytest.raises(ValidationError, match=r"Unknown variables \{\}, \{price\}, \{unit\}"):
        fill_canned("{first_name} {unit} {price} {}", lead=ada, user=None)
    # Braces that are not a variable name (a smiley, JSON-looking text) are left alone.
    assert fill_canned("See you {first_name} :-{ }", lead=ada, user=None) == "See you Ada :-{ }"


def test_a_manager_adds_edits_and_deletes_a_canned_reply(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.MANAGER))
    assert client.get(LIST).status_code == 200
    response = client.post(ADD, {"title": "Parking", "body": "Hi {first_name}, parking is $50/month."})
    assert response.status_code == 302
    assert replies(team_a) == [("Parking", "Hi {first_name}, parking is $50/month.")]
    with team_scope(team_a.team):
        reply = CannedReply.objects.get()
    edit = reverse("inbox:canned-edit", kwargs={"canned_id": reply.pk})
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Parking", "body": "Parking is free."})
    assert replies(team_a) == [("Parking", "Parking is free.")]
    assert "Parking is free." in client.get(LIST).content.decode()
    delete = reverse("inbox:canned-delete", kwargs={"canned_id": reply.pk})
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert replies(team_a) == []


def test_unknown_variables_and_duplicate_titles_are_form_errors(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.MANAGER))
    response = client.post(ADD, {"title": "Rent", "body": "Rent is {rent}."})
    assert response.status_code == 422
    assert "Unknown variable {rent}" in response.content.decode()
    client.post(ADD, {"title": "Rent", "body": "Rent starts at $1,200."})
    again = client.post(ADD, {"title": "rent", "body": "Another"})
    assert again.status_code == 422
    assert "already exists" in again.content.decode()
    assert replies(team_a) == [("Rent", "Rent starts at $1,200.")]


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_only_managers_and_up_manage_canned_replies(team_a: TeamWorld, role: str) -> None:
    client = login(team_a.user(role))
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, {"title": "X", "body": "Y"}).status_code == 403
    assert replies(team_a) == []


def test_another_teams_canned_reply_is_a_404(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_b.team):
        theirs = CannedReply.objects.create(team=team_b.team, title="Bravo", body="Bravo text")
    client = login(team_a.user(Role.OWNER))
    for name in ("canned-edit", "canned-delete"):
        link = reverse(f"inbox:{name}", kwargs={"canned_id": theirs.pk})
        assert client.get(link).status_code == 404
        assert client.post(link, {"title": "Mine now", "body": "x"}).status_code == 404
    assert replies(team_b) == [("Bravo", "Bravo text")]
    assert "Bravo text" not in client.get(LIST).content.decode()
