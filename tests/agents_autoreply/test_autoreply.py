"""24/7 auto-reply: a prospect's text gets a grounded answer under the property's policy, and
anything a person should handle is handed off (the AI then stops replying in that thread)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from agents.autoreply import handoff_reason
from agents.models import AgentPolicy, AutoReply, PendingAction
from crm.inbox.models import Channel, ConsentSource, ConsentState, Conversation, Message
from crm.inbox.services import intake
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead, LeadActivity, Task
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from knowledge.ingestion import document_ingest
from knowledge.models import DocumentKind
from knowledge.services import document_create_text
from tests.conftest import TeamWorld
from tests.leads.lead_pages import make_lead, make_property

pytestmark = pytest.mark.django_db(transaction=True)

FAQ = """# Pets

Dogs up to 50 lb are welcome; the pet deposit is $300. Pet rent is $35 a month per pet.

# Parking

Covered parking is $40 a month. Guests park in the Visitor spaces for up to 48 hours.
"""
NUMBER = "+13105550100"
PROSPECT = "+15125550123"


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    prop = make_property(team_a, name="Maple Court", timezone="America/Chicago", sms_number=NUMBER)
    with team_scope(team_a.team):
        document = document_create_text(team=team_a.team, title="Maple Court FAQ", text=FAQ, property=prop,
                                        kind=DocumentKind.FAQ)  # fmt: skip
        document_ingest(document_id=str(document.pk))
    return prop


def policy(world: TeamWorld, mode: str) -> None:
    with team_scope(world.team):
        AgentPolicy.objects.create(team=world.team, property=None, auto_reply=mode)


def text_in(world: TeamWorld, body: str, *, n: int = 1, sender: str = PROSPECT) -> None:
    sid = f"SM{n:032x}"
    payload = {"MessageSid": sid, "From": sender, "To": NUMBER, "Body": body, "NumMedia": "0"}
    intake.store_event(provider="twilio", event_id=sid, kind="twilio.sms", payload=payload, team=world.team)


def outbound(world: TeamWorld) -> list[Message]:
    with team_scope(world.team):
        return list(Message.objects.filter(direction="outbound").order_by("created_at"))


def conversation(world: TeamWorld) -> Conversation:
    with team_scope(world.team):
        return Conversation.objects.select_related("lead").get()


def test_draft_mode_queues_a_grounded_reply_for_approval(team_a: TeamWorld, place: Property) -> None:
    text_in(team_a, "How much is the pet deposit for a dog?")
    with team_scope(team_a.team):
        action = PendingAction.objects.get()
    assert action.tool == "send_message"
    assert action.agent == "leasing"
    assert "$300" in action.arguments["body"]
    assert action.lead_id == conversation(team_a).lead_id
    assert outbound(team_a) == []  # nothing reaches the prospect until a person approves


def test_autonomous_mode_answers_from_the_knowledge_base(team_a: TeamWorld, place: Property) -> None:
    policy(team_a, AutoReply.AUTONOMOUS)
    text_in(team_a, "How much is the pet deposit for a dog?")
    (reply,) = outbound(team_a)
    assert reply.sent_by_agent == "leasing"
    assert "$300" in reply.body
    assert reply.status in {"sent", "held"}


def test_off_means_people_answer(team_a: TeamWorld, place: Property) -> None:
    policy(team_a, AutoReply.OFF)
    text_in(team_a, "How much is the pet deposit for a dog?")
    with team_scope(team_a.team):
        assert not PendingAction.objects.exists()
    assert outbound(team_a) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Can I talk to a real person please?", "asked for a person"),
        ("This is the worst leasing office, I want to file a complaint", "complaint"),
        ("There is water flooding the hallway!!", "emergency"),
        ("Is it a safe neighborhood? What kind of people live there?", "fair housing"),
        ("Do you take Section 8 vouchers?", "fair housing"),
        ("I need a wheelchair accessible unit", "fair housing"),
        ("What's the capital of France?", "no confident answer"),
    ],
)
def test_hand_offs_stop_the_ai_and_tell_the_prospect(
    team_a: TeamWorld, place: Property, body: str, reason: str, monkeypatch: Any
) -> None:
    noon = datetime.combine(datetime(2026, 7, 15).date(), time(12, 0), place.tz).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    policy(team_a, AutoReply.AUTONOMOUS)
    text_in(team_a, body)
    thread = conversation(team_a)
    assert thread.ai_enabled is False
    with team_scope(team_a.team):
        assert LeadActivity.objects.filter(lead=thread.lead, data__handoff=reason).exists()
        assert Task.objects.filter(lead=thread.lead, title__contains=reason).exists()
        assert not PendingAction.objects.exists()
    (note,) = outbound(team_a)
    assert ("911" in note.body) if reason == "emergency" else ("leasing team" in note.body)
    # Handed off: the next message is for a person, not the AI.
    text_in(team_a, "How much is the pet deposit for a dog?", n=2)
    assert len(outbound(team_a)) == 1


def test_an_emergency_is_answered_at_night_other_replies_wait(
    team_a: TeamWorld, place: Property, monkeypatch: Any
) -> None:
    night = datetime.combine(datetime(2026, 7, 15).date(), time(23, 30), place.tz).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: night)
    policy(team_a, AutoReply.AUTONOMOUS)
    text_in(team_a, "How much is the pet deposit for a dog?")
    text_in(team_a, "I smell gas in the unit next door", n=2, sender="+15125550777")
    replies = {m.lead.phone: m for m in outbound(team_a)}
    assert replies[PROSPECT].status == "held"
    assert replies[PROSPECT].send_after is not None
    assert replies["+15125550777"].status == "sent"


def test_no_reply_to_an_opted_out_prospect(team_a: TeamWorld, place: Property) -> None:
    policy(team_a, AutoReply.AUTONOMOUS)
    lead = make_lead(team_a, first_name="Olive", phone=PROSPECT, property=place)
    with team_scope(team_a.team):
        record_consent(lead, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
    text_in(team_a, "How much is the pet deposit for a dog?")
    assert outbound(team_a) == []


def test_a_person_who_took_over_is_not_interrupted(team_a: TeamWorld, place: Property) -> None:
    policy(team_a, AutoReply.AUTONOMOUS)
    lead = make_lead(team_a, first_name="Tess", phone=PROSPECT, property=place)
    with team_scope(team_a.team):
        Conversation.objects.create(team=team_a.team, lead=lead, channel=Channel.SMS, property=place, ai_enabled=False)
    text_in(team_a, "How much is the pet deposit for a dog?")
    assert outbound(team_a) == []


def test_stop_is_not_answered_by_the_ai(team_a: TeamWorld, place: Property) -> None:
    policy(team_a, AutoReply.AUTONOMOUS)
    text_in(team_a, "STOP")
    (confirmation,) = outbound(team_a)
    assert confirmation.system
    with team_scope(team_a.team):
        assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "Do you have a 2 bedroom available in June?",
        "What is the pet deposit?",
        "Can I stop by tomorrow to see the place?",
        "Is parking included?",
        "Call me back maybe? Just kidding, what are your office hours",
    ],
)
def test_ordinary_questions_are_not_handed_off(team_a: TeamWorld, body: str) -> None:
    expected = "asked for a person" if "call me" in body.lower() else None
    assert handoff_reason(body, team=team_a.team) == expected


def test_overdue_pending_actions_expire(team_a: TeamWorld, place: Property, monkeypatch: Any) -> None:
    from agents.tasks import expire_pending_actions

    text_in(team_a, "How much is the pet deposit for a dog?")  # a draft reply waits for approval
    assert expire_pending_actions() == 0
    with team_scope(team_a.team):
        action = PendingAction.objects.get()
    monkeypatch.setattr(timezone, "now", lambda: action.expires_at + timedelta(seconds=1))
    assert expire_pending_actions() == 1
    with team_scope(team_a.team):
        assert PendingAction.objects.get().status == "expired"


def test_the_draft_waits_in_the_inbox_pane_and_approving_sends_it(team_a: TeamWorld, place: Property) -> None:
    from django.urls import reverse

    from tests.conftest import login

    text_in(team_a, "How much is the pet deposit for a dog?")
    thread = conversation(team_a)
    client = login(team_a.user("agent"))
    pane = client.get(reverse("inbox:conversation", kwargs={"conversation_id": thread.pk}))
    html = pane.content.decode()
    assert "AI reply waiting for approval" in html
    with team_scope(team_a.team):
        action = PendingAction.objects.get()
    assert reverse("agents:action-approve", kwargs={"action_id": action.pk}) in html
    response = client.post(reverse("agents:action-approve", kwargs={"action_id": action.pk}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    (reply,) = outbound(team_a)
    assert "$300" in reply.body
    assert reply.sent_by_agent == "leasing"


def test_a_teammates_reply_supersedes_the_draft(team_a: TeamWorld, place: Property) -> None:
    from crm.inbox.services.sending import send_message

    text_in(team_a, "How much is the pet deposit for a dog?")
    thread = conversation(team_a)
    with team_scope(team_a.team):
        send_message(lead=thread.lead, body="Hi! It's $300 for a dog.", user=team_a.user("agent"))
        action = PendingAction.objects.get()
    assert action.status == "rejected"
    assert "teammate replied" in action.error


def test_proposals_and_rejections_are_on_the_leads_timeline(team_a: TeamWorld, place: Property) -> None:
    from agents.services.approvals import reject

    text_in(team_a, "How much is the pet deposit for a dog?")
    thread = conversation(team_a)
    with team_scope(team_a.team):
        action = PendingAction.objects.get()
        reject(action, team_a.user("agent"), "We'll call instead")
        summaries = list(LeadActivity.objects.filter(lead=thread.lead).values_list("summary", flat=True))
    assert any(s.startswith("AI (leasing) proposed: Reply to") and "waiting for approval" in s for s in summaries)
    assert any(s.startswith("Rejected the AI's proposal") for s in summaries)
