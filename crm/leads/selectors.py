"""Reads about leads: the filters shared by the board, the list API and CSV export, and
keyset pagination for board columns (a column's page costs the same at any depth)."""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from crm.leads.models import Lead, SearchText, Source, Stage
from crm.leads.phones import digits
from loriaa.cursors import decode_cursor, encode_cursor
from loriaa.ids import parse_uuid

COLUMN_PAGE_SIZE = 25


@dataclass(frozen=True)
class LeadFilters:
    """What the board and list can be narrowed by; lives in the query string."""

    q: str = ""
    property: str = ""
    agent: str = ""  # a user id, "me" or "none"
    source: str = ""
    stage: str = ""
    score_min: int | None = None

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, str]) -> LeadFilters:
        def get(name: str) -> str:
            value = query.get(name, "")
            return (value if isinstance(value, str) else "").strip()[:100]

        score = get("score_min")
        return cls(
            q=get("q"),
            property=get("property"),
            agent=get("agent") or get("assigned_to"),
            source=get("source") if get("source") in Source.values else "",
            stage=get("stage") if get("stage") in Stage.values else "",
            score_min=int(score) if score.isdigit() else None,
        )

    def as_query(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "property": self.property,
            "agent": self.agent,
            "source": self.source,
            "stage": self.stage,
            "score_min": "" if self.score_min is None else str(self.score_min),
        }
        return {k: v for k, v in values.items() if v}

    # ``property`` is a field of this class, so the decorator is spelt out in full.
    @builtins.property
    def active(self) -> bool:
        return bool(self.as_query())


def filter_leads(queryset: QuerySet[Lead], filters: LeadFilters, *, user_id: Any = None) -> QuerySet[Lead]:
    if filters.property:
        property_id = parse_uuid(filters.property)
        queryset = queryset.filter(property_id=property_id) if property_id else queryset.none()
    if filters.agent == "me":
        queryset = queryset.filter(assigned_to_id=user_id)
    elif filters.agent == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.agent:
        agent_id = parse_uuid(filters.agent)
        queryset = queryset.filter(assigned_to_id=agent_id) if agent_id else queryset.none()
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    if filters.score_min is not None:
        queryset = queryset.filter(score__gte=filters.score_min)
    if filters.q:
        queryset = queryset.filter(search_q(filters.q))
    return queryset


def search_q(text: str) -> Q:
    """Name or email contains the text (trigram index), or the phone contains its digits."""
    text = text.strip().lower()
    match = Q(
        pk__in=Lead.objects.annotate(search=SearchText("first_name", "last_name", "email"))
        .filter(search__contains=text)
        .values("pk")
    )
    number = digits(text)
    # Only a query that is a phone number (digits and punctuation) searches phones: "unit 1234"
    # must not turn into a phone scan.
    if len(number) >= 4 and not re.search(r"[^\d\s()+.-]", text):
        match |= Q(phone__contains=number)
    return match


def leads_for_team() -> QuerySet[Lead]:
    return Lead.objects.active()


# --- Keyset pagination for board columns ---------------------------------------------------


def column_page(
    queryset: QuerySet[Lead], *, stage: str, cursor: str = "", size: int = COLUMN_PAGE_SIZE
) -> tuple[list[Lead], str]:
    """One page of a board column, newest movement first, and the cursor for the next page."""
    page = queryset.filter(stage=stage).order_by("-stage_changed_at", "-id")
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        page = page.filter(Q(stage_changed_at__lt=moment) | Q(stage_changed_at=moment, id__lt=pk))
    leads = list(page[: size + 1])
    more = len(leads) > size
    leads = leads[:size]
    return leads, encode_cursor(leads[-1].stage_changed_at, leads[-1].pk) if more else ""
