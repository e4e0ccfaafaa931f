"""Lead scoring: the features and their bounds, what may never be an input, and when leads are rescored."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from crm.leads import tasks
from crm.leads.models import ActivityKind, Lead, LeadActivity, Source, Stage, TourStatus
from crm.leads.scoring import (
    ALLOWED_FEATURES,
    ALLOWED_LEAD_ATTRIBUTES,
    ALLOWED_LEAD_FIELDS,
    FEATURES,
    PRESENCE_ONLY_FIELDS,
    SIGNAL_SOURCES,
    SOURCE_QUALITY,
    Factor,
    Feature,
    LeadSignals,
    Measure,
    ScoreResult,
    UnitOffer,
    explain,
    score,
    signals_from,
)
from crm.leads.services import scoring as service
from crm.leads.services.followups import task_complete, task_create
from crm.leads.services.leads import lead_add_note, lead_create, lead_move_stage, lead_update
from crm.leads.services.merges import lead_merge
from crm.leads.services.scoring import lead_rescore, leads_rescore, pending_key
from crm.leads.services.tours import tour_schedule, tour_set_status
from crm.properties.models import Property, UnitStatus
from crm.teams.models import Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from loriaa.celery import app
from tests.conftest import TeamWorld
from tests.factories import LeadFactory, PropertyFactory, UnitFactory
from tests.leads.lead_pages import open_day

NOW = datetime(2031, 3, 3, 15, 0, tzinfo=UTC)


def signals(**overrides: Any) -> LeadSignals:
    """A lead that has told us nothing, created just now."""
    base: dict[str, Any] = {
        "now": NOW,
        "source": Source.OTHER,
        "has_email": False,
        "has_phone": False,
        "has_property": False,
        "desired_beds": None,
        "budget_min": None,
        "budget_max": None,
        "move_in_date": None,
        "created_at": NOW,
        "last_touch_at": NOW,
    }
    return LeadSignals(**{**base, **overrides})


def ideal(**overrides: Any) -> LeadSignals:
    """Everything a leasing team hopes for."""
    return signals(
        **{
            "source": Source.REFERRAL,
            "has_email": True,
            "has_phone": True,
            "has_property": True,
            "desired_beds": 2,
            "budget_min": 1400,
            "budget_max": 1800,
            "move_in_date": NOW.date() + timedelta(days=20),
            "inbound_touches": 3,
            "first_response_at": NOW + timedelta(minutes=5),
            "tour_status": TourStatus.COMPLETED,
            "units": (UnitOffer(beds=2, rent=1650),),
            **overrides,
        }
    )


def new_lead(**fields: Any) -> Lead:
    return cast(Lead, LeadFactory(**fields))


def new_property(**fields: Any) -> Property:
    return cast(Property, PropertyFactory(**fields))


def a_tour_time(place: Property) -> datetime:
    return datetime.combine(open_day(place), time(10), place.tz)


def factor(result: Any, name: str) -> Factor:
    return next(f for f in result.factors if f.name == name)


# --- Features, weights and bounds -----------------------------------------------------------------


def test_the_weights_add_up_to_100_and_the_registry_is_the_allowed_list() -> None:
    assert sum(feature.weight for feature in FEATURES) == 100
    assert tuple(feature.name for feature in FEATURES) == ALLOWED_FEATURES
    assert len(set(ALLOWED_FEATURES)) == len(ALLOWED_FEATURES)


def test_a_lead_with_every_signal_scores_100_and_the_contributions_add_up_to_it() -> None:
    result = score(ideal())
    assert result.score == 100
    assert sum(f.contribution for f in result.factors) == 100
    assert [f.name for f in result.factors] == list(ALLOWED_FEATURES)


def test_a_lead_that_told_us_nothing_scores_low_but_not_below_zero() -> None:
    result = score(signals(last_touch_at=NOW - timedelta(days=90)))
    assert result.score == 3  # only the source's baseline (3 of 10 for "other")
    assert all(f.contribution == 0 for f in result.factors if f.name != "source_quality")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"inbound_touches": 99, "tour_status": "completed"},
        {"move_in_date": date(1990, 1, 1), "first_response_at": NOW - timedelta(days=400)},
        {"budget_max": 0, "units": (UnitOffer(beds=1, rent=10_000_000),)},
        {"tour_status": "something new", "source": "carrier pigeon"},
        {"last_touch_at": NOW + timedelta(days=3)},
    ],
)
def test_every_contribution_stays_within_its_weight_and_the_score_within_0_and_100(overrides: dict) -> None:
    for base in (signals, ideal):
        result = score(base(**overrides))
        assert 0 <= result.score <= 100
        for item in result.factors:
            assert 0 <= item.contribution <= item.weight
        assert result.score == sum(f.contribution for f in result.factors)


def test_every_source_has_a_reviewed_quality() -> None:
    assert set(SOURCE_QUALITY) == set(Source.values)
    assert all(0 <= quality <= 1 for quality in SOURCE_QUALITY.values())


@pytest.mark.parametrize(
    ("days", "points"), [(None, 0), (-30, 3), (-3, 15), (0, 15), (30, 15), (60, 12), (100, 8), (365, 3)]
)
def test_move_in_timing_is_worth_most_within_six_weeks(days: int | None, points: int) -> None:
    move_in = None if days is None else NOW.date() + timedelta(days=days)
    assert factor(score(signals(move_in_date=move_in)), "move_in_timing").contribution == points


@pytest.mark.parametrize(
    ("minutes", "points"), [(None, 0), (5, 10), (45, 8), (180, 6), (600, 4), (2000, 2), (10_000, 1)]
)
def test_a_faster_first_response_is_worth_more(minutes: int | None, points: int) -> None:
    first = None if minutes is None else NOW + timedelta(minutes=minutes)
    result = score(signals(first_response_at=first))
    assert factor(result, "response_time").contribution == points
    assert factor(result, "response_time").value == minutes


@pytest.mark.parametrize(("touches", "points"), [(0, 0), (1, 8), (2, 12), (5, 15)])
def test_engagement_grows_with_each_time_the_prospect_reaches_out(touches: int, points: int) -> None:
    assert factor(score(signals(inbound_touches=touches)), "engagement").contribution == points


@pytest.mark.parametrize(
    ("status", "points"), [(None, 0), ("cancelled", 2), ("no_show", 3), ("scheduled", 10), ("completed", 15)]
)
def test_a_completed_tour_counts_more_than_a_booked_one_and_a_missed_one_little(
    status: str | None, points: int
) -> None:
    assert factor(score(signals(tour_status=status)), "tour_activity").contribution == points


@pytest.mark.parametrize(("days", "points"), [(0, 10), (5, 7), (10, 4), (20, 2), (45, 0)])
def test_recency_fades_with_the_days_since_the_prospect_was_last_in_touch(days: int, points: int) -> None:
    result = score(signals(created_at=NOW - timedelta(days=60), last_touch_at=NOW - timedelta(days=days)))
    assert factor(result, "recency").contribution == points


def test_completeness_counts_the_qualifying_details_and_names_the_missing_ones() -> None:
    measured = factor(score(signals(has_email=True, has_phone=True, budget_max=1500)), "completeness")
    assert (measured.value, measured.contribution) == (3, 5)
    assert measured.detail == "3 of 6 details given, property, bedrooms, move-in date missing"


UNITS = (
    UnitOffer(beds=1, rent=1200),
    UnitOffer(beds=2, rent=1650),
    UnitOffer(beds=2, rent=1900, available_on=NOW.date() + timedelta(days=200)),
)


@pytest.mark.parametrize(
    ("beds", "budget", "points", "detail"),
    [
        (2, (None, None), 0, "No budget given"),
        (2, (1400, 1700), 15, "1 available unit within budget"),
        (None, (None, 1700), 15, "2 available units within budget"),
        (2, (None, 1550), 8, "Nearest available unit is $100 over budget"),
        (2, (None, 1200), 0, "Nearest available unit is $450 over budget"),
        (3, (None, 5000), 8, "No available unit of the wanted size to compare"),
        (2, (1500, None), 8, "Only a minimum budget given"),
    ],
)
def test_budget_fit_compares_the_budget_with_available_units_of_the_wanted_size(
    beds: int | None, budget: tuple[int | None, int | None], points: int, detail: str
) -> None:
    move_in = NOW.date() + timedelta(days=20)  # the unit freeing up in 200 days is too late
    result = score(
        signals(desired_beds=beds, budget_min=budget[0], budget_max=budget[1], move_in_date=move_in, units=UNITS)
    )
    assert (factor(result, "budget_fit").contribution, factor(result, "budget_fit").detail) == (points, detail)


def test_the_explanation_names_the_strongest_and_weakest_factors() -> None:
    result = score(ideal(budget_min=None, budget_max=None, tour_status=None))
    assert explain(result) == (
        "Strongest: reached out again 3 times (+15); move-in in 20 days (+15). "
        "Weakest: no budget given (0 of 15); no tour yet (0 of 15)."
    )


def test_a_lead_with_no_points_at_all_is_explained_too() -> None:
    assert explain(ScoreResult(score=0)) == "No signals yet."


class FakeModel:
    def __init__(self, answer: str = "", fail: bool = False) -> None:
        self.answer, self.fail = answer, fail
        self.seen: tuple[Any, ...] = ()

    def explain_score(self, *, score: int, factors: Sequence[Factor]) -> str:
        self.seen = (score, factors)
        if self.fail:
            raise TimeoutError("model down")
        return self.answer


def test_a_language_model_can_add_a_sentence_but_never_changes_the_score() -> None:
    result = score(ideal())
    model = FakeModel("A strong, ready prospect.")
    text = explain(result, llm=model)
    assert text == explain(result) + " A strong, ready prospect."
    assert model.seen == (100, result.factors)  # the factors only: no name, contact or notes
    assert result.score == 100


def test_a_failing_language_model_leaves_the_plain_explanation(caplog: pytest.LogCaptureFixture) -> None:
    result = score(ideal())
    assert explain(result, llm=FakeModel(fail=True)) == explain(result)
    assert "score explanation from the language model failed" in caplog.text


# --- Never an input: names, notes, protected characteristics and their proxies ----------------------

# Fair housing protects race, colour, religion, sex (incl. orientation and gender identity),
# national origin, familial status and disability, and many states add age, marital status,
# source of income and more. These words, in a field name, mark a field that must never be read.
PROTECTED_TERMS = (
    "name",
    "language",
    "age",
    "birth",
    "gender",
    "sex",
    "race",
    "ethnic",
    "color",
    "colour",
    "religion",
    "national",
    "origin",
    "citizen",
    "family",
    "familial",
    "children",
    "kids",
    "pregnan",
    "marital",
    "disab",
    "handicap",
    "income_source",
    "voucher",
)
# Lead fields that are free text or otherwise stand in for a person rather than their search.
NEVER_INPUTS = {
    "first_name",
    "last_name",
    "notes",
    "pets",  # assistance animals are a disability accommodation
    "source_detail",  # free text: a campaign named for a language or a neighbourhood
    "assigned_to",
    "lost_reason",
}


def test_only_allow_listed_lead_fields_feed_the_score() -> None:
    assert {f.name for f in Lead._meta.get_fields()} >= ALLOWED_LEAD_FIELDS
    assert not ALLOWED_LEAD_FIELDS & NEVER_INPUTS
    for name in ALLOWED_LEAD_FIELDS:
        assert not any(term in name for term in PROTECTED_TERMS), name


def test_no_lead_field_named_for_a_protected_characteristic_is_allowed() -> None:
    protected = {f.name for f in Lead._meta.get_fields() if any(term in f.name for term in PROTECTED_TERMS)}
    assert {"first_name", "last_name"} <= protected
    assert not protected & ALLOWED_LEAD_FIELDS


def test_each_feature_reads_only_the_signals_it_declares_and_they_come_from_allowed_fields() -> None:
    signal_names = {f.name for f in dataclasses.fields(LeadSignals)}
    assert set(SIGNAL_SOURCES) == signal_names
    for feature in FEATURES:
        assert set(feature.reads) <= signal_names
        sources = {source for read in feature.reads for source in SIGNAL_SOURCES[read]}
        lead_fields = {source.removeprefix("lead.").split(" ")[0] for source in sources if source.startswith("lead.")}
        assert lead_fields <= ALLOWED_LEAD_FIELDS, feature.name
        assert not lead_fields & NEVER_INPUTS, feature.name
        assert not any(term in read for read in feature.reads for term in PROTECTED_TERMS), feature.name


def test_email_phone_and_property_are_read_for_presence_only() -> None:
    sources = {source for sources in SIGNAL_SOURCES.values() for source in sources}
    for name in PRESENCE_ONLY_FIELDS:
        assert f"lead.{name} (presence)" in sources
        assert f"lead.{name}" not in sources
    lead = Lead(email="maria.garcia@example.com", phone="+15125550100", created_at=NOW)
    renamed = Lead(email="x@example.org", phone="+4915112345678", created_at=NOW)
    assert signals_from(lead, now=NOW) == signals_from(renamed, now=NOW)


def test_a_feature_that_reads_more_than_it_declares_is_refused() -> None:
    def peeks(budget_max: int | None, notes: str) -> Measure:
        return Measure(1.0, None, "")

    with pytest.raises(ValueError, match="declares"):
        Feature("peek", "Peek", 5, ("budget_max",), peeks)
    with pytest.raises(ValueError, match="unknown signals"):
        Feature("peek", "Peek", 5, ("budget_max", "notes"), peeks)


class Spy:
    """A lead that records which of its attributes are read."""

    def __init__(self, lead: Lead) -> None:
        self._lead = lead
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.read.add(name)
        return getattr(self._lead, name)


def test_building_the_signals_reads_only_allowed_lead_fields() -> None:
    lead = Lead(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+15125550100",
        notes="Speaks Portuguese, two kids, service dog",
        pets="service dog",
        source_detail="Spanish-language ad",
        desired_beds=2,
        budget_max=1800,
        created_at=NOW,
    )
    spy = Spy(lead)
    signals_from(spy, now=NOW)
    assert spy.read <= ALLOWED_LEAD_ATTRIBUTES
    assert not spy.read & NEVER_INPUTS


@pytest.fixture
def team(team_a: TeamWorld) -> Iterator[Team]:
    with team_scope(team_a.team):
        yield team_a.team


@pytest.fixture
def flats(team: Team) -> Property:
    place = new_property(team=team, name="Alpha Flats")
    UnitFactory(property=place, beds=1, rent=1300)
    UnitFactory(property=place, beds=2, rent=1650)
    UnitFactory(property=place, beds=3, rent=2100)
    UnitFactory(property=place, beds=2, rent=1500, status=UnitStatus.OCCUPIED)
    return place


def a_lead(team: Team, place: Property | None = None, **fields: Any) -> Lead:
    defaults: dict[str, Any] = {
        "source": Source.ZILLOW,
        "property": place,
        "desired_beds": 2,
        "budget_max": 1800,
        "move_in_date": timezone.now().date() + timedelta(days=25),
    }
    return new_lead(team=team, **{**defaults, **fields})


def test_a_leads_name_notes_pets_and_email_address_do_not_change_its_score(team: Team, flats: Property) -> None:
    lead = lead_rescore(lead=a_lead(team, flats, email="maria.garcia@example.com"))
    before = (lead.score, lead.score_factors, lead.score_explanation)
    Lead.objects.filter(pk=lead.pk).update(
        first_name="Nguyen",
        last_name="Oluwaseun",
        email="x.y.z@example.org",
        notes="Grandmother and three children; wheelchair user; prefers Vietnamese",
        pets="emotional support cat",
        source_detail="Chinese-language newspaper",
        assigned_to=None,
    )
    after = lead_rescore(lead=Lead.objects.get(pk=lead.pk))
    assert (after.score, after.score_factors, after.score_explanation) == before


def test_the_number_of_bedrooms_asked_for_does_not_change_the_score(team: Team, flats: Property) -> None:
    one = lead_rescore(lead=a_lead(team, flats, desired_beds=1, budget_max=1400))
    three = lead_rescore(lead=a_lead(team, flats, desired_beds=3, budget_max=2200))
    assert one.score == three.score
    assert [f["contribution"] for f in one.score_factors] == [f["contribution"] for f in three.score_factors]


def test_a_household_needing_a_size_the_property_lacks_is_not_marked_down_for_it(team: Team, flats: Property) -> None:
    four = lead_rescore(lead=a_lead(team, flats, desired_beds=4, budget_max=3000))
    budget = next(f for f in four.score_factors if f["name"] == "budget_fit")
    assert (budget["contribution"], budget["weight"]) == (8, 15)  # neutral: half, like any missing comparison
    unknown_size = lead_rescore(lead=a_lead(team, flats, desired_beds=None, budget_min=1000, budget_max=None))
    assert next(f for f in unknown_size.score_factors if f["name"] == "budget_fit")["contribution"] == 8


# --- The service -----------------------------------------------------------------------------------


def test_rescoring_stores_the_score_its_factors_and_explanation_without_touching_the_timeline(
    team: Team, flats: Property
) -> None:
    lead = a_lead(team, flats, email="ana@example.com", phone="+15125550111")
    updated_at = Lead.objects.get(pk=lead.pk).updated_at
    lead_rescore(lead=lead)
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.score == lead.score == sum(f["contribution"] for f in stored.score_factors)
    assert [f["name"] for f in stored.score_factors] == list(ALLOWED_FEATURES)
    assert {"name", "value", "contribution"} <= set(stored.score_factors[0])
    budget = next(f for f in stored.score_factors if f["name"] == "budget_fit")
    assert (budget["value"], budget["contribution"]) == (1, 15)  # the 2-bed at 1,650 (not the occupied one)
    assert stored.score_explanation.startswith("Strongest: ")
    assert stored.updated_at == updated_at
    assert not LeadActivity.objects.filter(lead=lead, kind=ActivityKind.SCORE).exists()


def test_a_lead_without_a_property_is_matched_against_every_property(team: Team, flats: Property) -> None:
    lead = lead_rescore(lead=a_lead(team, None, desired_beds=3, budget_max=2200))
    budget = next(f for f in lead.score_factors if f["name"] == "budget_fit")
    assert budget["detail"] == "1 available unit within budget"


def test_tours_repeat_submissions_and_the_first_response_feed_the_score(team_a: TeamWorld, team: Team) -> None:
    place = new_property(team=team, name="Tour House")
    lead, _ = lead_create(team=team, data={"email": "tess@example.com", "source": Source.WEBSITE, "property": place})
    agent = team_a.user(Role.AGENT)
    tour = tour_schedule(lead=lead, property=place, agent=agent, starts_at=a_tour_time(place))
    lead_create(team=team, data={"email": "tess@example.com", "source": Source.ZILLOW})
    lead_rescore(lead=lead)
    factors = {f["name"]: f for f in lead.score_factors}
    assert factors["tour_activity"]["value"] == "scheduled"
    assert factors["engagement"]["value"] == 1
    assert factors["response_time"]["contribution"] == 10  # the tour was booked within minutes
    tour_set_status(tour=tour, status=TourStatus.COMPLETED)
    assert {f["name"]: f for f in lead_rescore(lead=lead).score_factors}["tour_activity"]["value"] == "completed"


def test_inbound_messages_count_as_engagement_and_outbound_ones_as_a_response(team: Team) -> None:
    lead = a_lead(team, created_at=timezone.now())
    for direction in ("inbound", "inbound", "outbound"):
        LeadActivity.objects.create(
            team=team, lead=lead, kind=ActivityKind.MESSAGE, summary="text", data={"direction": direction}
        )
    factors = {f["name"]: f for f in lead_rescore(lead=lead).score_factors}
    assert factors["engagement"]["value"] == 2
    assert factors["response_time"]["value"] == 0


def test_a_team_batch_costs_the_same_queries_for_3_leads_as_for_40(team: Team, flats: Property) -> None:
    def queries_for(count: int) -> int:
        Lead.objects.all().delete()
        for _ in range(count):
            a_lead(team, flats)
        with CaptureQueriesContext(connection) as captured:
            progress = leads_rescore(team=team, chunk_size=100)
        assert progress.scored == count
        return len(captured)

    assert queries_for(3) == queries_for(40)


def test_a_team_batch_scores_open_leads_only_and_a_second_run_changes_nothing(
    team: Team, flats: Property, team_b: TeamWorld
) -> None:
    open_lead, lost = a_lead(team, flats), a_lead(team, flats, stage=Stage.LOST)
    merged = a_lead(team, flats, merged_into=open_lead)
    with team_scope(team_b.team):
        other = new_lead(team=team_b.team)
    first = leads_rescore(team=team)
    assert (first.scored, first.changed, first.cursor) == (1, 1, "")
    assert Lead.objects.get(pk=open_lead.pk).score is not None
    assert Lead.objects.get(pk=lost.pk).score is None
    assert Lead.objects.get(pk=merged.pk).score is None
    assert leads_rescore(team=team, now=None).changed == 0
    with team_scope(team_b.team):
        assert Lead.objects.get(pk=other.pk).score is None


def test_a_big_team_is_rescored_in_slices_that_continue_where_the_last_stopped(team: Team, flats: Property) -> None:
    leads = [a_lead(team, flats) for _ in range(7)]
    first = leads_rescore(team=team, chunk_size=3, time_budget=0)
    assert (first.scored, bool(first.cursor)) == (3, True)
    rest = leads_rescore(team=team, chunk_size=3, cursor=first.cursor)
    assert (rest.scored, rest.cursor) == (4, "")
    assert Lead.objects.filter(pk__in=[lead.pk for lead in leads], score__isnull=True).count() == 0


# --- Rescoring triggers ------------------------------------------------------------------------------


class Enqueued:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *, kwargs: dict[str, Any], countdown: int) -> None:
        self.calls.append({**kwargs, "countdown": countdown})


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> Enqueued:
    fake = Enqueued()
    monkeypatch.setattr(tasks.rescore_lead, "apply_async", fake)
    return fake


@pytest.fixture
def ada(team: Team) -> Lead:
    lead, _ = lead_create(team=team, data={"first_name": "Ada", "email": "ada@example.com", "budget_max": 1500})
    cache.delete(pending_key(lead.pk))
    return lead


def test_a_new_lead_is_scored_once_its_transaction_commits(team: Team, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lead, _ = lead_create(team=team, data={"email": "new@example.com", "source": Source.REFERRAL})
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.score is not None
    assert stored.score_factors
    assert cache.get(pending_key(lead.pk)) is None  # the task cleared its mark


def test_events_in_quick_succession_schedule_one_delayed_rescore(
    team: Team, ada: Lead, enqueued: Enqueued, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=ada, data={"budget_max": 1700})
    with django_capture_on_commit_callbacks(execute=True):
        lead_move_stage(lead=ada, stage=Stage.CONTACTED)
    assert enqueued.calls == [
        {"team_id": str(team.id), "lead_id": str(ada.pk), "countdown": service.RESCORE_DELAY},
    ]
    tasks.rescore_lead.run(team=team, lead_id=str(ada.pk))  # the delayed task runs and clears the mark
    with django_capture_on_commit_callbacks(execute=True):
        lead_move_stage(lead=ada, stage=Stage.TOUR_SCHEDULED)
    assert len(enqueued.calls) == 2


def test_nothing_is_scheduled_before_the_transaction_commits(team: Team, enqueued: Enqueued) -> None:
    # The test's own transaction never commits, as a rolled-back request would not.
    lead_create(team=team, data={"email": "rolled@example.com"})
    assert enqueued.calls == []


@pytest.mark.parametrize(
    "event",
    [
        "created",
        "budget changed",
        "stage moved",
        "repeat submission",
        "tour booked",
        "tour completed",
        "task done",
        "merged",
    ],
)
def test_events_that_can_move_the_score_schedule_a_rescore(
    team_a: TeamWorld, team: Team, ada: Lead, enqueued: Enqueued, event: str, django_capture_on_commit_callbacks: Any
) -> None:
    place = new_property(team=team)
    agent = team_a.user(Role.AGENT)
    tour = task = None
    if event == "tour completed":
        tour = tour_schedule(lead=ada, property=place, agent=agent, starts_at=a_tour_time(place))
    if event == "task done":
        task = task_create(lead=ada, title="Call back", due_at=timezone.now())
    cache.delete(pending_key(ada.pk))
    with django_capture_on_commit_callbacks(execute=True):
        if event == "created":
            ada, _ = lead_create(team=team, data={"email": "other@example.com"})
        elif event == "budget changed":
            lead_update(lead=ada, data={"budget_max": 2000})
        elif event == "stage moved":
            lead_move_stage(lead=ada, stage=Stage.CONTACTED)
        elif event == "repeat submission":
            lead_create(team=team, data={"email": "ada@example.com", "move_in_date": date(2031, 5, 1)})
        elif event == "tour booked":
            tour_schedule(lead=ada, property=place, agent=agent, starts_at=a_tour_time(place))
        elif event == "tour completed":
            assert tour is not None
            tour_set_status(tour=tour, status=TourStatus.COMPLETED)
        elif event == "task done":
            assert task is not None
            task_complete(task=task)
        elif event == "merged":
            duplicate = new_lead(team=team, email="ada2@example.com")
            lead_merge(primary=ada, duplicate=duplicate)
    assert [call["lead_id"] for call in enqueued.calls] == [str(ada.pk)]


def test_editing_only_the_name_or_notes_or_adding_a_note_schedules_nothing(
    team: Team, ada: Lead, enqueued: Enqueued, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=ada, data={"first_name": "Augusta", "notes": "Prefers evenings", "pets": "cat"})
        lead_add_note(lead=ada, text="Called, left a voicemail")
    assert enqueued.calls == []


def test_a_broker_outage_never_fails_the_event_that_asked_for_a_rescore(
    team: Team,
    ada: Lead,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broker_down(**_: Any) -> None:
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.rescore_lead, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        lead_move_stage(lead=ada, stage=Stage.CONTACTED)
    assert Lead.objects.get(pk=ada.pk).stage == Stage.CONTACTED
    assert "lead rescore not scheduled" in caplog.text
    assert cache.get(pending_key(ada.pk)) is None  # the next event tries again


def test_the_delayed_task_for_a_lead_deleted_meanwhile_does_nothing(team: Team, ada: Lead) -> None:
    lead_id = str(ada.pk)
    Lead.objects.filter(pk=lead_id).delete()
    assert tasks.rescore_lead.run(team=team, lead_id=lead_id) is None


# --- The nightly run ---------------------------------------------------------------------------------


def test_the_nightly_run_is_scheduled_in_celery_beat_and_its_task_exists(db: None) -> None:
    nightly = PeriodicTask.objects.get(name="Nightly lead rescoring")
    assert nightly.enabled
    assert nightly.task == "crm.leads.tasks.rescore_all_teams" == tasks.rescore_all_teams.name
    assert nightly.task in app.tasks
    assert (nightly.crontab.minute, nightly.crontab.hour, str(nightly.crontab.timezone)) == ("15", "8", "UTC")


def test_the_nightly_run_rescores_every_team_in_its_own_task(team_a: TeamWorld, team_b: TeamWorld) -> None:
    leads = []
    for world in (team_a, team_b):
        with team_scope(world.team):
            leads.append((world.team, new_lead(team=world.team)))
    assert tasks.rescore_all_teams.delay().get() >= 2  # eager: each team's task runs inline
    for team, lead in leads:
        with team_scope(team):
            assert Lead.objects.get(pk=lead.pk).score is not None
