"""Scoring leads: one now (the API, the Rescore button), one soon after an event, or a whole team.

The arithmetic lives in ``crm.leads.scoring``; this module gathers its inputs. Both paths read
them the same way: one query returns a chunk of leads, each with its signals from the timeline,
tours and tasks already worked out by the database (``_with_signals``), and the team's available
units are read once per run. A team costs two queries per thousand leads, never one per lead,
and only the leads whose score, factors or explanation changed are written back, so running it
twice changes nothing the second time.

Scores are written with ``UPDATE`` on the three score fields only: a rescore never overwrites an
edit made meanwhile, does not touch ``updated_at`` and adds nothing to the timeline (a score is
not something that happened to the prospect).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from crm.leads.models import OPEN_STAGES, ActivityKind, Lead, LeadActivity, Task, Tour, TourStatus
from crm.leads.scoring import ExplanationModel, ScoreResult, UnitOffer, explain, score, signals_from
from crm.properties.models import Unit, UnitStatus
from crm.teams.models import Team

logger = logging.getLogger(__name__)

SCORE_FIELDS = ["score", "score_factors", "score_explanation"]
# What a rescore reads of a lead: the scoring inputs (crm.leads.scoring.ALLOWED_LEAD_ATTRIBUTES)
# and the current score, to tell whether anything changed.
ROW_FIELDS = (
    "pk",
    "source",
    "email",
    "phone",
    "property_id",
    "desired_beds",
    "budget_min",
    "budget_max",
    "move_in_date",
    "created_at",
    *SCORE_FIELDS,
)
CHUNK_SIZE = 1000
SLICE_SECONDS = 60.0  # one task's share of a big team; the rest continues in a fresh task

# Debounced rescoring after an event: the first event schedules a rescore RESCORE_DELAY seconds
# later and marks it pending; events until it runs add nothing (the task reads fresh data). The
# task clears the mark before it reads, so an event during or after the run schedules another.
# The mark outlives the delay so a lost task does not block rescoring for long.
RESCORE_DELAY = 30
PENDING_TTL = 2 * RESCORE_DELAY

# A touch from the prospect: a repeat inquiry or an inbound message. A response from the team:
# a stage move, a tour, an outbound message (or a completed task, read from the tasks).
INBOUND = Q(kind=ActivityKind.DUPLICATE_SUBMITTED) | Q(kind=ActivityKind.MESSAGE, data__direction="inbound")
RESPONSE = Q(kind__in=[ActivityKind.STAGE_CHANGED, ActivityKind.TOUR]) | Q(
    kind=ActivityKind.MESSAGE, data__direction="outbound"
)
# The most telling of a lead's tours, first to last.
TOUR_PRECEDENCE = [TourStatus.COMPLETED, TourStatus.SCHEDULED, TourStatus.NO_SHOW, TourStatus.CANCELLED]

# Timeline entries after which a lead's score may have changed. An update counts only when it
# changed a scoring input (editing a name or the notes cannot move the score).
RESCORE_KINDS = {
    ActivityKind.CREATED,
    ActivityKind.DUPLICATE_SUBMITTED,
    ActivityKind.STAGE_CHANGED,
    ActivityKind.MERGED,
    ActivityKind.UNMERGED,
    ActivityKind.TOUR,
    ActivityKind.TASK,
    ActivityKind.IMPORTED,
    ActivityKind.MESSAGE,
}
SCORED_UPDATES = {"source", "email", "phone", "property", "desired_beds", "budget_min", "budget_max", "move_in_date"}


# --- Inputs ----------------------------------------------------------------------------------------


class Inventory:
    """The team's available units by property, read once per run."""

    def __init__(self, rows: Iterable[tuple[UUID, int, Any, Any]]) -> None:
        by_property: dict[UUID, list[UnitOffer]] = defaultdict(list)
        for property_id, beds, rent, available_on in rows:
            by_property[property_id].append(UnitOffer(beds=beds, rent=math.ceil(rent), available_on=available_on))
        self.by_property = {key: tuple(offers) for key, offers in by_property.items()}
        self.everywhere = tuple(offer for offers in self.by_property.values() for offer in offers)

    @classmethod
    def load(cls, *, property_id: UUID | None = None, everywhere: bool = True) -> Inventory:
        units = Unit.objects.filter(
            status__in=[UnitStatus.AVAILABLE, UnitStatus.NOTICE], rent__isnull=False, property__is_active=True
        )
        if not everywhere:
            units = units.filter(property_id=property_id)
        return cls(units.order_by().values_list("property_id", "beds", "rent", "available_on"))

    def for_lead(self, property_id: UUID | None) -> tuple[UnitOffer, ...]:
        """A lead who named a property is matched against it; one who did not, against all."""
        return self.everywhere if property_id is None else self.by_property.get(property_id, ())


def _first(queryset: QuerySet[Any], field: str) -> Subquery:
    return Subquery(queryset.order_by(field).values(field.lstrip("-"))[:1])


def _count(queryset: QuerySet[Any]) -> Subquery:
    # COUNT as a plain function: an aggregate would make Django add a GROUP BY to the subquery.
    return Subquery(queryset.annotate(n=Func(F("id"), function="COUNT")).values("n"), output_field=IntegerField())


def _with_signals(leads: QuerySet[Lead]) -> QuerySet[Any]:
    """The leads as rows of their own scoring inputs plus what their timeline, tours and tasks say.

    Each signal is a correlated subquery on an indexed ``lead_id``: the database answers a chunk
    of a thousand leads in milliseconds, in the same query that reads them.
    """
    activity = LeadActivity.objects.filter(lead=OuterRef("pk")).order_by()
    tours = Tour.objects.filter(lead=OuterRef("pk")).order_by()
    precedence = Case(*(When(status=status, then=Value(rank)) for rank, status in enumerate(TOUR_PRECEDENCE)))
    return leads.annotate(
        inbound_touches=_count(activity.filter(INBOUND)),
        last_inbound_at=_first(activity.filter(INBOUND), "-created_at"),
        first_response_at=_first(activity.filter(RESPONSE), "created_at"),
        first_task_done_at=_first(Task.objects.filter(lead=OuterRef("pk"), completed_at__isnull=False), "completed_at"),
        tour_status=Subquery(tours.annotate(rank=precedence).order_by("rank").values("status")[:1]),
        last_booked_at=_first(tours.exclude(status=TourStatus.CANCELLED), "-created_at"),
        last_toured_at=_first(tours.filter(status=TourStatus.COMPLETED), "-starts_at"),
    ).values_list(
        *ROW_FIELDS,
        "inbound_touches",
        "last_inbound_at",
        "first_response_at",
        "first_task_done_at",
        "tour_status",
        "last_booked_at",
        "last_toured_at",
        named=True,
    )


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


@dataclass(frozen=True)
class Rescored:
    pk: UUID
    score: int
    factors: list[dict[str, Any]]
    explanation: str
    changed: bool


def _rescore(
    rows: Sequence[Any], inventory: Inventory, now: datetime, llm: ExplanationModel | None = None
) -> list[Rescored]:
    results = []
    for row in rows:
        signals = signals_from(
            row,
            now=now,
            inbound_touches=row.inbound_touches or 0,
            first_response_at=_earliest(row.first_response_at, row.first_task_done_at),
            last_touch_at=_latest(row.last_inbound_at, row.last_booked_at, row.last_toured_at),
            tour_status=row.tour_status,
            units=inventory.for_lead(row.property_id),
        )
        result: ScoreResult = score(signals)
        factors, explanation = result.factors_as_dicts(), explain(result, llm=llm)
        changed = (row.score, row.score_factors, row.score_explanation) != (result.score, factors, explanation)
        results.append(Rescored(row.pk, result.score, factors, explanation, changed))
    return results


# --- One lead --------------------------------------------------------------------------------------


def lead_rescore(*, lead: Lead, now: datetime | None = None, llm: ExplanationModel | None = None) -> Lead:
    """Score one lead now and store the score, its factors and its explanation on it."""
    row = _with_signals(Lead.objects.filter(pk=lead.pk)).get()
    inventory = Inventory.load(property_id=row.property_id, everywhere=row.property_id is None)
    new = _rescore([row], inventory, now or timezone.now(), llm=llm)[0]
    lead.score, lead.score_factors, lead.score_explanation = new.score, new.factors, new.explanation
    if new.changed:
        Lead.objects.filter(pk=lead.pk).update(
            score=new.score, score_factors=new.factors, score_explanation=new.explanation
        )
    return lead


def pending_key(lead_id: object) -> str:
    return f"rescore:{lead_id}"


def rescore_wanted(kind: str, data: dict[str, Any] | None) -> bool:
    if kind == ActivityKind.UPDATED:
        return bool(SCORED_UPDATES & set((data or {}).get("changed", {})))
    return kind in RESCORE_KINDS


def lead_rescore_soon(*, lead: Lead) -> None:
    """Rescore the lead shortly after this transaction commits, once per lead however many events.

    Never fails the caller: with the broker or the cache down the score just waits for the next
    event or the nightly run.
    """
    team_id, lead_id = str(lead.team_id), str(lead.pk)
    transaction.on_commit(lambda: _enqueue_rescore(team_id, lead_id))


def _enqueue_rescore(team_id: str, lead_id: str) -> None:
    from crm.leads.tasks import rescore_lead

    key = pending_key(lead_id)
    try:
        if not cache.add(key, 1, timeout=PENDING_TTL):
            return
        rescore_lead.apply_async(kwargs={"team_id": team_id, "lead_id": lead_id}, countdown=RESCORE_DELAY)
    except Exception:  # the event itself succeeded; a missed rescore is caught up at night
        logger.warning("lead rescore not scheduled", exc_info=True, extra={"lead_id": lead_id, "team_id": team_id})
        try:
            cache.delete(key)
        except Exception:  # the cache is down too: the mark expires by itself
            logger.debug("rescore mark not cleared", exc_info=True)


def lead_rescore_pending(*, team: Team, lead_id: str) -> Lead | None:
    """The body of the debounced task: clear the mark first, then score from fresh data."""
    cache.delete(pending_key(lead_id))
    lead = Lead.objects.active().filter(pk=lead_id).first()
    if lead is None:
        return None
    return lead_rescore(lead=lead)


# --- A whole team ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchProgress:
    scored: int
    changed: int
    cursor: str  # where the next slice starts; empty when the team is done


def _after(leads: QuerySet[Lead], cursor: str) -> QuerySet[Lead]:
    if not cursor:
        return leads
    created, _, pk = cursor.partition("|")
    moment = datetime.fromisoformat(created)
    # The leading ``created_at <=`` lets the (team, -created_at, -id) index start at the cursor.
    return leads.filter(Q(created_at__lte=moment), Q(created_at__lt=moment) | Q(pk__lt=pk))


def _store(team: Team, changed: list[Rescored]) -> None:
    """Write a chunk's new scores in one statement.

    ``bulk_update`` builds a CASE per field per row and took most of a run's time; this sends
    arrays instead. Raw SQL sits outside django-scopes, so the team is in the WHERE clause.
    """
    if not changed:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Lead._meta.db_table} AS lead
               SET score = new.score, score_factors = new.factors, score_explanation = new.explanation
              FROM unnest(%s::uuid[], %s::smallint[], %s::jsonb[], %s::text[]) AS new(id, score, factors, explanation)
             WHERE lead.id = new.id AND lead.team_id = %s
            """,  # noqa: S608 - the table name comes from the model, every value is a parameter
            [
                [item.pk for item in changed],
                [item.score for item in changed],
                [json.dumps(item.factors) for item in changed],
                [item.explanation for item in changed],
                team.pk,
            ],
        )


def leads_rescore(
    *,
    team: Team,
    cursor: str = "",
    time_budget: float | None = None,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BatchProgress:
    """Rescore the team's open leads, newest first, until done or ``time_budget`` seconds are spent.

    Leads that are leased or lost keep the score they closed with. Runs inside the team's scope.
    """
    deadline = None if time_budget is None else time.monotonic() + time_budget
    inventory = Inventory.load()
    open_leads = Lead.objects.active().filter(team=team, stage__in=OPEN_STAGES).order_by("-created_at", "-pk")
    scored = changed = 0
    while True:
        rows = list(_with_signals(_after(open_leads, cursor)[:chunk_size]))
        if not rows:
            return BatchProgress(scored, changed, "")
        results = _rescore(rows, inventory, now or timezone.now())
        dirty = [item for item in results if item.changed]
        _store(team, dirty)
        scored, changed = scored + len(rows), changed + len(dirty)
        cursor = f"{rows[-1].created_at.isoformat()}|{rows[-1].pk}"
        if len(rows) < chunk_size:
            return BatchProgress(scored, changed, "")
        if deadline is not None and time.monotonic() >= deadline:
            return BatchProgress(scored, changed, cursor)
