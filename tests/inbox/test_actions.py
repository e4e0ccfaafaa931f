"""The pane header's actions and the thread services behind them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.inbox.models import Conversation
from crm.leads.models import Lead, LeadActivity
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.inbox.conftest import HTMX, receive
from tests.leads.lead_pages import make_lead

ACTIONS = ["assign", "close", "reopen", "ai-off", "ai-on", "unread"]


def url(name: str, conversation: Conversation) -> str:
    return reverse(f"inbox:{name}", kwargs={"conversation_id": conversation.pk})


def fresh(world: TeamWorld, conversation: Conversation) -> Conversation:
    with team_scope(world.team):
        return Conversation.objects.get(pk=conversation.pk)


def timeline(world: TeamWorld, lead: Lead) -> list[str]:
    with team_scope(world.team):
        return list(LeadActivity.objects.filter(lead=lead).order_by("created_at").values_list("summary", flat=True))


def test_assigning_to_me_then_to_a_teammate_then_nobody(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    agent, manager = team_a.user(Role.AGENT), team_a.user(Role.MANAGER)
    client = login(agent)
    response = client.post(url("assign", thread), {"assignee": "me"}, **HTMX)
    assert response.status_code == 200
    assert fresh(team_a, thread).assignee == agent
    body = response.content.decode()
    assert body.lstrip().startswith('<header id="pane-header"')
    assert f"Assigned to {agent.display_name}" in body
    assert "inbox-threads-changed" in response["HX-Trigger"]

    client.post(url("assign", thread), {"assignee": str(manager.pk)}, **HTMX)
    assert fresh(team_a, thread).assignee == manager
    client.post(url("assign", thread), {"assignee": ""}, **HTMX)
    assert fresh(team_a, thread).assignee is None
    assert timeline(team_a, ada)[-3:] == [
        f"SMS conversation assigned to {agent.display_name}",
        f"SMS conversation assigned to {manager.display_name}",
        "SMS conversation assigned to nobody",
    ]


def test_a_viewer_or_another_team_cannot_be_assigned(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation
) -> None:
    client = login(team_a.user(Role.AGENT))
    for someone in (team_a.user(Role.VIEWER), team_b.user(Role.AGENT)):
        response = client.post(url("assign", thread), {"assignee": str(someone.pk)}, **HTMX)
        assert response.status_code == 422
        assert fresh(team_a, thread).assignee is None


def test_closing_and_reopening_write_the_timeline(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    body = client.post(url("close", thread), **HTMX).content.decode()
    assert fresh(team_a, thread).status == "closed"
    assert ">Reopen<" in body
    client.post(url("reopen", thread), **HTMX)
    assert fresh(team_a, thread).status == "open"
    assert timeline(team_a, ada)[-2:] == ["SMS conversation closed", "SMS conversation reopened"]


def test_closing_twice_writes_one_line(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    client.post(url("close", thread), **HTMX)
    client.post(url("close", thread), **HTMX)
    assert timeline(team_a, ada).count("SMS conversation closed") == 1


def test_taking_over_from_the_ai_and_handing_back(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    agent = team_a.user(Role.AGENT)
    client = login(agent)
    body = client.post(url("ai-off", thread), **HTMX).content.decode()
    assert fresh(team_a, thread).ai_enabled is False
    assert "Turn AI back on" in body
    client.post(url("ai-on", thread), **HTMX)
    assert fresh(team_a, thread).ai_enabled is True
    assert timeline(team_a, ada)[-2:] == [
        f"{agent.display_name} took over the SMS conversation from the AI",
        "AI replies turned back on in the SMS conversation",
    ]


def test_mark_unread_and_without_javascript_back_to_the_list(team_a: TeamWorld, thread: Conversation) -> None:
    client = login(team_a.user(Role.AGENT))
    client.get(reverse("inbox:conversation", kwargs={"conversation_id": thread.pk}))
    assert fresh(team_a, thread).unread is False
    response = client.post(url("unread", thread))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:index")
    assert fresh(team_a, thread).unread is True


def test_without_javascript_actions_redirect_to_the_thread(team_a: TeamWorld, thread: Conversation) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("close", thread))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:conversation", kwargs={"conversation_id": thread.pk})


@pytest.mark.parametrize("action", ACTIONS)
def test_a_viewer_cannot_act(team_a: TeamWorld, thread: Conversation, action: str) -> None:
    before = fresh(team_a, thread)
    response = login(team_a.user(Role.VIEWER)).post(url(action, thread), {"assignee": "me"}, **HTMX)
    assert response.status_code == 403
    after = fresh(team_a, thread)
    assert (after.assignee_id, after.status, after.ai_enabled, after.unread) == (
        before.assignee_id, before.status, before.ai_enabled, before.unread,
    )  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
def test_another_teams_thread_is_a_404(team_a: TeamWorld, team_b: TeamWorld, action: str) -> None:
    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    message = receive(team_b, bravo, "Hi")
    with team_scope(team_b.team):
        theirs = Conversation.objects.get(pk=message.conversation_id)
    response = login(team_a.user(Role.OWNER)).post(url(action, theirs), {"assignee": "me"})
    assert response.status_code == 404
    after = fresh(team_b, theirs)
    assert (after.assignee_id, after.status, after.ai_enabled) == (None, "open", True)


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_need_a_login_and_a_post(thread: Conversation, team_a: TeamWorld, action: str) -> None:
    anonymous = Client().post(url(action, thread))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert login(team_a.user(Role.AGENT)).get(url(action, thread)).status_code == 405


def test_services_change_nothing_when_nothing_changes(team_a: TeamWorld, thread: Conversation, scoped: Any) -> None:
    from crm.inbox.services import threads

    agent = team_a.user(Role.AGENT)
    assert threads.conversation_assign(conversation=thread, assignee=None, actor=agent) is False
    assert threads.conversation_reopen(conversation=thread, actor=agent) is False
    assert threads.conversation_set_ai(conversation=thread, enabled=True, actor=agent) is False
    assert threads.conversation_mark_read(conversation=thread) is True
    assert threads.conversation_mark_read(conversation=thread) is False
