"""Properties (communities) and their units.

Office hours are stored per weekday in the property's own time zone, so "9 to 6" means 9 to 6
where the property is, whatever the server's or the agent's zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from crm.teams.models import Team, TeamOwned

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def default_office_hours() -> dict[str, list[list[str]]]:
    hours = {day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]}
    hours["sat"] = [["10:00", "17:00"]]
    hours["sun"] = []
    return hours


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not a time zone name such as America/Chicago.") from exc


def validate_office_hours(value: Any) -> None:
    if not isinstance(value, dict) or set(value) - set(WEEKDAYS):
        raise ValidationError("Office hours map mon…sun to lists of [open, close] times.")
    for day, spans in value.items():
        for span in spans:
            try:
                opens, closes = (time.fromisoformat(t) for t in span)
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"{day}: {span!r} is not a pair of HH:MM times.") from exc
            if opens >= closes:
                raise ValidationError(f"{day}: {span[0]} to {span[1]} closes before it opens.")


class Property(TeamOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="properties")
    name = models.CharField(max_length=120)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    timezone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_timezone])
    office_hours = models.JSONField(default=default_office_hours, validators=[validate_office_hours])
    closed_dates = models.JSONField(default=list, blank=True, help_text="Holidays: ISO dates the office is closed.")
    tour_minutes = models.PositiveSmallIntegerField(default=30)
    tour_buffer_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Free time an agent keeps between two tours."
    )
    # The Twilio number whose inbound texts belong to this property (and so to this team).
    sms_number = models.CharField(max_length=20, blank=True, null=True, unique=True)
    quiet_hours_start = models.TimeField(
        default=time(21, 0), help_text="Automated texts (reminders, AI replies) wait from this local time..."
    )
    quiet_hours_end = models.TimeField(default=time(8, 0), help_text="...until this local time the next morning.")
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "properties"
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="property_unique_name_per_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def address(self) -> str:
        line2 = " ".join(p for p in [self.state, self.postal_code] if p)
        return ", ".join(p for p in [self.street, self.city, line2] if p)

    def clean(self) -> None:
        from crm.leads.phones import normalize_phone

        if self.sms_number:
            normalized = normalize_phone(self.sms_number)
            if normalized is None:
                raise ValidationError({"sms_number": "Enter a phone number in E.164 form, e.g. +15125550100."})
            self.sms_number = normalized
        else:
            self.sms_number = None

    def is_open(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) lies inside one opening span of one local day."""
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        if local_start.date() != local_end.date() and local_end.time() != time(0):
            return False
        if local_start.date().isoformat() in (self.closed_dates or []):
            return False
        day = WEEKDAYS[local_start.weekday()]
        for opens, closes in self.office_hours.get(day, []):
            if time.fromisoformat(opens) <= local_start.time() and local_end.time() <= time.fromisoformat(closes):
                return True
        return False

    def opening_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        if day.isoformat() in (self.closed_dates or []):
            return []
        spans = []
        for opens, closes in self.office_hours.get(WEEKDAYS[day.weekday()], []):
            spans.append(
                (
                    datetime.combine(day, time.fromisoformat(opens), self.tz),
                    datetime.combine(day, time.fromisoformat(closes), self.tz),
                )
            )
        return spans

    def tour_length(self) -> timedelta:
        return timedelta(minutes=self.tour_minutes)


class PropertyAgent(TeamOwned):
    """Who takes new leads for a property, in round-robin order (least recently assigned first)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="agents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["property", "user"], name="property_agent_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.property}"


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    NOTICE = "notice", "On notice"
    OCCUPIED = "occupied", "Occupied"
    MODEL = "model", "Model"
    DOWN = "down", "Down"


class Unit(TeamOwned):
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="units")
    number = models.CharField(max_length=20)
    floor_plan = models.CharField(max_length=60, blank=True)
    beds = models.PositiveSmallIntegerField(default=1, help_text="0 for a studio.")
    baths = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal("1.0"))
    square_feet = models.PositiveIntegerField(null=True, blank=True)
    rent = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=12, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE)
    available_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["property__name", "number"]
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["property", "number"], name="unit_unique_number_per_property")]
        indexes = [models.Index(fields=["team", "status", "beds"], name="unit_team_status_beds")]

    def __str__(self) -> str:
        return f"{self.property.name} #{self.number}"
