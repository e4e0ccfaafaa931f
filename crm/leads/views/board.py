"""The Kanban board: a column per stage, filtered from the query string, paged per column.

Every response costs a fixed number of queries whatever the size of the team's pipeline: one
grouped COUNT for the column totals and one keyset page (``column_page``) per column.

A board page holds up to 7 columns of 25 cards and its time goes to the template, not the SQL
(VERIFIED.md), so cards are rendered from a partial in a loop, never an ``{% include %}`` per
card, and what would be worked out per card (links, age, the stage options) is prepared once
per response by ``dress_cards``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from crm.leads.models import Lead, Source, Stage
from crm.leads.permissions import CAN_MANAGE, CAN_WORK
from crm.leads.selectors import LeadFilters, column_page, filter_leads, leads_for_team
from crm.leads.services.leads import lead_move_stage
from crm.leads.views.imports import bulk_bar_context
from crm.leads.views.scoring import score_summary
from crm.properties.models import Property
from crm.teams.access import team_required
from crm.teams.models import Membership
from crm.teams.roles import Role, role_at_least
from crm.teams.types import TeamRequest

TEMPLATE = "leads/board.html"
# What a card shows, and nothing more.
CARD_FIELDS = (
    "team",
    "first_name",
    "last_name",
    "email",
    "phone",
    "source",
    "stage",
    "score",
    "score_factors",
    "created_at",
    "stage_changed_at",
    "next_follow_up_at",
    "assigned_to",
    "assigned_to__name",
    "assigned_to__email",
    "property",
    "property__name",
)
HOT_SCORE = 70
WARM_SCORE = 40
_PLACEHOLDER = UUID(int=0)


@dataclass
class Column:
    stage: Stage
    count: int
    leads: list[Lead]
    cursor: str

    @property
    def label(self) -> str:
        return self.stage.label


# --- Reading the board ------------------------------------------------------------------------


def board_filters(request: TeamRequest) -> LeadFilters:
    """The filters in the query string. Stage is not one of them: the columns are the stages."""
    return replace(LeadFilters.from_query(request.GET), stage="")


def board_leads(request: TeamRequest, filters: LeadFilters) -> QuerySet[Lead]:
    return filter_leads(leads_for_team(), filters, user_id=request.user.pk)


def stage_counts(leads: QuerySet[Lead]) -> dict[str, int]:
    """Leads per stage in one grouped query (the board's column totals)."""
    counts = dict.fromkeys(Stage.values, 0)
    counts.update({row["stage"]: row["n"] for row in leads.order_by().values("stage").annotate(n=Count("id"))})
    return counts


def board_column(leads: QuerySet[Lead], stage: Stage, *, count: int, query: str, cursor: str = "") -> Column:
    cards = leads.select_related("assigned_to", "property").only(*CARD_FIELDS)
    page, next_cursor = column_page(cards, stage=stage, cursor=cursor)
    return Column(stage=stage, count=count, leads=dress_cards(page, query=query), cursor=next_cursor)


# --- Preparing cards ----------------------------------------------------------------------------


def _short_age(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 60 * 24:
        return f"{minutes // 60}h"
    days = minutes // (60 * 24)
    return f"{days}d" if days < 60 else f"{days // 30}mo"


def _score_band(score: int | None) -> str:
    if score is None:
        return "none"
    return "hot" if score >= HOT_SCORE else "warm" if score >= WARM_SCORE else "cold"


def _url_pattern(name: str, suffix: str = "") -> str:
    # reverse() once per response rather than once per card: the id is swapped in afterwards.
    return reverse(name, args=[_PLACEHOLDER]) + suffix


def dress_cards(leads: list[Lead], *, query: str, now: datetime | None = None) -> list[Lead]:
    """Work out once per response what each card's template would otherwise compute itself."""
    now = now or timezone.now()
    detail_url = _url_pattern("leads:detail")
    move_url = _url_pattern("leads:move", f"?{query}" if query else "")
    options = {
        stage: render_to_string(f"{TEMPLATE}#stage-options", {"stages": Stage.choices, "current": stage})
        for stage in {lead.stage for lead in leads}
    }
    for lead in leads:
        card: Any = lead  # the template reads these extra attributes
        card.detail_url = detail_url.replace(str(_PLACEHOLDER), str(lead.pk))
        card.move_url = move_url.replace(str(_PLACEHOLDER), str(lead.pk))
        card.stage_options = options[lead.stage]
        card.age = _short_age(now - lead.created_at)
        card.created_iso = lead.created_at.isoformat()
        card.follow_up_overdue = lead.next_follow_up_at is not None and lead.next_follow_up_at < now
        card.score_band = _score_band(lead.score)
        card.score_title, card.score_reasons = score_summary(lead)
    return leads


# --- Responses ------------------------------------------------------------------------------------


def _agent_choices() -> list[Membership]:
    working_roles = [role for role in Role if role_at_least(role, Role.AGENT)]
    return list(
        Membership.objects.filter(role__in=working_roles, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def _card_context(request: TeamRequest, query: str) -> dict[str, Any]:
    """What the card partial needs besides the lead, wherever it is rendered."""
    return {
        "query": query,
        "can_move": request.membership.has_role(CAN_WORK),
        "can_manage": request.membership.has_role(CAN_MANAGE),  # tick boxes for the bulk bar
    }


def _board_context(
    request: TeamRequest, filters: LeadFilters, counts: dict[str, int], columns: list[Column]
) -> dict[str, Any]:
    total = sum(counts.values())
    return {
        **_card_context(request, urlencode(filters.as_query())),
        **bulk_bar_context(request),
        "filters": filters,
        "columns": columns,
        "total": total,
        "board_empty": total == 0 and not filters.active,
        "sources": Source.choices,
        "properties": Property.objects.order_by("name").only("id", "name"),
        "agents": _agent_choices(),
    }


def _whole_board(request: TeamRequest, filters: LeadFilters) -> dict[str, Any]:
    leads = board_leads(request, filters)
    counts = stage_counts(leads)
    query = urlencode(filters.as_query())
    columns = [board_column(leads, stage, count=counts[stage], query=query) for stage in Stage]
    return _board_context(request, filters, counts, columns)


def _board_url(filters: LeadFilters, anchor: str = "") -> str:
    query = urlencode(filters.as_query())
    return f"{reverse('leads:index')}{'?' + query if query else ''}{anchor}"


def _render(request: TeamRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _wants_fragment(request: TeamRequest) -> bool:
    # A history restore (the back button after a filter change) needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- Views ----------------------------------------------------------------------------------------


@require_GET
@team_required
def index(request: TeamRequest) -> HttpResponse:
    filters = board_filters(request)
    context = _whole_board(request, filters)
    if not _wants_fragment(request):
        return _render(request, TEMPLATE, context)
    response = _render(request, f"{TEMPLATE}#board", context)
    # New filters from the form: the address bar gets them (without the empty ones), so a reload
    # or a shared link shows the same board. A redraw with the same filters adds no history entry.
    url = _board_url(filters)
    return push_url(response, url) if request.htmx.current_url_abs_path != url else response


@require_GET
@team_required
def column(request: TeamRequest) -> HttpResponse:
    """The next page of one column: its cards and a new "load more" sentinel (htmx), or without
    JavaScript, a page with just that column's next cards."""
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        return HttpResponseBadRequest("Choose one of the board's stages.")
    filters = board_filters(request)
    leads = board_leads(request, filters)
    query = urlencode(filters.as_query())
    cursor = request.GET.get("cursor", "")[:200]
    if _wants_fragment(request):
        page = board_column(leads, Stage(stage), count=0, query=query, cursor=cursor)
        context = {**_card_context(request, query), "column": page}
        response = _render(request, f"{TEMPLATE}#column-cards", context)
    else:
        counts = stage_counts(leads)
        page = board_column(leads, Stage(stage), count=counts[stage], query=query, cursor=cursor)
        context = {**_board_context(request, filters, counts, [page]), "single_column": page}
        response = _render(request, TEMPLATE, context)
    response["X-Next-Cursor"] = page.cursor
    return response


@require_POST
@team_required(role=CAN_WORK)
def move(request: TeamRequest, lead_id: UUID) -> HttpResponse:
    """Move a card to another stage: the drop of a drag, or the card's stage select."""
    # The scoped manager limits this to the current team (another team's lead is a 404), and
    # merged leads are not on the board.
    lead = get_object_or_404(leads_for_team().select_related("assigned_to", "property"), pk=lead_id)
    filters = board_filters(request)
    query = urlencode(filters.as_query())
    try:
        lead_move_stage(
            lead=lead,
            stage=request.POST.get("stage", ""),
            lost_reason=request.POST.get("lost_reason", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if not request.htmx:
            return _render(request, TEMPLATE, _whole_board(request, filters), status=422)
        # The card as it was: board.js puts it back in the column of its (unchanged) stage.
        context = {**_card_context(request, query), "lead": dress_cards([lead], query=query)[0]}
        return _render(request, f"{TEMPLATE}#card", context, status=422)
    messages.success(request, f"{lead.full_name} moved to {lead.get_stage_display()}.")
    if not request.htmx:
        return redirect(_board_url(filters, anchor=f"#card-{lead.pk}"))
    context = {
        **_card_context(request, query),
        "lead": dress_cards([lead], query=query)[0],
        "counts": stage_counts(board_leads(request, filters)).items(),
    }
    return _render(request, f"{TEMPLATE}#moved", context)


urlpatterns = [
    path("", index, name="index"),
    path("column/", column, name="column"),
    path("move/<uuid:lead_id>/", move, name="move"),
]
