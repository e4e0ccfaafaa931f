"""What an ad may say about a property: its own facts and its available units, nothing invented.

Both engines write from these facts only. A unit counts as available when it is marked
available, or on notice with a known move-in date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone

from crm.properties.models import Property, Unit, UnitStatus

MAX_HIGHLIGHTS = 6
HIGHLIGHT_MAX_LENGTH = 60
FEW_LEFT = 5  # at or below this many available homes, "only N left" is a fact worth saying


@dataclass(frozen=True)
class PropertyFacts:
    name: str
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    available_units: int = 0
    beds: tuple[int, ...] = ()
    rent_from: Decimal | None = None
    available_now: bool = False
    next_available_on: date | None = None
    floor_plans: tuple[str, ...] = ()
    highlights: tuple[str, ...] = field(default_factory=tuple)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.state) if part)

    @property
    def website_host(self) -> str:
        return urlsplit(self.website).netloc.removeprefix("www.") if self.website else ""

    def rent(self) -> str:
        """ "$1,295" (or "$1,295.50"): the lowest rent among available units."""
        if self.rent_from is None:
            return ""
        whole = self.rent_from == self.rent_from.to_integral_value()
        return f"${self.rent_from:,.0f}" if whole else f"${self.rent_from:,.2f}"

    def beds_long(self) -> str:
        """Bedrooms of the available units, e.g. "1- to 3-bedroom apartments"; "" without any."""
        if not self.beds:
            return ""
        low, high = self.beds[0], self.beds[-1]
        if low == high:
            return "studio apartments" if low == 0 else f"{low}-bedroom apartments"
        start = "studio" if low == 0 else f"{low}-"
        return f"{start} to {high}-bedroom apartments"

    def beds_short(self) -> str:
        """Short enough for a 30-character headline: "1-3 Bed Apartments", "Studio Apartments"."""
        if not self.beds:
            return ""
        low, high = self.beds[0], self.beds[-1]
        if low == high:
            return "Studio Apartments" if low == 0 else f"{low} Bed Apartments"
        return f"{'Studio' if low == 0 else low}-{high} Bed Apartments"

    def when(self, *, short: bool = False) -> str:
        """When: "available now" / "available December 1" ("Available Now" / "Available Dec 1" short)."""
        if self.available_now:
            return "Available Now" if short else "available now"
        if self.next_available_on is None:
            return ""
        day = self.next_available_on
        month = f"{day:%b}" if short else f"{day:%B}"
        return f"{'Available' if short else 'available'} {month} {day.day}"

    def as_prompt(self) -> dict[str, Any]:
        """The facts as JSON for the language model: only what the ad may state."""
        return {
            "property_name": self.name,
            "address": ", ".join(p for p in (self.street, self.place, self.postal_code) if p),
            "city": self.city,
            "website": self.website,
            "phone": self.phone,
            "available_homes": self.available_units,
            "bedrooms_available": self.beds_long() or "no homes are currently marked available",
            "rent_from": f"{self.rent()} per month" if self.rent_from is not None else None,
            "availability": self.when() or None,
            "floor_plans": list(self.floor_plans),
            "highlights": list(self.highlights),
        }


def clean_highlights(raw: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Selling points typed by the user ("rooftop pool, garage parking"), deduplicated and bounded."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw or [])
    seen: dict[str, str] = {}
    for part in parts:
        text = " ".join(str(part).split()).strip(" .;")[:HIGHLIGHT_MAX_LENGTH]
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())[:MAX_HIGHLIGHTS]


def property_facts(*, property: Property, highlights: tuple[str, ...] = (), today: date | None = None) -> PropertyFacts:
    """The property's facts and its available units. Runs inside the property's team scope."""
    today = today or timezone.localtime(timezone.now(), property.tz).date()
    units = list(
        Unit.objects.filter(property=property)
        .filter(Q(status=UnitStatus.AVAILABLE) | Q(status=UnitStatus.NOTICE, available_on__isnull=False))
        .values("status", "beds", "rent", "available_on", "floor_plan")
    )
    move_in_dates = [unit["available_on"] or today for unit in units]
    earliest = min(move_in_dates, default=None)
    rents = [unit["rent"] for unit in units if unit["rent"] is not None]
    return PropertyFacts(
        name=property.name,
        street=property.street,
        city=property.city,
        state=property.state,
        postal_code=property.postal_code,
        website=property.website,
        email=property.email,
        phone=property.sms_number or "",
        available_units=len(units),
        beds=tuple(sorted({unit["beds"] for unit in units})),
        rent_from=min(rents, default=None),
        available_now=earliest is not None and earliest <= today,
        next_available_on=earliest if earliest is not None and earliest > today else None,
        floor_plans=tuple(sorted({unit["floor_plan"] for unit in units if unit["floor_plan"]})),
        highlights=highlights,
    )
