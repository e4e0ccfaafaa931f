"""What happens to a prospect's text once its webhook is stored: find or create the lead and the
conversation, store the message (and its photos), apply STOP/START/HELP, and tell listeners.

Runs inside ``intake.process_event``: in the team's scope and in the transaction that marks the
event processed, so each MessageSid becomes exactly one message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.inbox.models import (
    Channel,
    ConsentSource,
    ConsentState,
    Conversation,
    ConversationStatus,
    Direction,
    InboundEvent,
    Message,
    MessageStatus,
    Transport,
)
from crm.inbox.services.consent import record_consent, sms_keyword
from crm.inbox.services.sending import conversation_for
from crm.inbox.signals import inbound_message_received
from crm.leads.models import ActivityKind, Lead, Source
from crm.leads.phones import normalize_phone
from crm.leads.services.activity import record
from crm.leads.services.leads import lead_create
from crm.properties.models import Property

logger = logging.getLogger(__name__)


def find_or_create_lead(*, team: Any, phone: str = "", email: str = "", property: Property | None, via: str) -> Lead:
    """The team's live lead with this contact, else a new one (source: phone for texts)."""
    contact = {"phone": phone} if phone else {"email": email}
    lead = Lead.objects.filter(merged_into__isnull=True, **contact).order_by("-last_activity_at").first()
    if lead is not None:
        return lead
    data: dict[str, Any] = {**contact, "source": Source.PHONE if phone else Source.OTHER, "property": property}
    lead, _ = lead_create(team=team, data=data, via=via)
    return lead


def store_inbound(
    *,
    lead: Lead,
    channel: str,
    body: str,
    provider_id: str,
    transport: str,
    from_address: str,
    to_address: str,
    property: Property | None,
    subject: str = "",
) -> tuple[Conversation, Message]:
    conversation = conversation_for(lead, channel)
    now = timezone.now()
    message = Message.objects.create(
        team_id=lead.team_id, conversation=conversation, lead=lead, direction=Direction.INBOUND, channel=channel,
        body=body, subject=subject[:200], status=MessageStatus.RECEIVED, transport=transport,
        provider_id=provider_id, from_address=from_address, to_address=to_address, sent_at=now,
    )  # fmt: skip
    changes: dict[str, Any] = {
        "last_message_at": now, "last_inbound_at": now, "last_preview": body[:160], "unread": True,
        "status": ConversationStatus.OPEN, "updated_at": now,
    }  # fmt: skip
    if property is not None and conversation.property_id is None:
        changes["property"] = property
    if subject and not conversation.subject:
        changes["subject"] = subject[:200]
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    for name, value in changes.items():
        setattr(conversation, name, value)
    record(
        lead=lead,
        kind=ActivityKind.MESSAGE,
        summary=f"{Channel(channel).label} from {lead.full_name or from_address}: {body[:200]}",
        data={"direction": "inbound", "channel": channel, "message": str(message.pk)},
    )
    return conversation, message


def handle_inbound_sms(event: InboundEvent) -> str:
    payload = event.payload
    phone = normalize_phone(payload.get("From", ""))
    if event.team is None or not phone:
        logger.info("inbound sms ignored", extra={"event_id": str(event.pk), "reason": "unknown number or sender"})
        return "ignored"
    property = Property.objects.filter(sms_number=payload.get("To", "")).first()
    lead = find_or_create_lead(team=event.team, phone=phone, property=property, via="text message")
    body = payload.get("Body", "")
    conversation, message = store_inbound(
        lead=lead, channel=Channel.SMS, body=body, provider_id=payload.get("MessageSid", "")[:100],
        transport=Transport.TWILIO, from_address=phone, to_address=payload.get("To", ""), property=property,
    )  # fmt: skip
    if int(payload.get("NumMedia") or 0):
        from integrations.twilio.media import store_media

        store_media(message, payload)

    keyword = sms_keyword(body)
    if keyword:
        apply_keyword(keyword, lead=lead, conversation=conversation, message=message, property=property)
    else:
        transaction.on_commit(lambda: inbound_message_received.send(sender=Message, message=message))
    return "processed"


def apply_keyword(
    keyword: str, *, lead: Lead, conversation: Conversation, message: Message, property: Property | None
) -> None:
    """STOP/START change the ledger and get one confirmation; HELP gets who we are and how to reach us."""
    brand = property.name if property else lead.team.name
    contact = _contact_line(property)
    if keyword == "stop":
        record_consent(lead, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence=message.body)
        reply = f"{brand}: you're unsubscribed and will get no more texts from us. Reply START to resubscribe."
    elif keyword == "start":
        record_consent(lead, Channel.SMS, ConsentState.OPTED_IN, source=ConsentSource.KEYWORD, evidence=message.body)
        reply = f"{brand}: you're resubscribed to texts from our leasing team. Reply HELP for help, STOP to opt out."
    else:
        reply = f"{brand} leasing team.{contact} Msg & data rates may apply. Reply STOP to opt out."
    send_system_sms(conversation=conversation, body=reply)


def _contact_line(property: Property | None) -> str:
    if property is None:
        return ""
    parts = [p for p in [property.sms_number, property.email] if p]
    return f" Reach us at {' or '.join(parts)}." if parts else ""


def send_system_sms(*, conversation: Conversation, body: str) -> Message:
    """The compliance reply to a keyword: exempt from consent (the carrier rules require it), but
    still a stored, delivered message like any other."""
    from crm.inbox.tasks import deliver_message

    message = Message.objects.create(
        team_id=conversation.team_id, conversation=conversation, lead_id=conversation.lead_id,
        direction=Direction.OUTBOUND, channel=Channel.SMS, body=body, status=MessageStatus.QUEUED,
        system=True, automated=True, to_address=conversation.lead.phone,
    )  # fmt: skip
    deliver_message.delay_on_commit(team_id=str(conversation.team_id), message_id=str(message.pk))
    return message
