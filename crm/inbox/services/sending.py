"""Every outbound message goes through ``send_message``: the composer, canned replies, bulk sends,
tour reminders, the API and the AI agents. It is the one place that checks consent, the address,
Fair Housing and quiet hours, so no path can skip them.

Delivery happens in a task after commit (``deliver``); it checks consent again, because a STOP can
arrive between the click and the send.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from crm.compliance.fair_housing import check_outbound
from crm.inbox.models import Channel, Conversation, Direction, Message, MessageStatus
from crm.inbox.services.consent import is_opted_out
from crm.leads.models import ActivityKind, Lead
from crm.leads.services.activity import record

if TYPE_CHECKING:
    from crm.accounts.models import User
    from crm.compliance.fair_housing import Finding
    from crm.leads.models import Task
    from crm.properties.models import Property

logger = logging.getLogger(__name__)

# Twilio refuses bodies over 1,600 characters (10 segments); longer texts should be an email.
SMS_MAX_CHARS = 1600
EMAIL_MAX_CHARS = 20000
DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)


class SendRefused(Exception):
    """The message may not go out. ``str(exc)`` is written for the person who tried to send it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def default_channel(lead: Lead) -> str:
    latest = lead.conversations.order_by("-last_message_at").values_list("channel", flat=True).first()
    if latest:
        return latest
    return Channel.SMS if lead.phone else Channel.EMAIL


def can_send(lead: Lead, channel: str) -> str | None:
    """Why a message to ``lead`` on ``channel`` would be refused, or None when it may go out."""
    name = lead.full_name or "This prospect"
    if channel == Channel.SMS:
        if not lead.phone:
            return f"{name} has no mobile number on file."
        if is_opted_out(lead, Channel.SMS):
            return f"{name} opted out of text messages (replied STOP). They can text START to opt back in."
        return None
    if channel == Channel.EMAIL:
        if not lead.email:
            return f"{name} has no email address on file."
        if is_opted_out(lead, Channel.EMAIL):
            return f"{name} unsubscribed from email."
        return None
    return f"Unknown channel “{channel}”."


def _refusal_code(reason: str) -> str:
    return "opted_out" if "opted out" in reason or "unsubscribed" in reason else "no_address"


def quiet_hours_release(property: Property | None, now: datetime) -> datetime | None:
    """When a held automated text may go out, or None if ``now`` is outside the property's quiet hours."""
    if property is None:
        return None
    start = property.quiet_hours_start or DEFAULT_QUIET_START
    end = property.quiet_hours_end or DEFAULT_QUIET_END
    if start == end:
        return None
    local = now.astimezone(property.tz)
    clock = local.time()
    quiet = (clock >= start or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    release_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(release_day, end, property.tz)


def conversation_for(lead: Lead, channel: str) -> Conversation:
    """The lead's thread on ``channel``, created on first use (concurrent callers get the same row)."""
    conversation, _ = Conversation.objects.get_or_create(
        lead=lead,
        channel=channel,
        defaults={"team_id": lead.team_id, "property_id": lead.property_id, "assignee_id": lead.assigned_to_id},
    )
    return conversation


@transaction.atomic
def send_message(
    *,
    lead: Lead,
    body: str,
    channel: str | None = None,
    user: User | None = None,
    agent: str = "",
    automated: bool = False,
    subject: str = "",
    source_task: Task | None = None,
) -> Message:
    """Queue ``body`` to ``lead``; raise ``SendRefused`` (storing nothing) when it may not go out.

    The returned message carries ``fair_housing_warnings``: findings a staff sender should see
    (an agent's message with findings is refused instead, for a person to review).
    """
    body = (body or "").strip()
    channel = channel or default_channel(lead)
    if not body:
        raise SendRefused("empty", "Write a message first.")
    limit = SMS_MAX_CHARS if channel == Channel.SMS else EMAIL_MAX_CHARS
    if len(body) > limit:
        raise SendRefused("too_long", f"A {Channel(channel).label} message can be at most {limit:,} characters.")
    reason = can_send(lead, channel)
    if reason:
        raise SendRefused(_refusal_code(reason), reason)
    decision = check_outbound(body, team=lead.team, sender="agent" if agent else "staff", property=lead.property)
    if not decision.allowed:
        phrases = ", ".join(sorted({f"“{f.phrase}”" for f in decision.findings}))
        raise SendRefused("fair_housing", f"Held for review: possible Fair Housing issue ({phrases}).")

    conversation = conversation_for(lead, channel)
    now = timezone.now()
    release = quiet_hours_release(conversation.property or lead.property, now) if automated else None
    if release and channel == Channel.SMS:
        status, send_after = MessageStatus.HELD, release
    else:
        status, send_after = MessageStatus.QUEUED, None
    if channel == Channel.EMAIL and not subject:
        subject = conversation.subject or _default_subject(lead)
    message = Message.objects.create(
        team_id=lead.team_id, conversation=conversation, lead=lead, direction=Direction.OUTBOUND, channel=channel,
        body=body, subject=subject, status=status, sent_by=user, sent_by_agent=agent, automated=automated,
        send_after=send_after, source_task=source_task, to_address=lead.phone if channel == Channel.SMS else lead.email,
    )  # fmt: skip
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_preview=body[:160], subject=conversation.subject or subject, updated_at=now
    )
    who = f"AI ({agent})" if agent else (user.display_name if user else "Automated")
    record(
        lead=lead,
        kind=ActivityKind.MESSAGE,
        actor=user,
        summary=f"{Channel(channel).label} sent by {who}: {body[:200]}",
        data={"direction": "outbound", "channel": channel, "message": str(message.pk), "agent": agent},
    )
    if status == MessageStatus.QUEUED:
        from crm.inbox.tasks import deliver_message

        deliver_message.delay_on_commit(team_id=str(lead.team_id), message_id=str(message.pk))
    message.fair_housing_warnings = list(decision.warnings)  # type: ignore[attr-defined]
    return message


def _default_subject(lead: Lead) -> str:
    return f"Your inquiry at {lead.property.name}" if lead.property else "Your apartment inquiry"


def warnings_of(message: Message) -> list[Finding]:
    return list(getattr(message, "fair_housing_warnings", []))
