"""Apply Twilio's delivery status callbacks to our outbound messages.

Runs inside ``intake.process_event``: in the event's team scope, in the transaction that marks the
event processed. Callbacks arrive out of order and more than once, so a status only ever moves
forward: a late "sent" never undoes "delivered", and the first final outcome (delivered or failed) stays.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from crm.inbox.models import (
    Channel,
    ConsentSource,
    ConsentState,
    Direction,
    InboundEvent,
    Message,
    MessageStatus,
    Transport,
)
from crm.inbox.services.consent import is_opted_out, record_consent
from crm.inbox.services.intake import NotReady
from integrations.twilio import codes

logger = logging.getLogger(__name__)

# A report for a MessageSid we have not stored is retried by the sweep this many times, then ignored.
UNKNOWN_MESSAGE_ATTEMPTS = 3

# Twilio's MessageStatus values → ours. Statuses not listed (receiving, received: inbound) are ignored.
STATUSES: dict[str, str] = {
    "accepted": MessageStatus.SENT,
    "scheduled": MessageStatus.SENT,
    "queued": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
# How far along a message is; equal ranks never replace each other (the first final outcome wins).
PROGRESS: dict[str, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.HELD: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.FAILED: 2,
}


def handle_status(event: InboundEvent) -> str:
    payload = event.payload
    sid = _text(payload.get("MessageSid") or payload.get("SmsSid"))
    twilio_status = _text(payload.get("MessageStatus") or payload.get("SmsStatus")).lower()
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("lead")
        .filter(transport=Transport.TWILIO, provider_id=sid, direction=Direction.OUTBOUND)
        .first()
    )
    if message is None:
        if event.attempts < UNKNOWN_MESSAGE_ATTEMPTS:
            # The callback can beat the commit of the send that produced the MessageSid: try later.
            raise NotReady(f"No outbound message {sid} yet.")
        logger.info("twilio status for an unknown message", extra={"event_id": str(event.pk), "status": twilio_status})
        return "ignored"
    error_code = _text(payload.get("ErrorCode"))
    if error_code == codes.UNSUBSCRIBED and not is_opted_out(message.lead, Channel.SMS):
        record_consent(
            message.lead, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.PROVIDER,
            evidence=f"Twilio error {error_code} on message {sid}: the recipient unsubscribed at the carrier.",
        )  # fmt: skip
    target = STATUSES.get(twilio_status)
    if target is None:
        return "ignored"
    if PROGRESS[target] <= PROGRESS.get(message.status, 2):
        return "processed"  # a late or repeated report: the message already went further
    now = timezone.now()
    message.status = target
    fields = ["status"]
    if message.sent_at is None:
        message.sent_at = now
        fields.append("sent_at")
    if target == MessageStatus.DELIVERED:
        message.delivered_at = now
        message.error = ""
        fields += ["delivered_at", "error"]
    elif target == MessageStatus.FAILED:
        reason = codes.describe(error_code, _text(payload.get("ErrorMessage")) or f"Twilio reported it {twilio_status}")
        message.error = f"Not delivered: {reason}."[:2000]
        fields.append("error")
    message.save(update_fields=fields)
    return "processed"


def _text(value: object) -> str:
    # A repeated field arrives as a list (see webhooks.form_payload); Twilio never repeats these.
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()
