"""Lead scoring: reviewed features, fixed weights, a transparent sum. No database access here.

A score is the sum of eight features' contributions. Each feature is worth at most its weight
(the weights add up to 100) and measures one thing the leasing team can see and act on: how the
prospect engages, how fast the team answered, where the lead came from, how complete the guest
card is, when they want to move, whether an available unit fits their budget, tours, and how
recently the prospect was in touch. Every contribution is stored with the score, so the number
on a card can always be taken apart into its reasons.

What may go in is decided here, in one place. ``LeadSignals`` is everything a feature can see,
and ``SIGNAL_SOURCES`` says which Lead fields (or related rows) each signal is read from;
``signals_from`` is the only code that reads a Lead. Names, notes, pets, the free-text source
detail and anything protected by fair housing law (or standing in for it) are not signals, so no
feature can use them; ``tests/leads/test_scoring.py`` holds this list to that rule.

Bedrooms are read only to find units that match. The count itself earns nothing, and when no unit
of that size is free the budget fit is neutral, not zero: a bedroom count can stand in for family
size (familial status is protected), so a household that needs more rooms is never marked down for
the team's inventory.

A language model may add a sentence to the explanation (``explain(..., llm=...)``). It is given
the factors, never the lead, and it never sets or changes the number.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from crm.leads.models import Source

logger = logging.getLogger(__name__)

# --- What a feature may see ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitOffer:
    """An available (or on-notice) unit a lead could rent: only what fit is judged on."""

    beds: int
    rent: int
    available_on: date | None = None


@dataclass(frozen=True)
class LeadSignals:
    """The complete input of the score. A feature sees a few of these and nothing else."""

    now: datetime
    source: str
    has_email: bool
    has_phone: bool
    has_property: bool
    desired_beds: int | None
    budget_min: int | None
    budget_max: int | None
    move_in_date: date | None
    created_at: datetime
    inbound_touches: int = 0
    first_response_at: datetime | None = None
    last_touch_at: datetime | None = None
    tour_status: str | None = None
    units: tuple[UnitOffer, ...] = ()


# Where each signal comes from: ``lead.<field>`` is a Lead field, anything else a related table.
# "(presence)" means only whether the field is filled is read, never what it says.
SIGNAL_SOURCES: dict[str, tuple[str, ...]] = {
    "now": (),
    "source": ("lead.source",),
    "has_email": ("lead.email (presence)",),
    "has_phone": ("lead.phone (presence)",),
    "has_property": ("lead.property (presence)",),
    "desired_beds": ("lead.desired_beds",),
    "budget_min": ("lead.budget_min",),
    "budget_max": ("lead.budget_max",),
    "move_in_date": ("lead.move_in_date",),
    "created_at": ("lead.created_at",),
    "inbound_touches": ("activities: repeat submissions, inbound messages",),
    "first_response_at": ("activities: stage moves, tours, outbound messages", "tasks: completed"),
    "last_touch_at": ("lead.created_at", "activities: repeat submissions, inbound messages", "tours"),
    "tour_status": ("tours",),
    "units": ("lead.property (presence)", "property units: beds, rent, status, available_on"),
}

# The Lead model fields the scoring reads, and the attribute names ``signals_from`` uses for them.
# Everything else on a lead (first_name, last_name, notes, pets, source_detail, assigned_to,
# lost_reason, stage, ...) is never read.
ALLOWED_LEAD_FIELDS: frozenset[str] = frozenset(
    {"source", "email", "phone", "property", "desired_beds", "budget_min", "budget_max", "move_in_date", "created_at"}
)
ALLOWED_LEAD_ATTRIBUTES: frozenset[str] = (ALLOWED_LEAD_FIELDS - {"property"}) | {"property_id"}
PRESENCE_ONLY_FIELDS: frozenset[str] = frozenset({"email", "phone", "property"})


def signals_from(
    lead: Any,
    *,
    now: datetime,
    inbound_touches: int = 0,
    first_response_at: datetime | None = None,
    last_touch_at: datetime | None = None,
    tour_status: str | None = None,
    units: Iterable[UnitOffer] = (),
) -> LeadSignals:
    """The signals of one lead: the only place a Lead's own fields are read."""
    return LeadSignals(
        now=now,
        source=lead.source,
        has_email=bool(lead.email),
        has_phone=bool(lead.phone),
        has_property=lead.property_id is not None,
        desired_beds=lead.desired_beds,
        budget_min=lead.budget_min,
        budget_max=lead.budget_max,
        move_in_date=lead.move_in_date,
        created_at=lead.created_at,
        inbound_touches=inbound_touches,
        first_response_at=first_response_at,
        last_touch_at=max(filter(None, [lead.created_at, last_touch_at])),
        tour_status=tour_status,
        units=tuple(units),
    )


# --- Features ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a feature found: the share of its weight earned (0..1), the raw value, and in words."""

    share: float
    value: Any
    detail: str


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    weight: int
    reads: tuple[str, ...]
    measure: Callable[..., Measure]

    def __post_init__(self) -> None:
        # The declaration is the function's signature: a feature is handed exactly the signals
        # it declares, so it cannot read anything it does not list.
        params = tuple(inspect.signature(self.measure).parameters)
        if params != self.reads:
            raise ValueError(f"{self.name} declares {self.reads} but its measure takes {params}.")
        unknown = set(self.reads) - set(SIGNAL_SOURCES)
        if unknown:
            raise ValueError(f"{self.name} reads unknown signals {sorted(unknown)}.")

    def apply(self, signals: LeadSignals) -> Measure:
        return self.measure(**{name: getattr(signals, name) for name in self.reads})


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _engagement(inbound_touches: int) -> Measure:
    if inbound_touches <= 0:
        return Measure(0.0, 0, "No contact since the first inquiry")
    share = {1: 0.5, 2: 0.8}.get(inbound_touches, 1.0)
    times = {1: "once", 2: "twice"}.get(inbound_touches, f"{inbound_touches} times")
    return Measure(share, inbound_touches, f"Reached out again {times}")


RESPONSE_STEPS = [(15, 1.0), (60, 0.8), (4 * 60, 0.6), (24 * 60, 0.4), (72 * 60, 0.2)]


def _response_time(created_at: datetime, first_response_at: datetime | None) -> Measure:
    if first_response_at is None:
        return Measure(0.0, None, "No response from the team yet")
    minutes = max(int((first_response_at - created_at).total_seconds() // 60), 0)
    share = next((share for limit, share in RESPONSE_STEPS if minutes <= limit), 0.1)
    if minutes < 60:
        words = f"{_plural(minutes, 'minute')}"
    elif minutes < 48 * 60:
        words = f"{_plural(minutes // 60, 'hour')}"
    else:
        words = f"{_plural(minutes // (24 * 60), 'day')}"
    return Measure(share, minutes, f"First response after {words}")


# How often a channel's leads mean a real, ready prospect: a person who walks in, calls or is
# referred has shown more intent than a click on an ad. Reviewed defaults; a team's own
# lead-to-lease rates by source would replace them (never its prospects' demographics).
SOURCE_QUALITY: dict[str, float] = {
    "referral": 1.0,
    "walk_in": 1.0,
    "phone": 0.8,
    "website": 0.7,
    "apartments_com": 0.6,
    "zillow": 0.6,
    "google_ads": 0.5,
    "facebook": 0.4,
    "instagram": 0.4,
    "other": 0.3,
}
SOURCE_LABELS = dict(Source.choices)


def _source_quality(source: str) -> Measure:
    quality = SOURCE_QUALITY.get(source, SOURCE_QUALITY[Source.OTHER])
    if source not in SOURCE_QUALITY or source == Source.OTHER:
        return Measure(quality, source, "Came in through another source")
    return Measure(quality, source, f"Came in through {SOURCE_LABELS[source]}")


def _completeness(
    has_email: bool,
    has_phone: bool,
    has_property: bool,
    desired_beds: int | None,
    budget_min: int | None,
    budget_max: int | None,
    move_in_date: date | None,
) -> Measure:
    items = {
        "email": has_email,
        "phone": has_phone,
        "property": has_property,
        "bedrooms": desired_beds is not None,
        "budget": budget_min is not None or budget_max is not None,
        "move-in date": move_in_date is not None,
    }
    filled = sum(items.values())
    missing = [name for name, present in items.items() if not present]
    detail = f"{filled} of {len(items)} details given"
    if missing:
        detail += f", {' and '.join(missing) if len(missing) < 3 else ', '.join(missing)} missing"
    return Measure(filled / len(items), filled, detail)


def _move_in_timing(now: datetime, move_in_date: date | None) -> Measure:
    if move_in_date is None:
        return Measure(0.0, None, "No move-in date")
    days = (move_in_date - now.date()).days
    if days < -14:
        return Measure(0.2, days, f"Move-in date passed {_plural(-days, 'day')} ago")
    if days <= 0:
        return Measure(1.0, days, "Wants to move in now")
    share = 1.0 if days <= 45 else 0.8 if days <= 75 else 0.5 if days <= 120 else 0.2
    return Measure(share, days, f"Move-in in {_plural(days, 'day')}")


NEAR_BUDGET = 0.10  # a unit up to 10% over the maximum still counts for half
NEUTRAL = 0.5  # nothing to compare with: neither a fit nor a misfit


def _budget_fit(
    desired_beds: int | None,
    budget_min: int | None,
    budget_max: int | None,
    move_in_date: date | None,
    units: tuple[UnitOffer, ...],
) -> Measure:
    if budget_min is None and budget_max is None:
        return Measure(0.0, None, "No budget given")
    # A unit that frees up well after the wanted move-in date does not fit it.
    latest = move_in_date + timedelta(days=30) if move_in_date else None
    offers = [
        unit.rent
        for unit in units
        if (desired_beds is None or unit.beds == desired_beds)
        and (latest is None or unit.available_on is None or unit.available_on <= latest)
    ]
    if not offers:
        return Measure(NEUTRAL, 0, "No available unit of the wanted size to compare")
    if budget_max is None:
        return Measure(NEUTRAL, len(offers), "Only a minimum budget given")
    fitting = sum(rent <= budget_max for rent in offers)
    if fitting:
        return Measure(1.0, fitting, f"{_plural(fitting, 'available unit')} within budget")
    gap = min(offers) - budget_max
    share = 0.5 if gap <= budget_max * NEAR_BUDGET else 0.0
    return Measure(share, 0, f"Nearest available unit is ${gap:,} over budget")


TOUR_SHARES = {"completed": 1.0, "scheduled": 0.7, "no_show": 0.2, "cancelled": 0.1}
TOUR_WORDS = {
    "completed": "Toured",
    "scheduled": "Tour booked",
    "no_show": "Missed a booked tour",
    "cancelled": "Cancelled a tour",
}


def _tour_activity(tour_status: str | None) -> Measure:
    if tour_status is None:
        return Measure(0.0, None, "No tour yet")
    return Measure(TOUR_SHARES.get(tour_status, 0.0), tour_status, TOUR_WORDS.get(tour_status, tour_status))


RECENCY_STEPS = [(2, 1.0), (7, 0.7), (14, 0.4), (30, 0.2)]


def _recency(now: datetime, last_touch_at: datetime | None) -> Measure:
    if last_touch_at is None:
        return Measure(0.0, None, "Never heard from")
    days = max((now - last_touch_at).days, 0)
    share = next((share for limit, share in RECENCY_STEPS if days <= limit), 0.0)
    when = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    return Measure(share, days, f"Last heard from {when}")


FEATURES: tuple[Feature, ...] = (
    Feature("engagement", "Engagement", 15, ("inbound_touches",), _engagement),
    Feature("response_time", "Response time", 10, ("created_at", "first_response_at"), _response_time),
    Feature("source_quality", "Source", 10, ("source",), _source_quality),
    Feature(
        "completeness",
        "Guest card",
        10,
        ("has_email", "has_phone", "has_property", "desired_beds", "budget_min", "budget_max", "move_in_date"),
        _completeness,
    ),
    Feature("move_in_timing", "Move-in timing", 15, ("now", "move_in_date"), _move_in_timing),
    Feature(
        "budget_fit",
        "Budget fit",
        15,
        ("desired_beds", "budget_min", "budget_max", "move_in_date", "units"),
        _budget_fit,
    ),
    Feature("tour_activity", "Tours", 15, ("tour_status",), _tour_activity),
    Feature("recency", "Recency", 10, ("now", "last_touch_at"), _recency),
)
# The reviewed features. Adding one means adding it here, and the test then checks what it reads.
ALLOWED_FEATURES: tuple[str, ...] = (
    "engagement",
    "response_time",
    "source_quality",
    "completeness",
    "move_in_timing",
    "budget_fit",
    "tour_activity",
    "recency",
)
MAX_SCORE = 100


# --- Scoring and explaining ----------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    name: str
    label: str
    value: Any
    detail: str
    contribution: int
    weight: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "detail": self.detail,
            "contribution": self.contribution,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class ScoreResult:
    score: int
    factors: tuple[Factor, ...] = field(default_factory=tuple)

    def factors_as_dicts(self) -> list[dict[str, Any]]:
        return [factor.as_dict() for factor in self.factors]


def score(signals: LeadSignals) -> ScoreResult:
    """The score of one lead: each feature's points (whole numbers), added up, within 0..100."""
    factors = []
    for feature in FEATURES:
        measured = feature.apply(signals)
        share = min(max(measured.share, 0.0), 1.0)
        factors.append(
            Factor(
                name=feature.name,
                label=feature.label,
                value=measured.value,
                detail=measured.detail,
                contribution=round(feature.weight * share),
                weight=feature.weight,
            )
        )
    total = min(max(sum(factor.contribution for factor in factors), 0), MAX_SCORE)
    return ScoreResult(score=total, factors=tuple(factors))


class ExplanationModel(Protocol):
    """Extension point for the LLM gateway: one short sentence about a score's factors.

    It receives the score and its factors only (no name, contact or notes) and returns plain
    text, which the templates escape like any user text. It cannot change the score.
    """

    def explain_score(self, *, score: int, factors: Sequence[Factor]) -> str: ...


MAX_LLM_SENTENCE = 280


def explain(result: ScoreResult, *, llm: ExplanationModel | None = None) -> str:
    """Why the lead scores what it does, from its strongest and weakest factors.

    The deterministic text is always there; with ``llm`` a model's sentence is added after it.
    """
    helped = sorted((f for f in result.factors if f.contribution > 0), key=lambda f: -f.contribution)[:2]
    missed = sorted(
        (f for f in result.factors if f.weight - f.contribution >= f.weight / 2),
        key=lambda f: -(f.weight - f.contribution),
    )[:2]
    parts = []
    if helped:
        parts.append("Strongest: " + "; ".join(f"{_lower(f.detail)} (+{f.contribution})" for f in helped) + ".")
    if missed:
        parts.append(
            "Weakest: " + "; ".join(f"{_lower(f.detail)} ({f.contribution} of {f.weight})" for f in missed) + "."
        )
    text = " ".join(parts) or "No signals yet."
    if llm is not None:
        try:
            sentence = llm.explain_score(score=result.score, factors=result.factors).strip()
        except Exception:  # the explanation is optional; the score stands without it
            logger.warning("score explanation from the language model failed", exc_info=True)
        else:
            if sentence:
                text += " " + sentence[:MAX_LLM_SENTENCE]
    return text


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
