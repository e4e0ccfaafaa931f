"""Metering: record what a team consumed, and sum it up.

Metering is bookkeeping beside the real work: a failure here is logged and swallowed, never
raised into the model call, message or page that triggered it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum

from crm.billing.models import UsageKind, UsageRecord
from crm.teams.scoping import team_scope

if TYPE_CHECKING:
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

MICRO_DOLLAR = Decimal("0.000001")
PER_MILLION = Decimal(1_000_000)


class TokenCounts(Protocol):
    """``agents.gateway.Usage`` or the ``openai`` SDK's ``CompletionUsage``."""

    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...


def ai_cost_usd(*, prompt_tokens: int, completion_tokens: int) -> Decimal:
    """The price of one call at the configured per-million-token prices, to the micro-dollar."""
    cost = (
        Decimal(prompt_tokens) * Decimal(settings.OPENAI_PRICE_INPUT_PER_MTOK)
        + Decimal(completion_tokens) * Decimal(settings.OPENAI_PRICE_OUTPUT_PER_MTOK)
    ) / PER_MILLION
    return cost.quantize(MICRO_DOLLAR, rounding=ROUND_HALF_UP)


def record_ai_usage(*, team: Team | None, model: str, usage: TokenCounts, purpose: str) -> UsageRecord | None:
    """One ``ai_tokens`` row for ``team``; None when there is no team or the write failed."""
    prompt_tokens = max(int(usage.prompt_tokens or 0), 0)
    completion_tokens = max(int(usage.completion_tokens or 0), 0)
    if team is None:
        # System work (no tenant to bill): visible in the logs, not in anyone's usage.
        logger.info(
            "AI usage without a team",
            extra={
                "model": model,
                "purpose": purpose,
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
            },
        )
        return None
    try:
        # A savepoint: a failed insert must not break the caller's transaction.
        with transaction.atomic(), team_scope(team):
            return UsageRecord.objects.create(
                team=team,
                kind=UsageKind.AI_TOKENS,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost_usd=ai_cost_usd(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
                model=model[:100],
                purpose=purpose[:50],
            )
    except Exception:  # metering must never break the metered call
        logger.exception(
            "Could not record AI usage", extra={"team_id": str(team.pk), "model": model, "purpose": purpose}
        )
        return None


@dataclass(frozen=True)
class UsageLine:
    kind: str
    purpose: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    units: Decimal
    cost_usd: Decimal


@dataclass(frozen=True)
class UsageSummary:
    since: datetime | None
    lines: list[UsageLine] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(line.calls for line in self.lines)

    @property
    def prompt_tokens(self) -> int:
        return sum(line.prompt_tokens for line in self.lines)

    @property
    def completion_tokens(self) -> int:
        return sum(line.completion_tokens for line in self.lines)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def cost_usd(self) -> Decimal:
        return sum((line.cost_usd for line in self.lines), Decimal(0))


def usage_summary(*, team: Team, since: datetime | None = None) -> UsageSummary:
    """``team``'s usage since ``since`` (all of it when None), one line per kind and purpose."""
    with team_scope(team):
        records = UsageRecord.objects.filter(team=team)
        if since is not None:
            records = records.filter(created_at__gte=since)
        rows = (
            records.values("kind", "purpose")
            .annotate(
                calls=Count("id"),
                prompt=Sum("prompt_tokens"),
                completion=Sum("completion_tokens"),
                quantity=Sum("units"),
                cost=Sum("cost_usd"),
            )
            .order_by("kind", "purpose")
        )
        lines = [
            UsageLine(
                kind=row["kind"],
                purpose=row["purpose"],
                calls=row["calls"],
                prompt_tokens=row["prompt"] or 0,
                completion_tokens=row["completion"] or 0,
                units=row["quantity"] or Decimal(0),
                cost_usd=row["cost"] or Decimal(0),
            )
            for row in rows
        ]
    return UsageSummary(since=since, lines=lines)
