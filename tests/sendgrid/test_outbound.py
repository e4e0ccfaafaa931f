"""Outbound email through the real SendGrid SDK, against the loopback fake."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from celery.exceptions import Retry

from crm.inbox.models import Message
from crm.inbox.services.delivery import RetryLater, deliver
from crm.inbox.services.email import OutboundEmail
from crm.inbox.services.sending import send_message
from crm.inbox.tasks import deliver_message
from crm.leads.models import Lead
from crm.teams.scoping import team_scope
from integrations.credentials import SendGridCredentials
from integrations.errors import ProviderError
from integrations.sendgrid.client import send_email as client_send
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_api import FakeSendGrid
from tests.sendgrid.conftest import conversation_of, reply_address, send_email

Commit = Callable[[], AbstractContextManager[Any]]


def test_the_json_sent_to_mail_send_carries_everything_the_thread_needs(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    message = send_email(team_a, ada, commit, body="Hi Ada,\nSaturday at 10?")

    assert len(sendgrid_on.sent) == 1
    request = sendgrid_on.requests[0]
    assert request.headers["authorization"] == f"Bearer {sendgrid_on.api_key}"
    body = sendgrid_on.last
    assert body["from"] == {"email": "leasing@loriaa.test", "name": "Maple Court"}
    assert body["personalizations"][0]["to"] == [{"email": "ada@example.com"}]
    assert body["reply_to"] == {"email": reply_address(conversation_of(team_a, ada))}
    assert body["subject"] == "Your inquiry at Maple Court"
    types = [part["type"] for part in body["content"]]
    assert types == ["text/plain", "text/html"]
    assert body["content"][0]["value"].startswith("Hi Ada,\nSaturday at 10?")
    assert "Hi Ada,<br>Saturday at 10?" in body["content"][1]["value"]
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/inbox/unsubscribe/" in body["headers"]["List-Unsubscribe"]
    assert body["custom_args"] == {"loriaa_message_id": str(message.pk), "loriaa_team_id": str(team_a.team.pk)}
    assert body["tracking_settings"]["click_tracking"]["enable"] is False

    assert message.status == "sent"
    assert message.transport == "sendgrid"
    assert message.provider_id == sendgrid_on.message_ids[0]
    assert message.from_address == "leasing@loriaa.test"


def test_a_rate_limit_is_retried_and_then_sent(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    sendgrid_on.fail(429)

    # Eager Celery surfaces the task's retry request instead of sleeping through the backoff.
    with team_scope(team_a.team), pytest.raises(Retry), commit():
        queued = send_message(lead=ada, body="Hi Ada!", channel="email")
    with team_scope(team_a.team):
        waiting = Message.objects.get(pk=queued.pk)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert "too many requests" in waiting.error

    deliver_message.delay(team_id=str(team_a.team.pk), message_id=str(queued.pk))  # the retry

    with team_scope(team_a.team):
        message = Message.objects.get(pk=queued.pk)
    assert [r.status for r in sendgrid_on.requests] == [429, 202]
    assert (message.status, message.attempts, message.error) == ("sent", 2, "")
    assert message.provider_id == sendgrid_on.message_ids[0]


def test_a_server_error_leaves_the_message_queued_for_the_retry(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid, settings: Any
) -> None:
    settings.SENDGRID_ENABLED = False  # queue it without delivering
    queued = send_email(team_a, ada, commit)
    settings.SENDGRID_ENABLED = True
    with team_scope(team_a.team):
        Message.objects.filter(pk=queued.pk).update(status="queued", transport="", sent_at=None, attempts=0)
    sendgrid_on.fail(500)

    with team_scope(team_a.team), pytest.raises(RetryLater):
        deliver(str(queued.pk))

    with team_scope(team_a.team):
        message = Message.objects.get(pk=queued.pk)
    assert message.status == "queued"
    assert message.attempts == 1
    assert "Internal server error" in message.error


def test_a_bad_request_fails_the_message_with_sendgrids_explanation(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    sendgrid_on.fail(400, "The from address does not match a verified Sender Identity.")

    message = send_email(team_a, ada, commit)

    assert len(sendgrid_on.requests) == 1  # not retried
    assert message.status == "failed"
    assert "does not match a verified Sender Identity" in message.error
    assert sendgrid_on.sent == []


def test_a_wrong_api_key_is_not_retryable(sendgrid_fake: FakeSendGrid, settings: Any) -> None:
    settings.SENDGRID_API_HOST = sendgrid_fake.host
    email = OutboundEmail(
        from_email="a@loriaa.test", to="b@example.com", reply_to="a@loriaa.test", subject="Hi", text="Hi",
        html="<p>Hi</p>", headers={}, custom_args={},
    )  # fmt: skip

    with pytest.raises(ProviderError) as error:
        client_send(SendGridCredentials(api_key="SG.wrong", from_email="a@loriaa.test"), email)

    assert error.value.retryable is False
    assert error.value.status == 401
    assert "authorization grant is invalid" in str(error.value)


def test_an_unreachable_sendgrid_is_retryable(settings: Any) -> None:
    settings.SENDGRID_API_HOST = "http://127.0.0.1:9"  # the discard port: nothing listens
    email = OutboundEmail(
        from_email="a@loriaa.test", to="b@example.com", reply_to="a@loriaa.test", subject="Hi", text="Hi",
        html="<p>Hi</p>", headers={}, custom_args={},
    )  # fmt: skip

    with pytest.raises(ProviderError) as error:
        client_send(SendGridCredentials(api_key="SG.x", from_email="a@loriaa.test"), email)

    assert error.value.retryable is True


def test_with_sendgrid_off_email_goes_to_the_outbox(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_fake: FakeSendGrid
) -> None:
    message = send_email(team_a, ada, commit)

    assert message.transport == "outbox"
    assert message.status == "sent"
    assert message.provider_id == ""
    assert sendgrid_fake.requests == []
