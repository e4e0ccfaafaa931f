"""The agents' audit log: a filterable list with keyset pages, its CSV export, and the overview.

Pages are keyset-paginated on (created_at, id), newest first, so page 100 costs what page 1
costs; the cursor is opaque in the URL.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agents.forms import ActivityFilters
from agents.models import ActivityKind, ActivityStatus, AgentActivity
from agents.services.activity import activity_for
from agents.services.approvals import CAN_DECIDE, pending_actions
from agents.views.present import CARDS, engine_info
from crm.leads.models import Lead
from crm.leads.permissions import CAN_MANAGE
from crm.leads.services.imports import csv_safe
from crm.teams.access import get_team_object, team_required
from crm.teams.scoping import team_scope
from crm.teams.types import TeamRequest
from loriaa.cursors import decode_cursor, encode_cursor

PAGE_SIZE = 50
OVERVIEW_ACTIONS = 25
OVERVIEW_ACTIVITY = 10
LEAD_ACTIVITY = 8


# --- Keyset cursor -----------------------------------------------------------------------------


def activity_page(rows: QuerySet[AgentActivity], cursor: str = "") -> tuple[list[AgentActivity], str]:
    """One page, newest first, and the cursor of the next (empty on the last page)."""
    rows = rows.order_by("-created_at", "-id")
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    page = list(rows[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return page, encode_cursor(page[-1].created_at, page[-1].pk) if more else ""


# --- Views --------------------------------------------------------------------------------------------


@require_GET
@team_required
def index(request: TeamRequest) -> HttpResponse:
    context = {
        "cards": CARDS.values(),
        "engine": engine_info(),
        "actions": list(pending_actions()[:OVERVIEW_ACTIONS]),
        "recent": list(activity_for()[:OVERVIEW_ACTIVITY]),
        "can_decide": request.membership.has_role(CAN_DECIDE),
        "next_url": request.path,
    }
    return render(request, "agents/index.html", context)


@require_GET
@team_required
def activity_list(request: TeamRequest) -> HttpResponse:
    filters = ActivityFilters.from_query(request.GET)
    rows, next_cursor = activity_page(filters.apply(activity_for()), request.GET.get("cursor", "")[:200])
    lead = Lead.objects.filter(pk=filters.lead).first() if filters.lead else None
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "filters": filters,
        "query_string": urlencode(filters.as_query()),
        "more_url": f"{request.path}?{urlencode({**filters.as_query(), 'cursor': next_cursor})}" if next_cursor else "",
        "filter_lead": lead,
        "agents": [(card.name, card.title) for card in CARDS.values()],
        "statuses": ActivityStatus.choices,
        "kinds": ActivityKind.choices,
        "can_export": request.membership.has_role(CAN_MANAGE),
        "paged": bool(request.GET.get("cursor")),
    }
    template = "agents/activity.html#rows" if request.htmx and request.GET.get("cursor") else "agents/activity.html"
    return render(request, template, context)


class _Echo:
    """A file-like object whose ``write`` hands the line back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "time",
    "agent",
    "kind",
    "tool",
    "status",
    "engine",
    "lead_id",
    "lead",
    "user",
    "error",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
    "turn_id",
    "arguments",
    "result",
]


def export_rows(rows: QuerySet[AgentActivity]) -> Iterator[list[Any]]:
    yield CSV_HEADER
    for row in rows.order_by("-created_at", "-id").iterator(chunk_size=500):
        yield [
            csv_safe(value)
            for value in (
                row.created_at.isoformat(),
                row.agent,
                row.kind,
                row.tool,
                row.status,
                row.engine,
                str(row.lead_id or ""),
                row.lead.full_name if row.lead else "",
                row.user.email if row.user else "",
                row.error,
                row.latency_ms,
                row.prompt_tokens,
                row.completion_tokens,
                str(row.turn_id),
                json.dumps(row.arguments, ensure_ascii=False, default=str),
                json.dumps(row.result, ensure_ascii=False, default=str),
            )
        ]


@require_GET
@team_required(role=CAN_MANAGE)
def activity_export(request: TeamRequest) -> StreamingHttpResponse:
    team = request.team
    filters = ActivityFilters.from_query(request.GET)

    def lines() -> Iterator[str]:
        # The body is written after the middleware has left the team's scope: enter it again.
        with team_scope(team):
            writer = csv.writer(_Echo())
            yield "\ufeff"  # a BOM, so Excel reads the file as UTF-8
            for line in export_rows(filters.apply(activity_for())):
                yield writer.writerow(line)

    filename = f"agent-activity-{team.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_GET
@team_required
def lead_activity(request: TeamRequest, lead_id: UUID) -> HttpResponse:
    """The lead page's recent AI activity (it refreshes itself after a turn or a decision)."""
    lead = get_team_object(Lead, pk=lead_id)
    context = {"lead": lead, "recent": list(activity_for(lead=lead)[:LEAD_ACTIVITY])}
    return render(request, "agents/_lead_ai_activity.html#recent", context)
