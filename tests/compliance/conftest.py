"""Fixtures for the Fair Housing checker: a fresh rule cache per test, teams with classes enabled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm.compliance import rules_cache
from crm.compliance.models import LOCAL_CATEGORIES, OlderPersonsBasis
from crm.compliance.services import compliance_settings_update, older_persons_housing_set
from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory


@pytest.fixture(autouse=True)
def fresh_rules() -> Iterator[None]:
    # Rules a test adds are rolled back with it; the process-wide cache must not outlive them.
    rules_cache.invalidate()
    yield
    rules_cache.invalidate()


@pytest.fixture
def every_class(team_a: TeamWorld) -> Team:
    """Team A with every local protected class switched on."""
    compliance_settings_update(team=team_a.team, local_classes=LOCAL_CATEGORIES)
    return team_a.team


def make_property(team: Team, name: str) -> Property:
    with team_scope(team):
        return PropertyFactory(team=team, name=name)


@pytest.fixture
def senior_property(team_a: TeamWorld) -> Property:
    """A property of team A that qualifies as housing for older persons."""
    prop = make_property(team_a.team, "Alpha Sunrise 55+")
    older_persons_housing_set(property=prop, basis=OlderPersonsBasis.AGE_55)
    return prop


@pytest.fixture
def family_property(team_a: TeamWorld) -> Property:
    return make_property(team_a.team, "Alpha Flats")
