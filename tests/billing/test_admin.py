"""Operators see metered usage across teams, read-only, and export it as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from agents.gateway import Usage
from crm.billing.models import UsageRecord
from crm.billing.services import record_ai_usage
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import UserFactory

CHANGELIST = "admin:billing_usagerecord_changelist"


@pytest.fixture
def operator(db: None) -> Client:
    return login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))


@pytest.fixture
def usage(team_a: TeamWorld, team_b: TeamWorld) -> list[UsageRecord]:
    team_b.team.name = "=HYPERLINK(evil)"
    team_b.team.save()
    rows = [
        record_ai_usage(team=team_a.team, model="gpt-4o-mini", usage=Usage(1000, 500), purpose="agent"),
        record_ai_usage(team=team_b.team, model="gpt-4o-mini", usage=Usage(200, 20), purpose="ad_copy"),
    ]
    return [row for row in rows if row is not None]


def test_the_changelist_lists_every_teams_usage_with_filters(operator: Client, usage: list[UsageRecord]) -> None:
    response = operator.get(reverse(CHANGELIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha Living" in body
    assert "ad_copy" in body
    assert operator.get(reverse(CHANGELIST), {"purpose": "agent"}).context["cl"].result_count == 1


def test_usage_cannot_be_added_edited_or_deleted_in_the_admin(operator: Client, usage: list[UsageRecord]) -> None:
    assert operator.get(reverse("admin:billing_usagerecord_add")).status_code == 403
    change = operator.get(reverse("admin:billing_usagerecord_change", args=[usage[0].pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert operator.get(reverse("admin:billing_usagerecord_delete", args=[usage[0].pk])).status_code == 403


def test_the_csv_export_has_the_selected_rows_and_defuses_formulas(
    operator: Client, usage: list[UsageRecord], team_a: TeamWorld
) -> None:
    response = operator.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [str(row.pk) for row in usage]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["team"] for row in rows} == {"Alpha Living", "'=HYPERLINK(evil)"}
    mine = next(row for row in rows if row["team_id"] == str(team_a.team.pk))
    assert (mine["kind"], mine["purpose"], mine["prompt_tokens"], mine["completion_tokens"]) == (
        "ai_tokens",
        "agent",
        "1000",
        "500",
    )
    assert mine["cost_usd"] == "0.000450"
    with team_scope(team_a.team):
        assert UsageRecord.objects.count() == 1
