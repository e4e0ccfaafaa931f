"""Signed inbound texts end to end: webhook → event → lead, conversation, message, consent, replies
through the real Twilio SDK to the fake (Celery is eager; ``commit()`` runs what was enqueued)."""

from __future__ import annotations

from typing import Any

import pytest

from crm.inbox.models import (
    Channel,
    ConsentRecord,
    ConsentSource,
    Conversation,
    Direction,
    EventStatus,
    Message,
    MessageStatus,
    Transport,
)
from crm.inbox.services.consent import consent_state
from crm.inbox.services.sending import SendRefused, send_message
from crm.leads.models import ActivityKind, Lead, LeadActivity, Source
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.twilio_fixtures import TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_SITE_URL
from tests.leads.lead_pages import make_lead
from tests.twilio.conftest import PROSPECT, SMS_NUMBER, events, post_signed, sms_params

STATUS_CALLBACK = TWILIO_TEST_SITE_URL + "/webhooks/twilio/status/"


def text_in(commit: Any, body: str, **params: Any) -> None:
    with commit():
        response = post_signed("twilio-sms", sms_params(body=body, **params))
    assert response.status_code == 200


def test_a_text_from_an_unknown_number_creates_a_lead_a_conversation_and_a_message(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    text_in(commit, "Hi! Is the 2 bed on the 3rd floor still available?", sid="SM" + "1" * 32)

    [event] = events()
    assert event.status == EventStatus.PROCESSED
    with team_scope(team_a.team):
        lead = Lead.objects.get(phone=PROSPECT)
        assert lead.source == Source.PHONE
        assert lead.property_id == place.pk
        conversation = Conversation.objects.get(lead=lead, channel=Channel.SMS)
        assert conversation.unread
        assert conversation.property_id == place.pk
        [message] = Message.objects.filter(conversation=conversation)
        assert (message.direction, message.status, message.transport) == (
            Direction.INBOUND, MessageStatus.RECEIVED, Transport.TWILIO,
        )  # fmt: skip
        assert message.body == "Hi! Is the 2 bed on the 3rd floor still available?"
        assert message.provider_id == "SM" + "1" * 32
        assert (message.from_address, message.to_address) == (PROSPECT, SMS_NUMBER)
        timeline = LeadActivity.objects.filter(lead=lead, kind=ActivityKind.MESSAGE)
        assert [entry.data["message"] for entry in timeline] == [str(message.pk)]
    assert twilio_on.sent == []


def test_a_text_from_a_known_leads_number_joins_that_lead(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    ada = make_lead(team_a, first_name="Ada", last_name="Lovelace", phone="(512) 555-0123", property=place)

    text_in(commit, "Can I move my tour to Friday?")
    text_in(commit, "Thanks!")

    with team_scope(team_a.team):
        assert Lead.objects.filter(phone=PROSPECT).count() == 1
        messages = list(Message.objects.filter(lead=ada).order_by("created_at").values_list("body", flat=True))
        assert messages == ["Can I move my tour to Friday?", "Thanks!"]
        assert Conversation.objects.filter(lead=ada).count() == 1


def test_stop_opts_the_lead_out_and_sends_exactly_one_confirmation_then_nothing_more_goes_out(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    text_in(commit, "Hello")
    text_in(commit, "STOP")

    with team_scope(team_a.team):
        lead = Lead.objects.get(phone=PROSPECT)
        assert consent_state(lead, Channel.SMS) == "opted_out"
        assert ConsentRecord.objects.get(lead=lead).source == ConsentSource.KEYWORD
        confirmation = Message.objects.get(lead=lead, direction=Direction.OUTBOUND)
        assert confirmation.system
        assert confirmation.status == MessageStatus.SENT
    [sent] = twilio_on.sent
    assert (sent.to, sent.from_, sent.status_callback) == (PROSPECT, SMS_NUMBER, STATUS_CALLBACK)
    assert sent.auth_account == TWILIO_TEST_ACCOUNT_SID
    assert "unsubscribed" in sent.body
    assert "START" in sent.body
    assert confirmation.provider_id == sent.sid

    with team_scope(team_a.team), commit(), pytest.raises(SendRefused) as refused:
        send_message(lead=lead, body="Still looking for a place?", channel=Channel.SMS)
    assert refused.value.code == "opted_out"
    assert len(twilio_on.sent) == 1


def test_a_repeated_stop_webhook_sends_no_second_confirmation(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    params = sms_params(body="stop")
    with commit():
        for _ in range(3):
            assert post_signed("twilio-sms", params).status_code == 200

    assert len(twilio_on.sent) == 1
    assert events()[0].deliveries == 3


def test_start_opts_the_lead_back_in_with_a_confirmation(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    text_in(commit, "Stop")
    text_in(commit, "START")

    with team_scope(team_a.team):
        lead = Lead.objects.get(phone=PROSPECT)
        assert consent_state(lead, Channel.SMS) == "opted_in"
    assert [("resubscribed" in s.body, s.to) for s in twilio_on.sent] == [(False, PROSPECT), (True, PROSPECT)]

    with team_scope(team_a.team), commit():
        send_message(lead=lead, body="Welcome back! Tours run daily at 10.", channel=Channel.SMS)
    assert twilio_on.sent[-1].body == "Welcome back! Tours run daily at 10."


def test_help_answers_with_who_we_are_and_how_to_reach_us(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    text_in(commit, "HELP")

    [sent] = twilio_on.sent
    assert "Maple Court" in sent.body
    assert SMS_NUMBER in sent.body
    assert "leasing@maplecourt.example" in sent.body
    assert "STOP" in sent.body
    with team_scope(team_a.team):
        assert consent_state(Lead.objects.get(phone=PROSPECT), Channel.SMS) == "unknown"
