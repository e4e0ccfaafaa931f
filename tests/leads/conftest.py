"""Fixtures shared by the lead view tests: Ada, a prospect at Maple Court (Los Angeles)."""

from __future__ import annotations

import pytest

from crm.leads.models import Lead
from crm.properties.models import Property
from tests.conftest import TeamWorld
from tests.leads.lead_pages import ada_at, make_lead, maple_court


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    return maple_court(team_a)


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return ada_at(team_a, place)


@pytest.fixture
def bravo_lead(team_b: TeamWorld) -> Lead:
    return make_lead(team_b, first_name="Brenda", last_name="Bravo", email="brenda@example.org")
