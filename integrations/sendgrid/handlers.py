"""What SendGrid's stored webhook events do: a reply joins its thread; delivery events move an
outbound message forward; spam reports and unsubscribes close the channel.

Runs inside ``intake.process_event``: in the event's team scope and in the transaction that marks
the event processed, so each event is applied exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.inbox.models import (
    Channel,
    ConsentSource,
    ConsentState,
    Conversation,
    Direction,
    InboundEvent,
    Message,
    MessageAttachment,
    MessageStatus,
    Transport,
)
from crm.inbox.services.consent import is_opted_out, record_consent
from crm.inbox.services.inbound import store_inbound
from crm.inbox.signals import inbound_message_received
from crm.leads.models import Lead
from integrations.sendgrid.parsing import REPLY_ADDRESS, strip_quoted

logger = logging.getLogger(__name__)

# --- Inbound email -----------------------------------------------------------------------------

UNSUBSCRIBE_WORDS = frozenset({"unsubscribe", "unsubscribe me", "stop"})


def handle_inbound_email(event: InboundEvent) -> str:
    payload = event.payload
    token = str(payload.get("reply_token") or "")
    conversation = (
        Conversation.objects.select_related("lead", "property").filter(reply_token=token, channel=Channel.EMAIL).first()
        if event.team is not None and token
        else None
    )
    if conversation is None:
        logger.info("inbound email ignored", extra={"event_id": str(event.pk), "reason": "unknown reply address"})
        return "ignored"
    lead = conversation.lead
    full_text = str(payload.get("text") or "")
    body = strip_quoted(full_text)  # the full text stays in the event payload
    subject = str(payload.get("subject") or "")
    _, message = store_inbound(
        lead=lead,
        channel=Channel.EMAIL,
        body=body,
        provider_id=_provider_id(str(payload.get("message_id") or event.event_id)),
        transport=Transport.SENDGRID,
        # A colleague or a second address of the prospect writing in still joins the thread;
        # the address it came from is kept on the message.
        from_address=str(payload.get("from") or "")[:254],
        to_address=_reply_recipient(payload)[:254],
        property=conversation.property,
        subject=subject,
    )
    for item in payload.get("attachments") or []:
        MessageAttachment.objects.create(
            team_id=message.team_id, message=message, file=item["key"], filename=str(item.get("filename", ""))[:200],
            content_type=str(item.get("content_type") or "application/octet-stream")[:100],
            size=int(item.get("size") or 0),
        )  # fmt: skip
    if wants_unsubscribe(body, subject):
        if not is_opted_out(lead, Channel.EMAIL):
            record_consent(
                lead, Channel.EMAIL, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD,
                evidence=f"Replied “{body[:200] or subject}” (subject: {subject[:200]}).",
            )  # fmt: skip
        return "processed"  # like STOP by text: nobody (no AI) answers an unsubscribe
    transaction.on_commit(lambda: inbound_message_received.send(sender=Message, message=message))
    return "processed"


def wants_unsubscribe(body: str, subject: str) -> bool:
    """The whole reply (or its subject, as the List-Unsubscribe mailto sends it) is the request."""
    return any(_plain(text) in UNSUBSCRIBE_WORDS for text in (body, subject))


def _plain(text: str) -> str:
    text = re.sub(r"^(?:\s*(?:re|aw|fwd?)\s*:)+", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", re.sub(r"[\s.!]+$", "", text.strip())).lower()


def _provider_id(message_id: str) -> str:
    # Message.provider_id holds 100 characters; longer Message-IDs are kept as a stable digest.
    return message_id if len(message_id) <= 100 else "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()


def _reply_recipient(payload: dict[str, Any]) -> str:
    recipients = [str(address) for address in payload.get("to") or []]
    return next((a for a in recipients if REPLY_ADDRESS.search(" " + a)), recipients[0] if recipients else "")


# --- Delivery events ---------------------------------------------------------------------------

# SendGrid's event types → ours. "processed" means SendGrid accepted the message (sent, not yet
# delivered); open, click, deferred and group_resubscribe change nothing here.
STATUSES: dict[str, str] = {
    "processed": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "bounce": MessageStatus.FAILED,
    "dropped": MessageStatus.FAILED,
}
# Events arrive out of order and more than once: a status only moves forward. A bounce after
# "delivered" is real news (the receiving server accepted, then bounced), so failed ranks last.
PROGRESS: dict[str, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.HELD: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.FAILED: 3,
}
OPT_OUT_EVENTS = frozenset({"spamreport", "unsubscribe", "group_unsubscribe"})
# A drop because the address is on SendGrid's own suppression lists is the same news.
OPT_OUT_DROP_REASONS = ("unsubscribed address", "spam reporting address")


def handle_event(event: InboundEvent) -> str:
    if event.team is None:
        return "ignored"
    payload = event.payload
    kind = str(payload.get("event") or "").lower()
    message = _message(payload)
    reason = str(payload.get("reason") or payload.get("response") or "").strip()
    if kind in OPT_OUT_EVENTS or (kind == "dropped" and reason.lower().startswith(OPT_OUT_DROP_REASONS)):
        _opt_out(payload, message, kind, event_id=event.event_id)
    target = STATUSES.get(kind)
    if target is None:
        return "processed" if kind in OPT_OUT_EVENTS else "ignored"
    if message is None:
        logger.info("sendgrid event for an unknown message", extra={"event_id": str(event.pk), "event": kind})
        return "ignored"
    if PROGRESS[target] <= PROGRESS.get(message.status, 3):
        return "processed"  # late or repeated: the message already went further
    when = _timestamp(payload)
    message.status = target
    fields = ["status"]
    if message.sent_at is None:
        message.sent_at = when
        fields.append("sent_at")
    if not message.provider_id and payload.get("sg_message_id"):
        # SendGrid accepted a message whose send never committed (worker lost mid-call): record
        # it now, so the retried delivery task finds it sent instead of sending it twice.
        message.provider_id = str(payload["sg_message_id"]).split(".")[0][:100]
        message.transport = Transport.SENDGRID
        fields += ["provider_id", "transport"]
    if target == MessageStatus.DELIVERED:
        message.delivered_at = when
        message.error = ""
        fields += ["delivered_at", "error"]
    elif target == MessageStatus.FAILED:
        message.error = f"Not delivered: SendGrid reported {kind}" + (f" ({reason[:500]})" if reason else "") + "."
        fields.append("error")
    message.save(update_fields=fields)
    return "processed"


def _message(payload: dict[str, Any]) -> Message | None:
    """Our message, by the custom argument we sent (scoped: only the event's own team's messages)."""
    messages = (
        Message.objects.select_for_update(of=("self",))
        .select_related("lead")
        .filter(direction=Direction.OUTBOUND, channel=Channel.EMAIL)
    )
    try:
        message_id = uuid.UUID(str(payload.get("loriaa_message_id")))
    except ValueError:
        message_id = None
    if message_id is not None:
        return messages.filter(pk=message_id).first()
    sg_message_id = str(payload.get("sg_message_id") or "").split(".")[0]
    if sg_message_id:
        return messages.filter(transport=Transport.SENDGRID, provider_id=sg_message_id).first()
    return None


def _opt_out(payload: dict[str, Any], message: Message | None, kind: str, *, event_id: str) -> None:
    address = str(payload.get("email") or "")
    if message is not None:
        leads = [message.lead]
    elif address:
        leads = list(Lead.objects.filter(email__iexact=address, merged_into__isnull=True))
    else:
        leads = []
    for lead in leads:
        if not is_opted_out(lead, Channel.EMAIL):
            record_consent(
                lead, Channel.EMAIL, ConsentState.OPTED_OUT, source=ConsentSource.PROVIDER,
                evidence=f"SendGrid {kind} event for {address or lead.email} ({event_id}).",
            )  # fmt: skip


def _timestamp(payload: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(payload["timestamp"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return timezone.now()
