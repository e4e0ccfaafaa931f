"""Operators manage the rules in the Django admin: shipped rules can be switched off, not edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.compliance.fair_housing import check_text
from crm.compliance.models import (
    AcceptedPhrase,
    Category,
    ComplianceSettings,
    FairHousingRule,
    OlderPersonsHousing,
)
from crm.properties.models import Property
from tests.conftest import TeamWorld, login
from tests.factories import UserFactory


@pytest.fixture
def operator(db: None) -> Client:
    return login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))


def admin_url(model: type[Any], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [FairHousingRule, AcceptedPhrase, ComplianceSettings, OlderPersonsHousing])
def test_an_operator_loads_each_changelist_and_add_page(operator: Client, model: type[Any]) -> None:
    assert operator.get(admin_url(model, "changelist")).status_code == 200
    assert operator.get(admin_url(model, "add")).status_code == 200


def test_a_shipped_rule_shows_read_only_except_its_switch_and_cannot_be_deleted(operator: Client) -> None:
    rule = FairHousingRule.objects.get(key="sex-bachelor-pad")
    body = operator.get(admin_url(FairHousingRule, "change", rule.pk)).content.decode()
    assert 'name="is_active"' in body
    assert 'name="pattern"' not in body
    assert operator.get(admin_url(FairHousingRule, "delete", rule.pk)).status_code == 403


def test_an_operator_adds_a_rule_and_the_next_check_uses_it(operator: Client) -> None:
    response = operator.post(
        admin_url(FairHousingRule, "add"),
        {
            "category": Category.SOURCE_OF_INCOME,
            "kind": "phrase",
            "pattern": "no HCV holders",
            "reason": "Refuses voucher holders.",
            "suggestion": "vouchers welcome",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [f.suggestion for f in check_text("Sorry, no HCV-holders.").findings] == ["vouchers welcome"]


def test_a_broken_regex_is_refused_with_the_reason(operator: Client) -> None:
    response = operator.post(
        admin_url(FairHousingRule, "add"),
        {"category": Category.RACE, "kind": "regex", "pattern": "no (", "reason": "r", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Not a valid regular expression" in response.content.decode()


def test_switching_rules_off_in_bulk_takes_effect(operator: Client) -> None:
    rule = FairHousingRule.objects.get(key="sex-bachelor-pad")
    response = operator.post(
        admin_url(FairHousingRule, "changelist"), {"action": "deactivate", "_selected_action": [str(rule.pk)]}
    )
    assert response.status_code == 302
    assert check_text("Bachelor pad.").ok


def test_an_operator_sets_a_teams_local_classes(operator: Client, team_a: TeamWorld) -> None:
    response = operator.post(
        admin_url(ComplianceSettings, "add"),
        {"team": str(team_a.team.pk), "local_classes": [Category.AGE, Category.SOURCE_OF_INCOME]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        assert ComplianceSettings.objects.get(team=team_a.team).local_classes == ["age", "source_of_income"]
    assert [f.category for f in check_text("No seniors.", team=team_a.team).findings] == ["age"]


def test_an_operator_marks_a_property_as_housing_for_older_persons(operator: Client, family_property: Property) -> None:
    response = operator.post(
        admin_url(OlderPersonsHousing, "add"),
        {"property": str(family_property.pk), "basis": "55", "verified_on": "2025-01-15", "notes": "Survey on file."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        assert OlderPersonsHousing.objects.get(property=family_property).team_id == family_property.team_id
    assert check_text("55+ community", property=family_property).ok
