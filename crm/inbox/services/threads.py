"""What a teammate does to a thread: assign it, close or reopen it, take over from the AI, and
mark it read or unread.

Each change that a colleague (or an auditor) would want to know about leaves a line on the
lead's timeline; read/unread is personal bookkeeping and does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from crm.inbox.models import Channel, Conversation, ConversationStatus
from crm.leads.models import ActivityKind
from crm.leads.services.activity import record

if TYPE_CHECKING:
    from crm.accounts.models import User


def _save(conversation: Conversation, **changes: Any) -> bool:
    """Write only what changed; True when something did."""
    changed = {name: value for name, value in changes.items() if getattr(conversation, name) != value}
    if not changed:
        return False
    changed["updated_at"] = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(**changed)
    for name, value in changed.items():
        setattr(conversation, name, value)
    return True


def _label(conversation: Conversation) -> str:
    return f"{Channel(conversation.channel).label} conversation"


def conversation_assign(*, conversation: Conversation, assignee: User | None, actor: User | None) -> bool:
    if not _save(conversation, assignee_id=assignee.pk if assignee else None):
        return False
    conversation.assignee = assignee
    who = assignee.display_name if assignee else "nobody"
    record(
        lead=conversation.lead,
        kind=ActivityKind.ASSIGNED,
        actor=actor,
        summary=f"{_label(conversation)} assigned to {who}",
        data={"conversation": str(conversation.pk), "assignee": str(assignee.pk) if assignee else None},
    )
    return True


def conversation_close(*, conversation: Conversation, actor: User | None) -> bool:
    return _set_status(conversation, ConversationStatus.CLOSED, actor)


def conversation_reopen(*, conversation: Conversation, actor: User | None) -> bool:
    return _set_status(conversation, ConversationStatus.OPEN, actor)


def _set_status(conversation: Conversation, status: str, actor: User | None) -> bool:
    if not _save(conversation, status=status):
        return False
    verb = "closed" if status == ConversationStatus.CLOSED else "reopened"
    record(
        lead=conversation.lead,
        kind=ActivityKind.UPDATED,
        actor=actor,
        summary=f"{_label(conversation)} {verb}",
        data={"conversation": str(conversation.pk), "status": status},
    )
    return True


def conversation_set_ai(*, conversation: Conversation, enabled: bool, actor: User | None) -> bool:
    """``enabled=False`` is a human takeover: the AI stops replying in this thread until turned back on."""
    if not _save(conversation, ai_enabled=enabled):
        return False
    summary = (
        f"AI replies turned back on in the {_label(conversation)}"
        if enabled
        else f"{actor.display_name if actor else 'A teammate'} took over the {_label(conversation)} from the AI"
    )
    record(
        lead=conversation.lead,
        kind=ActivityKind.UPDATED,
        actor=actor,
        summary=summary,
        data={"conversation": str(conversation.pk), "ai_enabled": enabled},
    )
    return True


def conversation_mark_read(*, conversation: Conversation) -> bool:
    return _save(conversation, unread=False)


def conversation_mark_unread(*, conversation: Conversation) -> bool:
    return _save(conversation, unread=True)
