"""Reads: which classes a team checks, and whether a property is housing for older persons."""

from __future__ import annotations

from crm.compliance.models import DEFAULT_LOCAL_CATEGORIES, FEDERAL_CATEGORIES, ComplianceSettings, OlderPersonsHousing
from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.scoping import team_scope


def local_classes(team: Team | None) -> frozenset[str]:
    """The team's local protected classes; the defaults for no team or a team that never chose."""
    if team is None:
        return frozenset(DEFAULT_LOCAL_CATEGORIES)
    with team_scope(team):
        chosen = ComplianceSettings.objects.filter(team=team).values_list("local_classes", flat=True).first()
    return frozenset(DEFAULT_LOCAL_CATEGORIES if chosen is None else chosen)


def enabled_categories(team: Team | None) -> frozenset[str]:
    return frozenset(FEDERAL_CATEGORIES) | local_classes(team)


def is_older_persons_housing(property: Property, *, team: Team | None = None) -> bool:
    """``team`` (the property's) saves fetching it when the caller already has it."""
    with team_scope(team or property.team):
        return OlderPersonsHousing.objects.filter(property=property).exists()
