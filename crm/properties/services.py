"""Create and change properties and units, with the rules the database alone cannot explain well."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from crm.properties.models import Property, Unit
from crm.teams.models import Team

PROPERTY_FIELDS = [
    "name",
    "street",
    "city",
    "state",
    "postal_code",
    "timezone",
    "office_hours",
    "closed_dates",
    "tour_minutes",
    "tour_buffer_minutes",
    "sms_number",
    "email",
    "website",
    "is_active",
]
UNIT_FIELDS = ["property", "number", "floor_plan", "beds", "baths", "square_feet", "rent", "status", "available_on"]
SMS_NUMBER_TAKEN = "This number is already in use."


def _sms_number_taken(prop: Property) -> bool:
    # Inbound texts are routed by this number alone, so it is unique across every team. Only
    # "taken or not" leaves this query: never whose it is.
    with scopes_disabled():
        return Property.objects.filter(sms_number=prop.sms_number).exclude(pk=prop.pk).exists()


def _validate(prop: Property) -> None:
    errors: dict[str, list[str]] = {}
    try:
        # Field validators (time zone, office hours, email, URL) and clean(), which puts the SMS
        # number in E.164. Uniqueness is checked below with messages that say what to do.
        prop.full_clean(exclude=["team"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for day in prop.closed_dates or []:
        try:
            date.fromisoformat(day)
        except (TypeError, ValueError):
            errors.setdefault("closed_dates", []).append(f"{day!r} is not an ISO date such as 2025-12-25.")
    if "name" not in errors and Property.objects.filter(team=prop.team_id, name=prop.name).exclude(pk=prop.pk).exists():
        errors["name"] = ["The team already has a property with this name."]
    if "sms_number" not in errors and prop.sms_number and _sms_number_taken(prop):
        errors["sms_number"] = [SMS_NUMBER_TAKEN]
    if errors:
        raise ValidationError(errors)


def _save(prop: Property) -> None:
    _validate(prop)
    try:
        with transaction.atomic():
            prop.save()
    except IntegrityError as exc:  # another request took the name or number since _validate
        field = "sms_number" if "sms_number" in str(exc) else "name"
        message = SMS_NUMBER_TAKEN if field == "sms_number" else "The team already has a property with this name."
        raise ValidationError({field: [message]}) from exc


def property_create(*, team: Team, data: dict[str, Any]) -> Property:
    prop = Property(team=team, **{k: v for k, v in data.items() if k in PROPERTY_FIELDS})
    _save(prop)
    return prop


def property_update(*, property: Property, data: dict[str, Any]) -> Property:
    for name, value in data.items():
        if name in PROPERTY_FIELDS:
            setattr(property, name, value)
    _save(property)
    return property


def unit_create(*, team: Team, data: dict[str, Any]) -> Unit:
    unit = Unit(team=team, **{k: v for k, v in data.items() if k in UNIT_FIELDS})
    if unit.property.team_id != team.pk:
        raise ValidationError({"property": ["Property not found."]})
    unit.full_clean(exclude=["team", "property"], validate_unique=False, validate_constraints=False)
    if Unit.objects.filter(property=unit.property, number=unit.number).exists():
        raise ValidationError({"number": [f"{unit.property.name} already has a unit {unit.number}."]})
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ValidationError({"number": [f"{unit.property.name} already has a unit {unit.number}."]}) from exc
    return unit
