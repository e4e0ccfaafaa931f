"""Property tools: units (availability and rent) and a property's facts (address, hours, contact)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from pydantic import Field

from agents.tools.base import ToolArgs, ToolContext, get_in_team, tool
from crm.leads.permissions import CAN_VIEW
from crm.properties.models import Property, Unit, UnitStatus

MAX_UNITS = 25
AVAILABLE = [UnitStatus.AVAILABLE, UnitStatus.NOTICE]
UNIT_COLUMNS = (
    "id", "property_id", "property__name", "number", "floor_plan", "beds", "baths", "square_feet", "rent", "status",
    "available_on",
)  # fmt: skip


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class ListUnitsArgs(ToolArgs):
    property_id: str | None = Field(None, max_length=64, description="Only this property's units.")
    beds: int | None = Field(None, ge=0, le=10, description="Bedrooms (0 for a studio).")
    max_rent: int | None = Field(None, ge=0, le=1_000_000, description="Monthly rent at most.")
    available_only: bool | None = Field(None, description="Only available or on-notice units (default true).")


@tool(
    "list_units",
    group="property",
    args_model=ListUnitsArgs,
    min_role=CAN_VIEW,
    description="The team's units with bedrooms, rent, status and move-in date; filter by property, bedrooms and "
    "rent. Cheapest first.",
)
def list_units(ctx: ToolContext, args: ListUnitsArgs) -> dict[str, Any]:
    units = Unit.objects.filter(property__is_active=True)
    if args.property_id:
        units = units.filter(property=get_in_team(Property, args.property_id, ctx, label="Property"))
    elif ctx.property_id:
        units = units.filter(property_id=ctx.property_id)
    if args.beds is not None:
        units = units.filter(beds=args.beds)
    if args.max_rent is not None:
        units = units.filter(rent__lte=args.max_rent)
    if args.available_only is not False:
        units = units.filter(status__in=AVAILABLE)
    # Plain rows: hydrating each unit's property (with its office-hours JSON) cost more than the query.
    rows = list(units.order_by("rent", "property__name", "number").values(*UNIT_COLUMNS)[: MAX_UNITS + 1])
    return {
        "count": min(len(rows), MAX_UNITS),
        "more": len(rows) > MAX_UNITS,
        "units": [
            {
                "id": str(row["id"]),
                "property": row["property__name"],
                "property_id": str(row["property_id"]),
                "number": row["number"],
                "floor_plan": row["floor_plan"],
                "beds": row["beds"],
                "baths": float(row["baths"]),
                "square_feet": row["square_feet"],
                "rent": _money(row["rent"]),
                "status": row["status"],
                "available_on": row["available_on"].isoformat() if row["available_on"] else None,
            }
            for row in rows[:MAX_UNITS]
        ],
    }


class PropertyIdArgs(ToolArgs):
    property_id: str = Field(max_length=64, description="The property's id.")


@tool(
    "get_property",
    group="property",
    args_model=PropertyIdArgs,
    min_role=CAN_VIEW,
    description="A property's address, time zone, office hours, upcoming closed dates, tour length and contact.",
)
def get_property(ctx: ToolContext, args: PropertyIdArgs) -> dict[str, Any]:
    prop = get_in_team(Property, args.property_id, ctx, label="Property")
    today = timezone.localtime(timezone.now(), prop.tz).date()
    upcoming = sorted(day for day in (prop.closed_dates or []) if _on_or_after(day, today))[:10]
    return {
        "id": str(prop.pk),
        "name": prop.name,
        "address": prop.address,
        "timezone": prop.timezone,
        "office_hours": prop.office_hours,
        "closed_dates": upcoming,
        "tour_minutes": prop.tour_minutes,
        "email": prop.email,
        "phone": prop.sms_number or "",
        "website": prop.website,
        "available_units": Unit.objects.filter(property=prop, status__in=AVAILABLE).count(),
    }


def _on_or_after(day: str, today: date) -> bool:
    try:
        return date.fromisoformat(day) >= today
    except (TypeError, ValueError):
        return False
