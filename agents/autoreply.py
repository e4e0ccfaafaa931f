"""24/7 auto-reply: a prospect's message in a conversation with AI on gets an answer from the
leasing agent, grounded in the knowledge base, under the property's policy:

- ``off``: nothing; people answer.
- ``draft``: the reply waits as a pending "send message" action a teammate approves or edits.
- ``autonomous``: the reply is sent (consent, Fair Housing and quiet hours still apply: a reply
  written at 2 a.m. is held until the property's morning unless the prospect is in danger).

It hands off to a person, and stops replying in that conversation, when the prospect asks for
one, complains, reports an emergency, asks something Fair-Housing-sensitive, or when the agent has
no grounded answer. These checks run on the prospect's text before any model sees it, so a model
cannot talk its way past them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from crm.compliance.fair_housing import check_text
from crm.inbox.models import Conversation, Direction, Message
from crm.inbox.signals import inbound_message_received
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from crm.teams.tasks import TeamTask

logger = logging.getLogger(__name__)

# How many earlier messages of the thread the agent sees (oldest first).
HISTORY = 8
# The marker the leasing prompt tells a model to answer with when it has no grounded answer.
HANDOFF_MARKER = "[HANDOFF]"

HANDOFF_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "emergency",
        re.compile(
            r"\b(?:emergency|911|fire|smoke|flood(?:ing|ed)?|gas leak|smell(?:s)? (?:of )?gas|burst pipe"
            r"|carbon monoxide|break[- ]?in|intruder|someone broke|injur(?:ed|y)|bleeding|ambulance|police)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "asked for a person",
        re.compile(
            r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|your\s+)?(?:real\s+)?"
            r"(?:human|person|someone|somebody|agent|manager|leasing (?:agent|office)|staff)\b"
            r"|\breal (?:person|human)\b|\bare you (?:a )?(?:bot|robot|human|ai)\b"
            r"|\b(?:can|could) (?:someone|somebody|you) call me\b"
            r"|\bcall me\b|\bhuman please\b",
            re.IGNORECASE,
        ),
    ),
    (
        "complaint",
        re.compile(
            r"\b(?:complain(?:t|ts|ing)?|terrible|awful|horrible|worst|rude|unacceptable|ridiculous|scam|fraud"
            r"|lawyer|attorney|sue|lawsuit|refund|disappointed|angry|furious|discriminat\w*)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "fair housing",
        re.compile(
            r"\b(?:safe|crime|dangerous|sketchy|bad)\b[^.?!]{0,40}\b(?:neighbou?rhood|area|part of town)\b"
            r"|\bwhat kind of (?:people|tenants|neighbou?rs|residents)\b|\bdemographic\w*|\bethnic\w*|\bdiverse\b"
            r"|\b(?:lots of|many|other) (?:families|kids|children|seniors|students)\b|\bsection\s*8\b|\bvouchers?\b"
            r"|\bdisab\w*|\bwheelchair\b|\bservice (?:animal|dog)\b|\bemotional support\b|\baccommodation request\b"
            r"|\breligio\w*|\bchurch(?:es)?\b|\bmosques?\b|\bsynagogues?\b|\bimmigra\w*|\bcitizenship\b",
            re.IGNORECASE,
        ),
    ),
]


@dataclass(frozen=True)
class Outcome:
    action: str  # "skipped" | "handed_off" | "drafted" | "sent" | "held"
    reason: str = ""
    message_id: str = ""
    pending_action_id: str = ""


def handoff_reason(text: str, *, team: Team) -> str | None:
    """Why a person should answer ``text`` instead of the AI, or None."""
    for reason, pattern in HANDOFF_RULES:
        if pattern.search(text):
            return reason
    if not check_text(text, team=team).ok:
        return "fair housing"
    return None


@receiver(inbound_message_received, dispatch_uid="agents.autoreply")
def on_inbound_message(sender: object, message: Message, **kwargs: object) -> None:
    from agents.models import AutoReply
    from agents.services.policy import policy_for

    if message.direction != Direction.INBOUND or not message.conversation.ai_enabled:
        return
    property_id = message.conversation.property_id or message.lead.property_id
    with team_scope(message.team):  # on-commit hooks run after the event's scope has closed
        if policy_for(message.team, property_id).auto_reply == AutoReply.OFF:
            return  # no task at all: most teams that turn it off get many messages
    auto_reply.delay(team_id=str(message.team_id), message_id=str(message.pk))


@receiver(post_save, sender=Message, dispatch_uid="agents.autoreply.supersede")
def supersede_drafts(sender: object, instance: Message, created: bool, **kwargs: object) -> None:
    """A teammate replied in the thread: the AI's unsent drafts there are out of date."""
    if not created or instance.direction != Direction.OUTBOUND or instance.sent_by_id is None:
        return
    from django_scopes import scopes_disabled

    from agents.models import PendingAction, PendingStatus

    with scopes_disabled():  # filtered by the message's own team; saves may happen outside a scope
        PendingAction.objects.filter(
            team_id=instance.team_id, conversation_id=instance.conversation_id, tool="send_message",
            status=PendingStatus.PENDING,
        ).update(status=PendingStatus.REJECTED, error="Superseded: a teammate replied in the thread.")  # fmt: skip


@shared_task(base=TeamTask, acks_late=True)
def auto_reply(*, team: Team, message_id: str) -> str:
    return reply_to(team=team, message_id=message_id).action


def reply_to(*, team: Team, message_id: str) -> Outcome:
    from agents.models import AutoReply
    from agents.services.policy import policy_for

    message = (
        Message.objects.select_related("conversation__lead__property", "conversation__property")
        .filter(pk=message_id, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        return Outcome("skipped", "message not found")
    conversation = message.conversation
    lead = conversation.lead
    if not conversation.ai_enabled:
        return Outcome("skipped", "a person has taken over this conversation")
    newer = conversation.messages.filter(created_at__gt=message.created_at)
    if newer.filter(direction=Direction.INBOUND).exists():
        return Outcome("skipped", "a newer message will be answered instead")
    if newer.filter(direction=Direction.OUTBOUND, system=False).exists():
        return Outcome("skipped", "someone already replied")
    property = conversation.property or lead.property
    policy = policy_for(team, property.pk if property else None)
    if policy.auto_reply == AutoReply.OFF:
        return Outcome("skipped", "auto-reply is off for this property")

    # In draft mode nothing reaches the prospect without a person, hand-off notes included.
    notify = policy.auto_reply == AutoReply.AUTONOMOUS
    reason = handoff_reason(message.body, team=team)
    if reason:
        return hand_off(conversation, message, reason, notify=notify)

    from agents.runtime import run_turn

    history = [
        {"role": "user" if m.direction == Direction.INBOUND else "assistant", "content": m.body}
        for m in reversed(list(conversation.messages.filter(created_at__lt=message.created_at, system=False)
                               .order_by("-created_at")[:HISTORY]))
    ]  # fmt: skip
    result = run_turn(
        agent="leasing", team=team, user=None, message=message.body, untrusted=True, history=history,
        context={"lead_id": str(lead.pk), "property_id": str(property.pk) if property else None,
                 "conversation_id": str(conversation.pk)},
    )  # fmt: skip
    answer = result.answer.strip()
    grounded = bool(result.sources) or any(call.get("status") == "executed" for call in result.tool_calls)
    if not answer or HANDOFF_MARKER in answer or (result.engine == "offline" and not grounded):
        return hand_off(conversation, message, "no confident answer", notify=notify)
    if policy.auto_reply == AutoReply.AUTONOMOUS:
        return _send(conversation, answer)
    return _draft(team, conversation, answer)


def _send(conversation: Conversation, answer: str) -> Outcome:
    from crm.inbox.services.sending import SendRefused, send_message

    try:
        sent = send_message(
            lead=conversation.lead, body=answer, channel=conversation.channel, agent="leasing", automated=True
        )
    except SendRefused as exc:
        if exc.code == "fair_housing":  # a person reviews what the checker flagged
            return _draft(conversation.team, conversation, answer, note=str(exc))
        return Outcome("skipped", str(exc))
    return Outcome("held" if sent.status == "held" else "sent", message_id=str(sent.pk))


def _draft(team: Team, conversation: Conversation, answer: str, note: str = "") -> Outcome:
    """The reply as a pending "send message" action: a teammate approves (sends) or rejects it."""
    import uuid

    from agents.services.approvals import create_pending_action
    from agents.tools.base import Proposal, ToolContext
    from crm.teams.roles import Role

    lead = conversation.lead
    ctx = ToolContext(
        team=team, user=None, role=Role.AGENT, agent="leasing", turn_id=uuid.uuid4(), lead_id=lead.pk,
        property_id=conversation.property_id, conversation_id=conversation.pk, untrusted=True,
    )  # fmt: skip
    preview = answer if len(answer) <= 160 else answer[:159] + "…"
    summary = f"Reply to {lead.full_name or 'the prospect'}: “{preview}”" + (f" ({note})" if note else "")
    action = create_pending_action(
        ctx=ctx,
        tool="send_message",
        proposal=Proposal(
            summary=summary,
            arguments={"lead_id": str(lead.pk), "channel": conversation.channel, "body": answer},
            lead=lead,
            property_id=conversation.property_id,
        ),
    )
    return Outcome("drafted", note, pending_action_id=str(action.pk))


def hand_off(conversation: Conversation, message: Message, reason: str, *, notify: bool) -> Outcome:
    """Stop the AI in this thread and put it in front of a person; with ``notify``, tell the
    prospect one is coming."""
    from crm.inbox.services.sending import SendRefused, send_message
    from crm.leads.models import ActivityKind, TaskKind
    from crm.leads.services.activity import record
    from crm.leads.services.followups import task_create

    lead = conversation.lead
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(ai_enabled=False, unread=True)
        record(
            lead=lead,
            kind=ActivityKind.NOTE,
            summary=f"AI handed the conversation to the team: {reason}",
            data={"handoff": reason, "message": str(message.pk)},
        )
        task_create(
            lead=lead,
            title=f"Reply to {lead.full_name or 'a prospect'} ({reason})",
            kind=TaskKind.TEXT if conversation.channel == "sms" else TaskKind.EMAIL,
            due_at=timezone.now() + (timedelta(0) if reason == "emergency" else timedelta(minutes=15)),
            assigned_to=conversation.assignee or lead.assigned_to,
        )
    if not notify:
        return Outcome("handed_off", reason)
    if reason == "emergency":
        body = (
            "If anyone is in danger, please call 911 now. For maintenance emergencies, call the property's "
            "emergency line. I've alerted our team."
        )
    else:
        body = "Thanks for your message. I've passed it to our leasing team, and a person will get back to you shortly."
    try:
        # An emergency answer goes out at once; a hand-off note waits for morning like any automated text.
        send_message(lead=lead, body=body, channel=conversation.channel, agent="leasing",
                     automated=reason != "emergency")  # fmt: skip
    except SendRefused as exc:
        logger.info("hand-off note not sent", extra={"conversation": str(conversation.pk), "reason": str(exc)})
    logger.info("auto-reply handed off", extra={"conversation": str(conversation.pk), "reason": reason})
    return Outcome("handed_off", reason)
