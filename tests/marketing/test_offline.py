"""The offline engine, through the generation service: copy within every platform limit that
passes the checker, built from the property's facts only, deterministic and varied."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from crm.marketing.facts import property_facts
from crm.marketing.platforms import (
    GOOGLE_DESCRIPTION_MAX,
    GOOGLE_HEADLINE_MAX,
    META_DESCRIPTION_MAX,
    META_HEADLINE_MAX,
    META_PRIMARY_TEXT_MAX,
    CallToAction,
    Objective,
    Platform,
    Tone,
)
from crm.marketing.services import AdCopyResult, ad_copy_generate, checker_findings
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory, UnitFactory
from tests.marketing.conftest import PATTERN, add_units

COMBINATIONS = list(itertools.product(Platform.values, Objective.values, Tone.values))


def generate(prop: Property, platform: str = "facebook", **options: Any) -> AdCopyResult:
    options = {"objective": "leads", "tone": "friendly", "count": 3, **options}
    with team_scope(prop.team):
        return ad_copy_generate(team=prop.team, property=prop, platform=platform, **options)


def assert_within_limits(platform: str, variation: dict[str, Any]) -> None:
    if Platform(platform).is_meta:
        assert set(variation) == {"primary_text", "headline", "description", "call_to_action"}
        assert 0 < len(variation["primary_text"]) <= META_PRIMARY_TEXT_MAX
        assert 0 < len(variation["headline"]) <= META_HEADLINE_MAX
        assert 0 < len(variation["description"]) <= META_DESCRIPTION_MAX
        assert variation["call_to_action"] in CallToAction.values
    else:
        assert set(variation) == {"headlines", "descriptions"}
        assert 3 <= len(variation["headlines"]) <= 15
        assert 2 <= len(variation["descriptions"]) <= 4
        assert all(0 < len(h) <= GOOGLE_HEADLINE_MAX and "!" not in h for h in variation["headlines"])
        assert all(0 < len(d) <= GOOGLE_DESCRIPTION_MAX for d in variation["descriptions"])
        assert len({h.casefold() for h in variation["headlines"]}) == len(variation["headlines"])


@pytest.fixture
def bare(team_a: TeamWorld) -> Property:
    """The hard case: a long name, no city, no available units."""
    with team_scope(team_a.team):
        prop = PropertyFactory(team=team_a.team, name="The Residences at Grand Riverside Commons", city="", state="")
        UnitFactory(property=prop, status="occupied")
    return prop


@pytest.mark.parametrize(("platform", "objective", "tone"), COMBINATIONS)
def test_generated_copy_is_within_every_platform_limit_and_passes_the_checker(
    place: Property, bare: Property, platform: str, objective: str, tone: str
) -> None:
    for prop in (place, bare):
        result = generate(prop, platform, objective=objective, tone=tone, count=5)

        assert result.engine == "offline"
        assert result.blocked == []
        assert len(result.variations) == 5
        for variation in result.variations:
            assert_within_limits(platform, variation)
            with team_scope(prop.team):
                assert checker_findings(platform=platform, variation=variation, property=prop) == []


@pytest.mark.parametrize(("platform", "objective", "tone"), COMBINATIONS)
def test_the_templates_use_no_word_a_fair_housing_checker_flags(
    place: Property, platform: str, objective: str, tone: str
) -> None:
    # Holds whatever the real checker's list becomes: the templates never say these.
    result = generate(place, platform, objective=objective, tone=tone, count=5, highlights="rooftop pool, gym")
    text = json.dumps(result.variations)
    assert PATTERN.search(text) is None, PATTERN.search(text)


def test_the_copy_states_the_available_units_facts_and_nothing_else(place: Property) -> None:
    result = generate(place, "google", objective="traffic", count=5)
    text = json.dumps(result.variations)
    assert "$1,525" in text, "the lowest rent among available units"
    assert "1- to 3-bedroom" in text or "1-3 Bed" in text, "the bedrooms of available and on-notice units"
    assert "Riverside Commons" in text
    assert "Austin" in text
    for unlisted in ("$995", "$3,995", "Studio", "4-bedroom", "4 Bed"):
        assert unlisted not in text, f"{unlisted} belongs to a unit that is not for rent"


def test_without_available_units_the_copy_mentions_no_price_or_date(bare: Property) -> None:
    result = generate(bare, "facebook", count=5)
    text = json.dumps(result.variations)
    assert "$" not in text
    assert "vailable" not in text
    assert any("No units are marked available" in note for note in result.notes)


def test_highlights_typed_by_the_user_appear_in_the_copy(place: Property) -> None:
    result = generate(place, "google", count=3, highlights="rooftop pool, , Rooftop Pool, covered parking")
    text = json.dumps(result.variations)
    assert "Rooftop Pool" in text
    assert "rooftop pool and covered parking" in text


def test_the_same_request_gives_the_same_copy_and_a_new_seed_other_wording(place: Property) -> None:
    first = generate(place, "instagram", count=3)
    again = generate(place, "instagram", count=3)
    other = generate(place, "instagram", count=3, seed=1)
    assert first.variations == again.variations
    assert other.variations != first.variations


@pytest.mark.parametrize("platform", Platform.values)
def test_the_variations_of_one_batch_differ(place: Property, platform: str) -> None:
    result = generate(place, platform, count=5)
    rendered = [json.dumps(v, sort_keys=True) for v in result.variations]
    assert len(set(rendered)) == 5
    first_lines = [v.get("primary_text") or v["headlines"][0] for v in result.variations]
    assert len(set(first_lines)) >= 3


def test_a_call_now_button_needs_the_propertys_phone_number(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        prop = PropertyFactory(team=team_a.team, name="No Phone Flats", sms_number=None)
        add_units(prop)
    result = generate(prop, "facebook", objective="tours", count=5)
    assert {v["call_to_action"] for v in result.variations} <= {"CONTACT_US", "MESSAGE_PAGE"}


def test_facts_count_available_and_dated_notice_units(place: Property) -> None:
    with team_scope(place.team):
        facts = property_facts(property=place)
    assert facts.available_units == 3
    assert facts.beds == (1, 2, 3)
    assert facts.rent() == "$1,525"
    assert facts.available_now is True
    assert facts.beds_long() == "1- to 3-bedroom apartments"
    assert facts.beds_short() == "1-3 Bed Apartments"


# --- The checker loop, offline ----------------------------------------------------------------


def test_copy_that_fails_the_checker_is_reworded_with_its_suggestions(
    team_a: TeamWorld, strict_checker: Callable[..., Any]
) -> None:
    with team_scope(team_a.team):
        prop = PropertyFactory(team=team_a.team, name="Maple Family Apartments", city="Denver", state="CO")
        add_units(prop)

    result = generate(prop, "facebook", count=3)

    assert result.blocked == []
    assert len(result.variations) == 3
    text = json.dumps(result.variations)
    assert "Family" not in text
    assert "Maple Apartments" in text
    assert any("reworded to pass the Fair Housing check" in note and "Family" in note for note in result.notes)
    for variation in result.variations:
        assert_within_limits("facebook", variation)
        assert strict_checker(" ".join(variation[k] for k in ("primary_text", "headline", "description"))).ok


def test_highlights_that_fail_the_checker_are_reworded_or_left_out_of_google_ads(
    place: Property, strict_checker: Callable[..., Any]
) -> None:
    result = generate(place, "google", count=3, highlights="family-friendly courtyard, christian chapel")
    assert len(result.variations) == 3
    for variation in result.variations:
        assert_within_limits("google", variation)
        assert PATTERN.search(json.dumps(variation)) is None


def test_copy_that_cannot_be_made_compliant_is_blocked_with_the_reason(
    place: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.compliance import fair_housing
    from crm.compliance.fair_housing import FairHousingResult, Finding

    def unfixable(text: str, *, team: Any = None, property: Any = None) -> FairHousingResult:
        # Flags the first word of every text, suggesting the same word: rewriting cannot help.
        match = re.match(r"\S+", text)
        if not match:
            return FairHousingResult(text=text)
        finding = Finding(match.group(0), 0, match.end(), "test", "Flagged for the test.", match.group(0))
        return FairHousingResult(text=text, findings=[finding])

    monkeypatch.setattr(fair_housing, "check_text", unfixable)
    result = generate(place, "facebook", count=2)

    assert result.variations == []
    assert len(result.blocked) == 2
    assert result.blocked[0].reason.startswith("Failed the Fair Housing check: “")
    assert "(test)" in result.blocked[0].reason
    assert len(result.blocked[0].findings) == 3, "one per field: primary text, headline, description"
    assert set(result.blocked[0].findings[0]) == {"phrase", "start", "end", "category", "reason", "suggestion"}
