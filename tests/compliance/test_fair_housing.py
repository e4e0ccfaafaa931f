"""check_text: what it flags, where, why, what it suggests, and how operators and teams change it."""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from benchmarks.fair_housing import TYPICAL_MESSAGE
from crm.compliance import rules_cache
from crm.compliance.fair_housing import Finding, check_text
from crm.compliance.models import AcceptedPhrase, Category, FairHousingRule, PatternKind
from crm.compliance.services import compliance_settings_update, older_persons_housing_clear
from crm.compliance.shipped import seed_shipped_rules
from crm.properties.models import Property
from crm.teams.models import Team
from tests.conftest import TeamWorld


def flagged(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(f.phrase, f.category) for f in check_text(text, **kwargs).findings]  # type: ignore[arg-type]


def test_a_finding_names_the_exact_words_their_offsets_the_class_the_reason_and_a_rewrite(db: None) -> None:
    text = "Sunny 2BR near the park. No kids, and we don't take Section 8."
    result = check_text(text)
    assert not result.ok
    kids, income = result.findings
    assert (kids.phrase, kids.start, kids.end) == ("No kids", 25, 32)
    assert text[kids.start : kids.end] == kids.phrase
    assert kids.category == Category.FAMILIAL_STATUS
    assert "familial status" in kids.reason
    assert kids.suggestion == "Everyone is welcome"  # capitalised: it starts a sentence
    assert income.phrase == "we don't take Section 8"
    assert income.category == Category.SOURCE_OF_INCOME
    assert income.suggestion == "all lawful sources of income considered"
    assert (
        result.rewrite() == "Sunny 2BR near the park. Everyone is welcome, and all lawful sources of income considered."
    )


def test_a_finding_is_a_plain_dict_for_json(db: None) -> None:
    finding = check_text("Adults only.").findings[0]
    assert finding.as_dict() == {
        "phrase": "Adults only",
        "start": 0,
        "end": 11,
        "category": "familial_status",
        "reason": finding.reason,
        "suggestion": "Everyone is welcome",
    }


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("NO-KIDS!!", "NO-KIDS"),
        ("no  kid", "no  kid"),
        ("Christians only", "Christians only"),
        ("christian family preferred", "christian family preferred"),
        ("We don\u2019t rent to families with children", "We don\u2019t rent to families with children"),
        ("adults\u2011only pool", "adults\u2011only pool"),
        ("no section-8", "no section-8"),
    ],
)
def test_matching_ignores_case_spacing_plurals_hyphens_and_curly_apostrophes(db: None, text: str, phrase: str) -> None:
    assert [p for p, _ in flagged(text)] == [phrase]


@pytest.mark.parametrize(
    "text",
    [
        "Spacious master bedroom with a walk-in closet.",
        "Cozy family room with a fireplace.",
        "Walking distance to transit and shops.",
        "Wheelchair accessible units; assistance animals welcome.",
        "White cabinets, black appliances and French doors.",
        "A couple of blocks from the Asian market and Methodist Hospital.",
        "Bachelor apartment with a mother-in-law suite.",
        "We do not discriminate on the basis of race, color, religion, sex, handicap, familial status or national "
        "origin.",
    ],
)
def test_accepted_and_neutral_wording_is_not_flagged(db: None, text: str) -> None:
    assert check_text(text).ok, check_text(text).findings


def test_an_accepted_phrase_protects_the_words_inside_it_from_an_operators_rule(db: None) -> None:
    FairHousingRule.objects.create(
        kind=PatternKind.PHRASE, pattern="family", category=Category.FAMILIAL_STATUS, reason="Test rule."
    )
    assert flagged("Big family room.") == []  # "family room" is a shipped accepted phrase
    assert flagged("Big family.") == [("family", "familial_status")]


def test_55_plus_wording_passes_only_in_housing_that_qualifies_for_older_persons(
    db: None, senior_property: Property, family_property: Property
) -> None:
    text = "Welcome to our 55+ community: adults only, no children under 18."
    assert check_text(text, property=senior_property).ok
    elsewhere = check_text(text, property=family_property)
    assert [f.phrase for f in elsewhere.findings] == ["55+ community", "adults only", "no children under 18"]
    assert "housing for older persons" in elsewhere.findings[0].reason
    assert elsewhere.rewrite() == "Welcome to our community: everyone is welcome, everyone is welcome."
    assert not check_text(text, team=senior_property.team).ok  # without the property it cannot know


def test_qualified_housing_for_older_persons_still_may_not_state_other_preferences(
    db: None, senior_property: Property
) -> None:
    assert flagged("55+ community, Christians preferred.", property=senior_property) == [
        ("Christians preferred", "religion")
    ]


def test_a_property_that_loses_its_older_persons_qualification_is_checked_like_any_other(
    db: None, senior_property: Property
) -> None:
    older_persons_housing_clear(property=senior_property)
    assert not check_text("55+ community", property=senior_property).ok


def test_source_of_income_is_checked_by_default_and_a_team_can_turn_it_off(team_a: TeamWorld) -> None:
    assert flagged("No Section 8.", team=team_a.team) == [("No Section 8", "source_of_income")]
    assert flagged("No Section 8.") == [("No Section 8", "source_of_income")]
    compliance_settings_update(team=team_a.team, local_classes=[])
    assert flagged("No Section 8.", team=team_a.team) == []


def test_age_and_other_local_classes_are_checked_only_where_the_team_enables_them(
    team_a: TeamWorld, team_b: TeamWorld
) -> None:
    compliance_settings_update(team=team_a.team, local_classes=[Category.AGE, Category.MILITARY_STATUS])
    text = "No seniors. No military."
    assert flagged(text, team=team_a.team) == [("No seniors", "age"), ("No military", "military_status")]
    assert flagged(text, team=team_b.team) == []


def test_an_unknown_local_class_is_refused(team_a: TeamWorld) -> None:
    with pytest.raises(ValidationError, match="Not a local protected class: race"):
        compliance_settings_update(team=team_a.team, local_classes=["race"])


def test_the_check_works_outside_a_team_scope_like_a_celery_task(every_class: Team) -> None:
    # No scope is active here; the selectors enter the team's scope themselves.
    assert flagged("No gays.", team=every_class) == [("No gays", "sexual_orientation")]


def test_a_rule_an_operator_adds_applies_to_the_next_check(db: None) -> None:
    assert check_text("Ideal for a golfer.").ok
    FairHousingRule.objects.create(
        kind=PatternKind.PHRASE,
        pattern="golfer",
        category=Category.DISABILITY,
        reason="Test rule.",
        suggestion="resident",
    )
    result = check_text("Ideal for golfers.")
    assert [(f.phrase, f.suggestion) for f in result.findings] == [("golfers", "resident")]


def test_a_switched_off_rule_stops_flagging_and_a_deleted_accepted_phrase_stops_protecting(db: None) -> None:
    assert not check_text("Bachelor pad downtown.").ok
    rule = FairHousingRule.objects.get(key="sex-bachelor-pad")
    rule.is_active = False
    rule.save()
    assert check_text("Bachelor pad downtown.").ok

    FairHousingRule.objects.create(kind=PatternKind.PHRASE, pattern="master", category=Category.RACE, reason="x")
    assert check_text("Master bedroom.").ok
    AcceptedPhrase.objects.filter(key="master-bedroom").delete()
    assert not check_text("Master bedroom.").ok


def test_other_processes_pick_up_a_change_within_the_refresh_interval(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not check_text("Bachelor pad.").ok
    # A bulk update sends no signal: this process only learns of it from the table's stamp.
    FairHousingRule.objects.filter(key="sex-bachelor-pad").update(is_active=False, updated_at=timezone.now())
    assert not check_text("Bachelor pad.").ok  # still the compiled set, within the interval
    monkeypatch.setattr(rules_cache, "REFRESH_SECONDS", 0.0)
    assert check_text("Bachelor pad.").ok


def test_a_regex_rule_can_reuse_its_groups_in_the_suggestion(db: None) -> None:
    FairHousingRule.objects.create(
        kind=PatternKind.REGEX,
        pattern=r"(quiet|calm)\s+tenants\s+from\s+(?:the\s+)?suburbs",
        category=Category.NATIONAL_ORIGIN,
        reason="Test rule.",
        suggestion=r"\1 tenants",
    )
    assert check_text("Calm tenants from the suburbs.").findings[0].suggestion == "Calm tenants"


@pytest.mark.parametrize(
    ("kind", "pattern", "message"),
    [
        (PatternKind.REGEX, "no (kids", "Not a valid regular expression"),
        (PatternKind.REGEX, "(kids)?", "matches empty text"),
        (PatternKind.PHRASE, "   ", "empty"),
    ],
)
def test_a_pattern_that_cannot_work_is_refused(db: None, kind: str, pattern: str, message: str) -> None:
    rule = FairHousingRule(kind=kind, pattern=pattern, category=Category.RACE, reason="r")
    with pytest.raises(ValidationError, match=message):
        rule.full_clean()


def test_the_rewrite_removes_words_without_a_replacement_and_closes_the_gap(db: None) -> None:
    result = check_text("Quiet adult building, walk to everything.")
    assert result.rewrite() == "Quiet building, walk to everything."
    assert check_text("Nice place with a light complexion.").rewrite() == "Nice place."


def test_shouted_text_gets_a_shouted_suggestion(db: None) -> None:
    assert check_text("ADULTS ONLY").findings[0].suggestion == "EVERYONE IS WELCOME"


def test_seeding_again_changes_nothing_and_keeps_an_operators_switch(db: None) -> None:
    FairHousingRule.objects.filter(key="sex-bachelor-pad").update(is_active=False)
    count = FairHousingRule.objects.count(), AcceptedPhrase.objects.count()
    seed_shipped_rules(FairHousingRule, AcceptedPhrase)
    assert (FairHousingRule.objects.count(), AcceptedPhrase.objects.count()) == count
    assert not FairHousingRule.objects.get(key="sex-bachelor-pad").is_active


def test_every_shipped_rule_is_valid_and_names_a_known_class(db: None) -> None:
    rules = list(FairHousingRule.objects.exclude(key=""))
    assert len(rules) > 100
    for rule in rules:
        rule.full_clean()
        assert rule.reason
    assert {r.category for r in rules} == set(Category)
    for phrase in AcceptedPhrase.objects.all():
        phrase.full_clean()


def test_an_empty_rules_table_falls_back_to_the_shipped_rules(db: None) -> None:
    FairHousingRule.objects.all().delete()
    assert flagged("Adults only.") == [("Adults only", "familial_status")]


def test_a_typical_message_is_checked_in_well_under_a_millisecond(db: None, team_a: TeamWorld) -> None:
    check_text(TYPICAL_MESSAGE)  # compiles the rules once
    samples = []
    for _ in range(300):
        started = time.perf_counter()
        result = check_text(TYPICAL_MESSAGE)
        samples.append(time.perf_counter() - started)
    assert result.ok
    median = statistics.median(samples)
    assert median < 0.001, f"median {median * 1e6:.0f} µs for {len(TYPICAL_MESSAGE)} characters"


def test_findings_are_frozen_values(db: None) -> None:
    finding = Finding("No kids", 0, 7, "familial_status", "r", "s")
    with pytest.raises(AttributeError):
        finding.phrase = "x"  # type: ignore[misc]


def test_a_property_of_another_team_is_refused(team_b: TeamWorld, senior_property: Property) -> None:
    with pytest.raises(ValueError, match="another team"):
        check_text("55+ community", team=team_b.team, property=senior_property)
