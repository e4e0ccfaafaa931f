"""Hand a queued message to its transport: Twilio, SendGrid, or the local outbox when the channel
is not configured (so the whole flow works on a machine with no accounts).

Runs inside the delivery task with the message row locked, so two workers never send the same
message. Outbound delivery is at-least-once only in one case: a worker killed after the provider
accepted the message but before the commit. Providers offer no idempotency key for sends, so the
lock is held across the call to keep that window to the call itself.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm.inbox.models import Channel, ConsentSource, ConsentState, Message, MessageStatus, Transport
from crm.inbox.services.consent import record_consent
from crm.inbox.services.sending import can_send
from integrations.credentials import sendgrid_credentials, twilio_credentials
from integrations.errors import ProviderError

logger = logging.getLogger(__name__)

TWILIO_UNSUBSCRIBED = "21610"


class RetryLater(Exception):
    """A temporary provider failure: the task retries with backoff."""


def status_callback_url() -> str:
    return settings.SITE_URL + reverse("webhooks:twilio-status")


def deliver(message_id: str) -> Message | None:
    message, retry = _deliver(message_id)
    if retry:
        # Raised after the transaction committed, so the attempt count and error it wrote stay.
        raise RetryLater(retry)
    return message


@transaction.atomic
def _deliver(message_id: str) -> tuple[Message | None, str]:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("lead", "conversation__property", "team")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status != MessageStatus.QUEUED:
        return message, ""  # already sent, failed, held, or gone: redelivery of the task is a no-op
    # A STOP confirmation goes out to an opted-out number by design; nothing else does.
    reason = None if message.system else can_send(message.lead, message.channel)
    if reason:
        return _fail(message, f"Not sent: {reason}"), ""
    message.attempts += 1
    try:
        if message.channel == Channel.SMS:
            _send_sms(message)
        else:
            _send_email(message)
    except ProviderError as exc:
        if exc.code == TWILIO_UNSUBSCRIBED:  # the carrier says this number replied STOP to us before
            record_consent(
                message.lead, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.PROVIDER,
                evidence=f"Twilio refused the send with error {exc.code}: the recipient unsubscribed.",
            )  # fmt: skip
        if exc.retryable and message.attempts < settings.INBOX_MAX_SEND_ATTEMPTS:
            Message.objects.filter(pk=message.pk).update(attempts=message.attempts, error=str(exc))
            return message, str(exc)
        return _fail(message, str(exc)), ""
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.save(update_fields=["status", "sent_at", "error", "attempts", "transport", "provider_id", "from_address"])
    return message, ""


def _fail(message: Message, error: str) -> Message:
    message.status = MessageStatus.FAILED
    message.error = error[:2000]
    message.save(update_fields=["status", "error", "attempts"])
    logger.info("outbound message failed", extra={"message_id": str(message.pk), "error": error[:200]})
    return message


def _send_sms(message: Message) -> None:
    credentials = twilio_credentials(message.team)
    property = message.conversation.property
    if credentials is None:
        message.transport = Transport.OUTBOX
        message.from_address = (property.sms_number if property else "") or ""
        return
    if not credentials.messaging_service_sid and not (property and property.sms_number):
        raise ProviderError("This property has no SMS number to send from.", retryable=False)
    from integrations.twilio.client import send_sms

    sent = send_sms(
        credentials,
        to=message.to_address,
        from_=(property.sms_number if property else "") or "",
        body=message.body,
        status_callback=status_callback_url(),
    )
    message.transport = Transport.TWILIO
    message.provider_id = sent.sid
    message.from_address = sent.from_ or ((property.sms_number if property else "") or "")


def _send_email(message: Message) -> None:
    from crm.inbox.services.email import compose_email

    credentials = sendgrid_credentials(message.team)
    email = compose_email(message, from_email=credentials.from_email if credentials else settings.DEFAULT_FROM_EMAIL)
    message.from_address = email.from_email
    if credentials is None:
        message.transport = Transport.OUTBOX
        return
    from integrations.sendgrid.client import send_email

    message.provider_id = send_email(credentials, email)
    message.transport = Transport.SENDGRID
