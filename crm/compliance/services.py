"""Writes: a team's local protected classes and its housing for older persons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError

from crm.compliance.models import LOCAL_CATEGORIES, ComplianceSettings, OlderPersonsHousing
from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.scoping import team_scope


def compliance_settings_update(*, team: Team, local_classes: Iterable[str]) -> ComplianceSettings:
    chosen = sorted(set(local_classes))
    unknown = [c for c in chosen if c not in LOCAL_CATEGORIES]
    if unknown:
        raise ValidationError({"local_classes": f"Not a local protected class: {', '.join(unknown)}."})
    with team_scope(team):
        settings, _ = ComplianceSettings.objects.update_or_create(team=team, defaults={"local_classes": chosen})
    return settings


def older_persons_housing_set(
    *, property: Property, basis: str, verified_on: date | None = None, notes: str = ""
) -> OlderPersonsHousing:
    """Record that a property qualifies as housing for older persons (HOPA)."""
    with team_scope(property.team):
        housing, _ = OlderPersonsHousing.objects.update_or_create(
            property=property,
            defaults={"team": property.team, "basis": basis, "verified_on": verified_on, "notes": notes},
        )
    return housing


def older_persons_housing_clear(*, property: Property) -> None:
    with team_scope(property.team):
        OlderPersonsHousing.objects.filter(property=property).delete()
