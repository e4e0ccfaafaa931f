"""The inbox on other pages: the guest card's "Conversations" card and a task's "Message" link."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from crm.inbox.models import Conversation
from crm.leads.models import Lead
from crm.leads.services.followups import task_create
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login


def test_the_guest_card_lists_the_leads_conversations(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    body = login(team_a.user(Role.AGENT)).get(reverse("leads:detail", kwargs={"lead_id": ada.pk})).content.decode()
    card = body[body.index('id="lead-conversations"') :][:3000]
    assert reverse("inbox:conversation", kwargs={"conversation_id": thread.pk}) in card
    assert "Is the 2-bed still available?" in card
    assert "Send a message" in card
    # The inbound text is on the timeline too (the services write it).
    assert "SMS from Ada Lovelace" in body


def test_a_viewer_sees_the_conversations_without_the_send_link(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    body = login(team_a.user(Role.VIEWER)).get(reverse("leads:detail", kwargs={"lead_id": ada.pk})).content.decode()
    assert "Is the 2-bed still available?" in body
    assert "Send a message" not in body


def test_text_and_email_tasks_link_to_the_composer(team_a: TeamWorld, ada: Lead) -> None:
    agent = team_a.user(Role.AGENT)
    due = timezone.now() + timedelta(hours=2)
    with team_scope(team_a.team):
        task_create(lead=ada, title="Text Ada the floor plan", due_at=due, kind="text", assigned_to=agent)
        task_create(lead=ada, title="Call Ada", due_at=due, kind="call", assigned_to=agent)
    body = login(agent).get(reverse("leads:my-tasks")).content.decode()
    link = reverse("inbox:lead", kwargs={"lead_id": ada.pk}) + "?channel=sms"
    assert body.count(link) == 1
    assert "Message<span" in body
