"""Sending from the composer (and a first message to a lead with no thread): every send goes
through ``send_message``; a refusal is a 422 that keeps the text; canned replies fill in."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.inbox.models import CannedReply, Channel, ConsentSource, ConsentState, Conversation, Message, MessageStatus
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.inbox.conftest import HTMX
from tests.leads.lead_pages import make_lead


def send_url(conversation: Conversation) -> str:
    return reverse("inbox:send", kwargs={"conversation_id": conversation.pk})


def stored(world: TeamWorld, conversation: Conversation) -> list[Message]:
    with team_scope(world.team):
        return list(Message.objects.filter(conversation=conversation).order_by("created_at"))


def canned(world: TeamWorld, title: str, body: str) -> CannedReply:
    with team_scope(world.team):
        return CannedReply.objects.create(team=world.team, title=title, body=body)


def test_a_reply_is_queued_sent_to_the_outbox_and_appended_to_the_pane(
    team_a: TeamWorld, thread: Conversation, committed: Any
) -> None:
    agent = team_a.user(Role.AGENT)
    with committed():
        response = login(agent).post(send_url(thread), {"body": "Yes! Want to tour Saturday?"}, **HTMX)
    assert response.status_code == 201
    body = response.content.decode()
    message = stored(team_a, thread)[-1]
    assert (message.body, message.status, message.transport, message.sent_by) == (
        "Yes! Want to tour Saturday?",
        MessageStatus.SENT,
        "outbox",
        agent,
    )
    # The fresh composer (empty), and the new row appended to this thread's list.
    assert re.search(r'<textarea id="composer-body"[^>]*>\s*</textarea>', body)
    assert f'hx-swap-oob="beforeend:#messages-{thread.pk}"' in body
    assert f'id="msg-{message.pk}"' in body
    assert "inbox-threads-changed" in response["HX-Trigger"]


def test_the_sent_reply_turns_to_sent_in_the_pane_through_the_poll(
    team_a: TeamWorld, thread: Conversation, committed: Any
) -> None:
    from tests.inbox.test_pane import get, pane_htmx, poll_url

    client = login(team_a.user(Role.AGENT))
    link = poll_url(
        client.get(reverse("inbox:conversation", kwargs={"conversation_id": thread.pk}), **pane_htmx()).content.decode()
    )
    with committed():
        # In a test the delivery runs when the test's transaction "commits", after the answer:
        # the row arrives queued, and the poll brings its new status.
        sent = client.post(send_url(thread), {"body": "Parking is free."}, **HTMX).content.decode()
    assert "Queued" in sent
    polled = get(client, link, **HTMX).content.decode()
    assert "Parking is free." in polled
    assert "Outbox" in polled
    assert "Sent to the local outbox" in polled


def test_without_javascript_a_reply_redirects_back_to_the_thread(team_a: TeamWorld, thread: Conversation) -> None:
    response = login(team_a.user(Role.AGENT)).post(send_url(thread), {"body": "Hello!"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("inbox:conversation", kwargs={"conversation_id": thread.pk}))
    assert stored(team_a, thread)[-1].body == "Hello!"


def test_a_refused_send_is_a_422_with_the_reason_and_keeps_the_text(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    with team_scope(team_a.team):
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
    before = len(stored(team_a, thread))
    response = login(team_a.user(Role.AGENT)).post(send_url(thread), {"body": "Last chance for a tour!"}, **HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "opted out of text messages" in body
    assert 'role="alert"' in body
    assert "Last chance for a tour!</textarea>" in body
    assert len(stored(team_a, thread)) == before


def test_an_empty_reply_is_refused(team_a: TeamWorld, thread: Conversation) -> None:
    response = login(team_a.user(Role.AGENT)).post(send_url(thread), {"body": "   "}, **HTMX)
    assert response.status_code == 422
    assert "Write a message first." in response.content.decode()


def test_without_javascript_a_refusal_is_the_whole_page_with_the_text(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    with team_scope(team_a.team):
        Lead.objects.filter(pk=ada.pk).update(phone="")
    response = login(team_a.user(Role.AGENT)).post(send_url(thread), {"body": "Are you there?"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" in body
    assert "has no mobile number on file" in body
    assert "Are you there?</textarea>" in body


def test_a_fair_housing_warning_is_shown_after_a_staff_send(team_a: TeamWorld, thread: Conversation) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        send_url(thread), {"body": "It's a quiet building, adults only, no kids."}, **HTMX
    )
    assert response.status_code == 201
    body = response.content.decode()
    assert "Fair Housing" in body
    toasts = json.loads(response["HX-Trigger"])["toasts"]
    assert toasts[0]["level"] == "warning"
    assert "Fair Housing" in toasts[0]["message"]
    assert stored(team_a, thread)[-1].body.startswith("It's a quiet building")


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_viewer_cannot_send(team_a: TeamWorld, thread: Conversation, role: str) -> None:
    response = login(team_a.user(role)).post(send_url(thread), {"body": "Hi"}, **HTMX)
    assert response.status_code == 403
    assert len(stored(team_a, thread)) == 1


def test_another_teams_thread_is_a_404_and_nothing_is_sent(team_a: TeamWorld, team_b: TeamWorld) -> None:
    from tests.inbox.conftest import receive

    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    message = receive(team_b, bravo, "Hi")
    with team_scope(team_b.team):
        theirs = Conversation.objects.get(pk=message.conversation_id)
    assert login(team_a.user(Role.OWNER)).post(send_url(theirs), {"body": "Leak?"}).status_code == 404
    assert len(stored(team_b, theirs)) == 1


def test_a_canned_reply_fills_its_variables_into_the_composer(team_a: TeamWorld, thread: Conversation) -> None:
    reply = canned(team_a, "Tour", "Hi {first_name}, this is {agent_name} at {property}. Tour Saturday?")
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(
        send_url(thread), {"action": "insert", "canned": str(reply.pk), "body": "Thanks!"}, **HTMX
    )
    assert response.status_code == 200
    first = agent.name.split()[0]
    assert f"Thanks!\nHi Ada, this is {first} at Maple Court. Tour Saturday?</textarea>" in response.content.decode()
    assert len(stored(team_a, thread)) == 1  # inserting sends nothing


def test_a_canned_reply_with_an_unknown_variable_is_a_form_error(team_a: TeamWorld, thread: Conversation) -> None:
    reply = canned(team_a, "Broken", "Hi {first_name}, your unit is {unit_number}.")
    response = login(team_a.user(Role.AGENT)).post(
        send_url(thread), {"action": "insert", "canned": str(reply.pk), "body": "Keep me"}, **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Unknown variable {unit_number}" in body
    assert "Keep me</textarea>" in body


def test_another_teams_canned_reply_cannot_be_inserted(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation
) -> None:
    theirs = canned(team_b, "Bravo secret", "Bravo canary text")
    response = login(team_a.user(Role.AGENT)).post(
        send_url(thread), {"action": "insert", "canned": str(theirs.pk)}, **HTMX
    )
    assert response.status_code == 422
    assert "Bravo canary text" not in response.content.decode()


def test_the_sms_counter_starts_from_the_text_it_is_given(team_a: TeamWorld, thread: Conversation) -> None:
    reply = canned(team_a, "Long", "x" * 161)
    body = (
        login(team_a.user(Role.AGENT))
        .post(send_url(thread), {"action": "insert", "canned": str(reply.pk)}, **HTMX)
        .content.decode()
    )
    assert "161 characters · 2 segments" in body


# --- A first message to a lead with no thread -------------------------------------------------


def test_a_lead_with_a_thread_is_sent_to_it(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).get(reverse("inbox:lead", kwargs={"lead_id": ada.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:conversation", kwargs={"conversation_id": thread.pk})


def test_a_first_email_starts_a_thread(team_a: TeamWorld, ada: Lead, committed: Any) -> None:
    start = reverse("inbox:lead", kwargs={"lead_id": ada.pk})
    client = login(team_a.user(Role.AGENT))
    page = client.get(start, {"channel": "email"})
    assert page.status_code == 200
    assert "No conversation yet" in page.content.decode()
    with committed():
        response = client.post(start, {"channel": "email", "subject": "Your tour", "body": "See you Saturday."})
    with team_scope(team_a.team):
        conversation = Conversation.objects.get(lead=ada, channel=Channel.EMAIL)
        message = conversation.messages.get()
    assert response["Location"] == reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk})
    assert (message.subject, message.status, message.transport) == ("Your tour", MessageStatus.SENT, "outbox")


def test_a_first_text_to_a_lead_without_a_number_is_refused(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, first_name="Nophone", email="np@example.com")
    response = login(team_a.user(Role.AGENT)).post(
        reverse("inbox:lead", kwargs={"lead_id": lead.pk}), {"channel": "sms", "body": "Hi"}
    )
    assert response.status_code == 422
    assert "has no mobile number on file" in response.content.decode()
    with team_scope(team_a.team):
        assert not Conversation.objects.filter(lead=lead).exists()


def test_a_viewer_cannot_start_a_thread(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.VIEWER)).post(
        reverse("inbox:lead", kwargs={"lead_id": ada.pk}), {"channel": "sms", "body": "Hi"}
    )
    assert response.status_code == 403


def test_anonymous_cannot_send(thread: Conversation) -> None:
    response = Client().post(send_url(thread), {"body": "Hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
