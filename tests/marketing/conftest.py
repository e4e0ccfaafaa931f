"""Fixtures for ad copy: a property with a mix of units, and a strict stand-in for the checker.

``strict_checker`` flags the words a Fair Housing checker is sure to flag, with suggestions,
so the tests of the regenerate / rewrite / block paths do not depend on the real checker's
word list; the tests that only need "passes the checker" use the real one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from crm.compliance import fair_housing
from crm.compliance.fair_housing import FairHousingResult, Finding
from crm.properties.models import Property, UnitStatus
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory, UnitFactory

# phrase → (category, suggestion)
FLAGGED: dict[str, tuple[str, str]] = {
    "family-friendly": ("familial status", "welcoming"),
    "families": ("familial status", "residents"),
    "family": ("familial status", ""),
    "christian": ("religion", ""),
    "singles": ("familial status", "residents"),
    "no kids": ("familial status", ""),
    "adults only": ("age", ""),
    "young professionals": ("age", "residents"),
    "able-bodied": ("disability", ""),
    "exclusive": ("race (steering)", "distinctive"),
}
PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(FLAGGED, key=len, reverse=True)) + r")\b", re.I)


def strict_check(text: str, *, team: Team | None = None, property: Any = None) -> FairHousingResult:
    findings = []
    for match in PATTERN.finditer(text):
        category, suggestion = FLAGGED[match.group(1).lower()]
        findings.append(
            Finding(
                phrase=match.group(0),
                start=match.start(),
                end=match.end(),
                category=category,
                reason=f"Refers to {category}.",
                suggestion=suggestion,
            )
        )
    return FairHousingResult(text=text, findings=findings)


@pytest.fixture
def strict_checker(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FairHousingResult]:
    monkeypatch.setattr(fair_housing, "check_text", strict_check)
    return strict_check


def add_units(prop: Property) -> None:
    today = timezone.localdate()
    UnitFactory(property=prop, number="101", beds=1, rent=Decimal("1525.00"), status=UnitStatus.AVAILABLE)
    UnitFactory(property=prop, number="102", beds=2, rent=Decimal("1995.00"), status=UnitStatus.AVAILABLE)
    UnitFactory(
        property=prop,
        number="201",
        beds=3,
        rent=Decimal("2450.00"),
        status=UnitStatus.NOTICE,
        available_on=today + timedelta(days=20),
    )
    # Neither of these is for rent: their beds and rents must not reach the copy.
    UnitFactory(property=prop, number="301", beds=0, rent=Decimal("995.00"), status=UnitStatus.OCCUPIED)
    UnitFactory(property=prop, number="302", beds=4, rent=Decimal("3995.00"), status=UnitStatus.NOTICE)


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    """Riverside Commons: a 1-bed and a 2-bed available now, a 3-bed on notice; studio occupied."""
    with team_scope(team_a.team):
        prop = PropertyFactory(
            team=team_a.team,
            name="Riverside Commons",
            street="410 E Riverside Dr",
            city="Austin",
            state="TX",
            postal_code="78704",
            website="https://riverside.example",
            sms_number="+15125550100",
        )
        add_units(prop)
    return prop
