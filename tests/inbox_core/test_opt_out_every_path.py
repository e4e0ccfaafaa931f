"""After STOP, no path sends a text until START — every way a message can leave is tried.

Twilio is on (the loopback fake counts every send attempt), so "nothing sent" is measured at the
provider's door, not inferred from our own rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentPolicy, AutoReply, PendingAction
from agents.runtime import run_turn
from agents.services.approvals import approve
from crm.inbox.models import CannedReply, Channel, Conversation, Message, MessageStatus
from crm.inbox.services import intake, sweeps
from crm.inbox.services.consent import consent_state
from crm.inbox.services.delivery import deliver
from crm.inbox.services.sending import send_message
from crm.leads.models import Lead, Task, TaskKind
from crm.leads.services.tours import tour_schedule
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_runtime.scripted import ScriptedModel, call, say
from tests.conftest import TeamWorld, api_client_for, login
from tests.fakes.twilio_api import FakeTwilio
from tests.leads.lead_pages import make_lead, make_property, open_day

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+13105550100"
PHONE = "+15125550100"
_sids = iter(range(1, 10_000))


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    return make_property(team_a, name="Maple Court", timezone="America/Chicago", sms_number=NUMBER)


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return make_lead(team_a, first_name="Ada", last_name="Lovelace", phone=PHONE, property=place)


def text_in(world: TeamWorld, body: str) -> None:
    sid = f"SM{next(_sids):032x}"
    payload = {"MessageSid": sid, "From": PHONE, "To": NUMBER, "Body": body, "NumMedia": "0",
               "AccountSid": "AC" + "0" * 31 + "1"}  # fmt: skip
    intake.store_event(provider="twilio", event_id=sid, kind="twilio.sms", payload=payload, team=world.team)


@pytest.fixture
def stopped(twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead) -> FakeTwilio:
    """Ada texted STOP; the fake has recorded exactly the one confirmation."""
    text_in(team_a, "STOP")
    with team_scope(team_a.team):
        assert consent_state(ada, Channel.SMS) == "opted_out"
    assert len(twilio_on.sent) == 1
    assert "unsubscribed" in twilio_on.sent[0].body
    return twilio_on


def no_new_sends(fake: FakeTwilio) -> None:
    assert len(fake.sent) == 1, [request.body for request in fake.sent[1:]]


def thread(world: TeamWorld, lead: Lead) -> Conversation:
    with team_scope(world.team):
        return Conversation.objects.get(lead=lead, channel=Channel.SMS)


def outbound_count(world: TeamWorld) -> int:
    with team_scope(world.team):
        return Message.objects.filter(direction="outbound", system=False).exclude(status="failed").count()


def test_the_composer(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    url = reverse("inbox:send", kwargs={"conversation_id": thread(team_a, ada).pk})
    response = client.post(url, {"body": "Are you still looking?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "opted out" in response.content.decode()
    no_new_sends(stopped)
    assert outbound_count(team_a) == 0


def test_a_canned_reply(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        canned = CannedReply.objects.create(team=team_a.team, title="Follow up", body="Hi {first_name}, any questions?")
    client = login(team_a.user(Role.AGENT))
    url = reverse("inbox:send", kwargs={"conversation_id": thread(team_a, ada).pk})
    filled = client.post(url, {"action": "insert", "canned": canned.pk, "body": ""}, HTTP_HX_REQUEST="true")
    assert "Hi Ada, any questions?" in filled.content.decode()
    response = client.post(url, {"body": "Hi Ada, any questions?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    no_new_sends(stopped)


def test_a_first_message_from_the_lead_page(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    client = login(team_a.user(Role.AGENT))
    response = client.post(reverse("inbox:lead", kwargs={"lead_id": ada.pk}), {"channel": "sms", "body": "Hello!"})
    assert response.status_code in {302, 422}
    no_new_sends(stopped)
    assert outbound_count(team_a) == 0


def test_a_bulk_send(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead, place: Property) -> None:
    other = make_lead(team_a, first_name="Ben", phone="+15125550111", property=place)
    client = login(team_a.user(Role.MANAGER))
    response = client.post(
        reverse("inbox:bulk"), {"lead": [ada.pk, other.pk], "body": "Open house Saturday!", "channel": "sms"}
    )
    assert response.status_code in {200, 302}
    assert [request.to for request in stopped.sent[1:]] == [other.phone]  # Ben only


def test_the_api(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    client = api_client_for(team_a.membership(Role.AGENT))
    url = f"/api/v1/conversations/{thread(team_a, ada).pk}/messages/"
    response = client.post(url, {"body": "Checking in"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "opted_out"
    no_new_sends(stopped)


def test_tour_reminders(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead, place: Property, monkeypatch: Any) -> None:
    agent = team_a.user(Role.AGENT)
    with team_scope(team_a.team):
        starts = datetime.combine(open_day(place), time(10, 0), place.tz)
        tour = tour_schedule(lead=ada, property=place, agent=agent, starts_at=starts, actor=agent)
        task = Task.objects.get(kind=TaskKind.TOUR_REMINDER, tour=tour)
    monkeypatch.setattr(timezone, "now", lambda: task.due_at + timedelta(minutes=1))
    assert sweeps.send_due_reminders() == 0
    no_new_sends(stopped)


def test_the_agents_send_tool_and_an_approval_made_after_the_stop(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead
) -> None:
    agent = team_a.user(Role.AGENT)
    # Proposed while Ada could still be texted...
    model = ScriptedModel(call("send_message", {"lead_id": str(ada.pk), "body": "Tour slots open Friday!"}), say("ok"))
    result = run_turn(agent="leasing", team=team_a.team, user=agent, message="text Ada the Friday slots",
                      context={"lead_id": str(ada.pk)}, model=model)  # fmt: skip
    assert result.tool_calls[0]["status"] == "pending_approval"
    text_in(team_a, "STOP")
    # ...approved after she said STOP: refused, nothing sent.
    with team_scope(team_a.team):
        action = PendingAction.objects.get()
        decided = approve(action, agent)
    assert decided.status == "failed"
    assert "opted out" in decided.error
    # A new proposal is refused outright.
    model = ScriptedModel(call("send_message", {"lead_id": str(ada.pk), "body": "Hello again"}), say("ok"))
    result = run_turn(agent="leasing", team=team_a.team, user=agent, message="text Ada",
                      context={"lead_id": str(ada.pk)}, model=model)  # fmt: skip
    assert result.tool_calls[0]["status"] == "refused"
    assert len(twilio_on.sent) == 1  # the STOP confirmation only


def test_the_auto_reply(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        AgentPolicy.objects.create(team=team_a.team, auto_reply=AutoReply.AUTONOMOUS)
    text_in(team_a, "Do you allow dogs?")
    text_in(team_a, "Can I talk to a real person?")  # a hand-off note is a text too
    no_new_sends(stopped)


def test_messages_queued_or_held_before_the_stop(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, place: Property, settings: Any, monkeypatch: Any
) -> None:
    night = datetime.combine(datetime(2026, 7, 15).date(), time(23, 0), place.tz).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: night)
    from crm.inbox import tasks

    real_delay = tasks.deliver_message.delay_on_commit
    monkeypatch.setattr(tasks.deliver_message, "delay_on_commit", lambda **kwargs: None)  # queued, not delivered
    with team_scope(team_a.team):
        queued = send_message(lead=ada, body="Queued before STOP", user=team_a.user(Role.AGENT))
        held = send_message(lead=ada, body="Held for the morning", automated=True)
    assert held.status == MessageStatus.HELD
    monkeypatch.setattr(tasks.deliver_message, "delay_on_commit", real_delay)
    text_in(team_a, "STOP")
    confirmations = len(twilio_on.sent)
    with team_scope(team_a.team):
        deliver(str(queued.pk))
    monkeypatch.setattr(timezone, "now", lambda: night + timedelta(hours=10))
    sweeps.release_held_messages()
    with team_scope(team_a.team):
        statuses = dict(Message.objects.filter(pk__in=[queued.pk, held.pk]).values_list("body", "status"))
    assert statuses == {"Queued before STOP": "failed", "Held for the morning": "failed"}
    assert len(twilio_on.sent) == confirmations


def test_start_lets_messages_through_again(stopped: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    text_in(team_a, "START")
    with team_scope(team_a.team):
        send_message(lead=ada, body="Welcome back, Ada!", user=team_a.user(Role.AGENT))
    assert [request.body for request in stopped.sent[1:]][-1] == "Welcome back, Ada!"
