"""Metering: cost from the configured prices, and each team sees only its own usage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from agents.gateway import Usage
from crm.billing.models import UsageKind, UsageRecord
from crm.billing.services import ai_cost_usd, record_ai_usage, usage_summary
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def prices(settings: Any) -> None:
    settings.OPENAI_PRICE_INPUT_PER_MTOK = Decimal("0.15")
    settings.OPENAI_PRICE_OUTPUT_PER_MTOK = Decimal("0.60")


def test_cost_is_per_million_tokens_to_the_micro_dollar() -> None:
    assert ai_cost_usd(prompt_tokens=1_000_000, completion_tokens=1_000_000) == Decimal("0.750000")
    assert ai_cost_usd(prompt_tokens=1, completion_tokens=0) == Decimal("0.000000")  # 0.00000015 rounds down
    assert ai_cost_usd(prompt_tokens=4, completion_tokens=0) == Decimal("0.000001")  # 0.0000006 rounds up


def test_a_self_hosted_model_costs_nothing(settings: Any) -> None:
    settings.OPENAI_PRICE_INPUT_PER_MTOK = Decimal(0)
    settings.OPENAI_PRICE_OUTPUT_PER_MTOK = Decimal(0)
    assert ai_cost_usd(prompt_tokens=50_000, completion_tokens=9_000) == Decimal(0)


def test_recording_usage_writes_one_row_for_the_team(team_a: TeamWorld) -> None:
    record = record_ai_usage(team=team_a.team, model="gpt-4o-mini", usage=Usage(3000, 1000), purpose="agent")

    assert record is not None
    with team_scope(team_a.team):
        saved = UsageRecord.objects.get()
    assert saved.team_id == team_a.team.pk
    assert (saved.kind, saved.model, saved.purpose) == (UsageKind.AI_TOKENS, "gpt-4o-mini", "agent")
    assert (saved.prompt_tokens, saved.completion_tokens, saved.total_tokens) == (3000, 1000, 4000)
    assert saved.cost_usd == Decimal("0.001050")


def test_usage_without_a_team_is_not_recorded(db: None) -> None:
    assert record_ai_usage(team=None, model="m", usage=Usage(10, 10), purpose="system") is None
    with scopes_disabled():
        assert not UsageRecord.objects.exists()


def test_a_failed_write_is_logged_and_swallowed(
    team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(**kwargs: Any) -> Any:
        raise RuntimeError("database is read-only")

    monkeypatch.setattr(UsageRecord.objects, "create", refuse)
    assert record_ai_usage(team=team_a.team, model="m", usage=Usage(1, 1), purpose="agent") is None
    assert "Could not record AI usage" in caplog.text


def test_the_summary_adds_up_by_kind_and_purpose(team_a: TeamWorld) -> None:
    record_ai_usage(team=team_a.team, model="m", usage=Usage(1000, 100), purpose="agent")
    record_ai_usage(team=team_a.team, model="m", usage=Usage(2000, 200), purpose="agent")
    record_ai_usage(team=team_a.team, model="m", usage=Usage(500, 50), purpose="ad_copy")

    summary = usage_summary(team=team_a.team)

    assert [(line.purpose, line.calls, line.prompt_tokens, line.completion_tokens) for line in summary.lines] == [
        ("ad_copy", 1, 500, 50),
        ("agent", 2, 3000, 300),
    ]
    assert (summary.calls, summary.prompt_tokens, summary.completion_tokens, summary.total_tokens) == (
        3,
        3500,
        350,
        3850,
    )
    assert summary.cost_usd == sum((line.cost_usd for line in summary.lines), Decimal(0))
    assert summary.cost_usd == Decimal("0.000735")


def test_team_bs_usage_never_shows_in_team_as_summary(team_a: TeamWorld, team_b: TeamWorld) -> None:
    record_ai_usage(team=team_a.team, model="m", usage=Usage(100, 10), purpose="agent")
    record_ai_usage(team=team_b.team, model="m", usage=Usage(9999, 999), purpose="agent")
    record_ai_usage(team=team_b.team, model="m", usage=Usage(1, 1), purpose="score_explanation")

    a = usage_summary(team=team_a.team)
    b = usage_summary(team=team_b.team)

    assert (a.calls, a.prompt_tokens, a.completion_tokens) == (1, 100, 10)
    assert [line.purpose for line in a.lines] == ["agent"]
    assert (b.calls, b.prompt_tokens) == (2, 10000)


def test_the_summary_counts_only_usage_since_the_given_time(team_a: TeamWorld) -> None:
    old = record_ai_usage(team=team_a.team, model="m", usage=Usage(700, 0), purpose="agent")
    record_ai_usage(team=team_a.team, model="m", usage=Usage(30, 0), purpose="agent")
    assert old is not None
    with team_scope(team_a.team):
        UsageRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    recent = usage_summary(team=team_a.team, since=timezone.now() - timedelta(days=30))

    assert (recent.calls, recent.prompt_tokens) == (1, 30)
    assert usage_summary(team=team_a.team).prompt_tokens == 730


def test_an_empty_summary_is_zero(team_a: TeamWorld) -> None:
    summary = usage_summary(team=team_a.team, since=timezone.now())
    assert (summary.calls, summary.total_tokens, summary.cost_usd, summary.lines) == (0, 0, Decimal(0), [])
