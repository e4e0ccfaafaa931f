"""Outbound texts through the real Twilio SDK to the fake, and the status callbacks that follow."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Retry

from crm.inbox.models import Channel, ConsentSource, EventStatus, Message, MessageStatus, Transport
from crm.inbox.services import delivery
from crm.inbox.services.consent import consent_state
from crm.inbox.services.sending import send_message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from integrations.models import IntegrationConfig, Provider
from tests.conftest import TeamWorld
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.twilio_fixtures import TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_SITE_URL
from tests.leads.lead_pages import make_lead
from tests.twilio.conftest import PROSPECT, SMS_NUMBER, events, new_sid, post_signed, status_params

STATUS_CALLBACK = TWILIO_TEST_SITE_URL + "/webhooks/twilio/status/"


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return make_lead(team_a, first_name="Ada", last_name="Lovelace", phone=PROSPECT, property=place)


def send(team_a: TeamWorld, lead: Lead, body: str, commit: Any) -> Message:
    with team_scope(team_a.team), commit():
        message = send_message(lead=lead, body=body, channel=Channel.SMS, user=team_a.user("agent"))
    return reload(team_a, message)


def reload(team_a: TeamWorld, message: Message) -> Message:
    with team_scope(team_a.team):
        return Message.objects.get(pk=message.pk)


def report(commit: Any, sid: str, status: str, **extra: Any) -> None:
    with commit():
        assert post_signed("twilio-status", status_params(sid, status, **extra)).status_code == 204


def test_a_sent_text_reaches_twilio_from_the_propertys_number_with_a_status_callback(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    message = send(team_a, ada, "Hi Ada, your tour is confirmed for Friday at 10.", commit)

    [sent] = twilio_on.sent
    assert (sent.to, sent.from_, sent.body) == (
        PROSPECT,
        SMS_NUMBER,
        "Hi Ada, your tour is confirmed for Friday at 10.",
    )
    assert sent.status_callback == STATUS_CALLBACK
    assert (sent.auth_account, sent.path_account) == (TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_ACCOUNT_SID)
    assert sent.messaging_service_sid == ""
    assert (message.status, message.transport, message.provider_id) == (MessageStatus.SENT, Transport.TWILIO, sent.sid)
    assert message.from_address == SMS_NUMBER
    assert message.sent_at is not None


def test_with_a_messaging_service_the_service_sends_instead_of_the_number(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any, settings: Any
) -> None:
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "5" * 32

    send(team_a, ada, "Hello from the leasing office", commit)

    [sent] = twilio_on.sent
    assert (sent.messaging_service_sid, sent.from_) == ("MG" + "5" * 32, "")


def test_a_team_with_its_own_twilio_account_sends_through_it(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    own_sid = "AC" + "a" * 32
    config = IntegrationConfig(team=team_a.team, provider=Provider.TWILIO)
    config.set_secrets({"account_sid": own_sid, "auth_token": "team-a-own-token"})
    config.save()
    twilio_on.accounts[own_sid] = "team-a-own-token"

    message = send(team_a, ada, "Hello", commit)

    assert [(s.auth_account, s.path_account) for s in twilio_on.sent] == [(own_sid, own_sid)]
    assert message.status == MessageStatus.SENT


def test_delivered_callback_marks_the_message_delivered(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    message = send(team_a, ada, "Tour reminder", commit)

    report(commit, message.provider_id, "sent")
    report(commit, message.provider_id, "delivered")

    message = reload(team_a, message)
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert [e.status for e in events()] == [EventStatus.PROCESSED, EventStatus.PROCESSED]


def test_a_carrier_filtered_text_fails_with_a_message_a_person_understands(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    message = send(team_a, ada, "Special offer!!!", commit)

    report(commit, message.provider_id, "undelivered", error_code="30007", error_message="Carrier violation")

    message = reload(team_a, message)
    assert message.status == MessageStatus.FAILED
    assert message.error == "Not delivered: the carrier filtered it as spam (Twilio error 30007)."


def test_an_unknown_error_code_falls_back_to_twilios_own_words(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    message = send(team_a, ada, "Hello", commit)

    report(commit, message.provider_id, "failed", error_code="30999", error_message="Something odd.")

    assert reload(team_a, message).error == "Not delivered: Something odd (Twilio error 30999)."


@pytest.mark.parametrize(
    ("reports", "final"),
    [
        (["delivered", "sent"], MessageStatus.DELIVERED),
        (["delivered", "queued", "sending"], MessageStatus.DELIVERED),
        (["failed", "sent"], MessageStatus.FAILED),
        (["undelivered", "delivered"], MessageStatus.FAILED),
        (["delivered", "failed"], MessageStatus.DELIVERED),
    ],
    ids=["late sent", "late queued and sending", "late sent after failure", "first outcome wins", "no regress"],
)
def test_out_of_order_callbacks_never_move_a_message_backwards(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any, reports: list[str], final: str
) -> None:
    message = send(team_a, ada, "Hello", commit)

    for status in reports:
        report(commit, message.provider_id, status, error_code="30003" if status in ("failed", "undelivered") else "")

    assert reload(team_a, message).status == final


def test_21610_in_a_status_callback_opts_the_lead_out_at_the_providers_word(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    message = send(team_a, ada, "Hello", commit)

    report(commit, message.provider_id, "failed", error_code="21610")

    with team_scope(team_a.team):
        assert consent_state(ada, Channel.SMS) == "opted_out"
        assert ada.consent_records.get().source == ConsentSource.PROVIDER
        assert "unsubscribed at the carrier" in Message.objects.get(pk=message.pk).error


def test_a_status_that_beats_the_send_is_retried_then_ignored_if_nothing_turns_up(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property, commit: Any
) -> None:
    from crm.inbox.services import intake

    report(commit, new_sid(), "delivered")

    [event] = events()
    assert event.status == EventStatus.FAILED  # kept: the send's commit may still be on its way
    for _ in range(2):
        assert intake.process_event(str(event.pk)) in {EventStatus.FAILED, EventStatus.IGNORED}
    event.refresh_from_db()
    assert event.status == EventStatus.IGNORED
    assert event.attempts == 3


def test_a_status_that_beats_the_send_applies_once_the_send_is_stored(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    from crm.inbox.services import intake

    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Hello", channel=Channel.SMS)  # queued; not handed to Twilio yet
    sid = new_sid()
    report(commit, sid, "delivered")
    [event] = events()
    assert event.status == EventStatus.FAILED
    with team_scope(team_a.team):
        Message.objects.filter(pk=message.pk).update(provider_id=sid, transport="twilio", status="sent")
    assert intake.process_event(str(event.pk)) == EventStatus.PROCESSED
    with team_scope(team_a.team):
        assert Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED


def test_21610_at_send_time_records_the_opt_out(twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Hello", channel=Channel.SMS)
        twilio_on.fail_next(400, code=21610, message="Attempt to send to unsubscribed recipient")
        delivery.deliver(str(message.pk))
        message.refresh_from_db()
        assert message.status == MessageStatus.FAILED
        assert consent_state(ada, Channel.SMS) == "opted_out"
        assert ada.consent_records.get().source == ConsentSource.PROVIDER


def test_a_rate_limited_send_raises_retry_later_and_counts_the_attempt(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead
) -> None:
    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Hello", channel=Channel.SMS)  # delivery not run yet (no commit)
        twilio_on.fail_next(429, code=20429, message="Too Many Requests")

        with pytest.raises(delivery.RetryLater):
            delivery.deliver(str(message.pk))

        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
        assert "rate-limiting" in message.error

        delivery.deliver(str(message.pk))
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert [bool(s.sid) for s in twilio_on.sent] == [False, True]


def test_the_delivery_task_asks_celery_to_retry_a_server_error_and_the_retry_sends_it(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    from crm.inbox.tasks import deliver_message

    twilio_on.fail_next(503, code=20503, message="Service Unavailable")

    # Eager Celery hands the retry back to the caller instead of scheduling it.
    with team_scope(team_a.team), pytest.raises(Retry), commit():
        message = send_message(lead=ada, body="Hello", channel=Channel.SMS)
    message = reload(team_a, message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert "HTTP 503" in message.error

    deliver_message.delay(team_id=str(team_a.team.pk), message_id=str(message.pk))  # the scheduled retry

    message = reload(team_a, message)
    assert (message.status, message.attempts, message.error) == (MessageStatus.SENT, 2, "")
    assert len(twilio_on.sent) == 2
    assert len(twilio_on.delivered) == 1


def test_retries_stop_after_the_configured_number_of_attempts(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, settings: Any
) -> None:
    settings.INBOX_MAX_SEND_ATTEMPTS = 2
    twilio_on.fail_next(500, code=20500, message="Internal Server Error", times=2)
    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Hello", channel=Channel.SMS)
        with pytest.raises(delivery.RetryLater):
            delivery.deliver(str(message.pk))

        delivery.deliver(str(message.pk))

        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.FAILED, 2)
        assert "HTTP 500" in message.error


def test_an_invalid_number_fails_at_once_without_a_retry(
    twilio_on: FakeTwilio, team_a: TeamWorld, ada: Lead, commit: Any
) -> None:
    twilio_on.fail_next(400, code=21211, message="The 'To' number +15125550123 is not a valid phone number.")

    message = send(team_a, ada, "Hello", commit)

    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.error == "Twilio refused the message: the number is not a valid phone number (Twilio error 21211)."
    assert len(twilio_on.sent) == 1
