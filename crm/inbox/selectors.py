"""Reads for the inbox: the thread list (filters, keyset pages, a cheap change token), a thread's
messages, the pane's poll, the outbox, and the consent banner.

Every query here runs inside the request's team scope, so another team's rows never appear.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import QueryDict

from crm.inbox.models import (
    Channel,
    ConsentRecord,
    ConsentSource,
    ConsentState,
    Conversation,
    Direction,
    Message,
    MessageStatus,
    Transport,
)
from crm.leads.models import Lead
from crm.leads.selectors import search_q
from loriaa.cursors import decode_cursor, encode_cursor
from loriaa.ids import parse_uuid

THREAD_PAGE_SIZE = 25
THREAD_PAGE_MAX = 200
PANE_MESSAGES = 100
OUTBOX_PAGE_SIZE = 50
# Outbound messages whose status can still change (sent → delivered/failed, held → queued...):
# the pane's poll watches the latest few of them.
UNSETTLED = (MessageStatus.QUEUED, MessageStatus.HELD, MessageStatus.SENT)
WATCH_MAX = 20

WHO_CHOICES = [("all", "All"), ("mine", "Mine"), ("unassigned", "Unassigned")]
STATUS_CHOICES = [("open", "Open"), ("closed", "Closed"), ("any", "Open and closed")]


@dataclass(frozen=True)
class ThreadFilters:
    """What the thread list is narrowed by; lives in the query string."""

    who: str = "all"
    channel: str = ""
    property: str = ""
    status: str = "open"
    unread: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, str]) -> ThreadFilters:
        def get(name: str) -> str:
            value = query.get(name, "")
            return (value if isinstance(value, str) else "").strip()[:100]

        who, status = get("who"), get("status")
        return cls(
            who=who if who in dict(WHO_CHOICES) else "all",
            channel=get("channel") if get("channel") in Channel.values else "",
            property=get("property") if parse_uuid(get("property")) else "",
            status=status if status in dict(STATUS_CHOICES) else "open",
            unread=get("unread") in {"1", "on", "true"},
            q=get("q"),
        )

    def as_query(self) -> dict[str, str]:
        values = {
            "who": "" if self.who == "all" else self.who,
            "channel": self.channel,
            "property": self.property,
            "status": "" if self.status == "open" else self.status,
            "unread": "1" if self.unread else "",
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}

    @builtins.property
    def active(self) -> bool:
        return bool(self.as_query())


def threads(filters: ThreadFilters, *, user_id: Any) -> QuerySet[Conversation]:
    queryset = Conversation.objects.select_related("lead", "property", "assignee")
    if filters.who == "mine":
        queryset = queryset.filter(assignee_id=user_id)
    elif filters.who == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.property:
        queryset = queryset.filter(property_id=filters.property)
    if filters.status != "any":
        queryset = queryset.filter(status=filters.status)
    if filters.unread:
        queryset = queryset.filter(unread=True)
    if filters.q:
        queryset = queryset.filter(lead__in=Lead.objects.filter(search_q(filters.q)))
    return queryset


# --- Keyset pages, newest message first ---------------------------------------------------------


def thread_page(
    queryset: QuerySet[Conversation], *, cursor: str = "", size: int = THREAD_PAGE_SIZE
) -> tuple[list[Conversation], str]:
    """One page of threads and the cursor of the next ("" when this is the last)."""
    size = min(max(size, 1), THREAD_PAGE_MAX)
    page = queryset.order_by("-last_message_at", "-id")
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        page = page.filter(last_message_at__lte=moment).filter(Q(last_message_at__lt=moment) | Q(id__lt=pk))
    rows = list(page[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1].last_message_at, rows[-1].pk) if more and rows else ""


def threads_version() -> str:
    """Changes whenever a message arrives or goes out in any of the team's threads (one index lookup)."""
    latest = Conversation.objects.aggregate(latest=Max("last_message_at"))["latest"]
    return latest.strftime("%Y%m%d%H%M%S%f") if latest else "0"


# --- A thread's messages and the pane's poll ---------------------------------------------------


def pane_messages(conversation: Conversation, limit: int = PANE_MESSAGES) -> tuple[list[Message], bool]:
    """The latest ``limit`` messages, oldest first, and whether older ones exist."""
    rows = list(
        conversation.messages.select_related("sent_by")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    older = len(rows) > limit
    rows = rows[:limit][::-1]
    for message in rows:
        message.lead = conversation.lead  # the author line reads it: no query per message
    return rows, older


@dataclass(frozen=True)
class PollState:
    """What the open pane already shows: everything up to ``after`` (a message's time and id), and
    the last known status of the messages whose status can still change."""

    after: datetime | None = None
    after_id: UUID | None = None
    watch: tuple[tuple[UUID, str], ...] = ()

    @classmethod
    def of(cls, messages: list[Message]) -> PollState:
        if not messages:
            return cls()
        last = messages[-1]
        unsettled = [m for m in messages if m.direction == Direction.OUTBOUND and m.status in UNSETTLED]
        return cls(last.created_at, last.pk, tuple((m.pk, m.status) for m in unsettled[-WATCH_MAX:]))

    def merged(self, messages: list[Message]) -> PollState:
        """The state after ``messages`` (new or changed ones) are shown as well."""
        known = dict(self.watch)
        for message in messages:
            known.pop(message.pk, None)
            if message.direction == Direction.OUTBOUND and message.status in UNSETTLED:
                known[message.pk] = message.status
        after, after_id = self.after, self.after_id
        for message in messages:
            if after is None or (message.created_at, str(message.pk)) > (after, str(after_id)):
                after, after_id = message.created_at, message.pk
        return PollState(after, after_id, tuple(list(known.items())[-WATCH_MAX:]))

    def as_query(self) -> dict[str, str]:
        query = {"watch": ",".join(f"{pk}.{status}" for pk, status in self.watch)}
        if self.after is not None:
            query["after"] = self.after.isoformat()
            query["after_id"] = str(self.after_id)
        return {k: v for k, v in query.items() if v}

    @classmethod
    def from_query(cls, query: QueryDict) -> PollState:
        after = after_id = None
        try:
            after = datetime.fromisoformat(query.get("after", ""))
            after_id = UUID(query.get("after_id", ""))
        except ValueError:
            after = after_id = None
        if after is not None and after.tzinfo is None:
            after = after_id = None
        watch = []
        for item in query.get("watch", "").split(",")[:WATCH_MAX]:
            pk, _, status = item.partition(".")
            if parse_uuid(pk) and status in MessageStatus.values:
                watch.append((UUID(pk), status))
        return cls(after, after_id, tuple(watch))

    def changes(self) -> Q:
        """Messages the pane does not show yet, or shows with an outdated status."""
        match = Q()
        if self.after is not None:
            match |= Q(created_at__gt=self.after) | Q(created_at=self.after, id__gt=self.after_id)
        else:
            match |= Q(pk__isnull=False)
        for pk, status in self.watch:
            match |= Q(pk=pk) & ~Q(status=status)
        return match


def poll_conversation(conversation_id: Any, state: PollState) -> bool | None:
    """None when the thread is not the team's, else whether anything changed: one query."""
    changed = Exists(Message.objects.filter(conversation_id=OuterRef("pk")).filter(state.changes()))
    return (
        Conversation.objects.filter(pk=conversation_id)
        .annotate(changed=changed)
        .values_list("changed", flat=True)
        .first()
    )


def changed_messages(conversation: Conversation, state: PollState) -> list[Message]:
    rows = list(
        conversation.messages.filter(state.changes())
        .select_related("sent_by")
        .prefetch_related("attachments")
        .order_by("created_at", "id")[:PANE_MESSAGES]
    )
    for message in rows:
        message.lead = conversation.lead
    return rows


# --- The outbox and consent ----------------------------------------------------------------------


def outbox_messages(*, before: str = "", size: int = OUTBOX_PAGE_SIZE) -> tuple[list[Message], str]:
    """Messages that went to the local outbox (no provider configured), newest first."""
    queryset = (
        Message.objects.filter(transport=Transport.OUTBOX)
        .select_related("lead", "conversation", "sent_by")
        .order_by("-created_at", "-id")
    )
    position = decode_cursor(before) if before else None
    if position is not None:
        moment, pk = position
        queryset = queryset.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(id__lt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cursor = ""
    if more and rows:
        cursor = encode_cursor(rows[-1].created_at, rows[-1].pk)
    return rows, cursor


@dataclass(frozen=True)
class ConsentBanner:
    opted_out: bool
    since: datetime | None
    evidence: str
    source: str
    keyword: bool


def consent_banner(lead: Lead, channel: str) -> ConsentBanner | None:
    """The latest opt-out for this lead and channel when it is the current state, else None."""
    latest = ConsentRecord.objects.filter(lead=lead, channel=channel).order_by("-created_at").first()
    if latest is None or latest.state != ConsentState.OPTED_OUT:
        return None
    return ConsentBanner(
        True, latest.created_at, latest.evidence, latest.get_source_display(), latest.source == ConsentSource.KEYWORD
    )


def lead_conversations(lead: Lead) -> list[Conversation]:
    return list(lead.conversations.select_related("assignee").order_by("-last_message_at"))
