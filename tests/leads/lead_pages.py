"""Shared by the guest-card view tests: a lead at a Los Angeles property, and small helpers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from crm.leads.models import Lead, LeadActivity, LeadMerge, Task, Tour
from crm.leads.services.leads import lead_create
from crm.properties.models import Property
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def make_lead(world: TeamWorld, **data: Any) -> Lead:
    with team_scope(world.team):
        lead, _ = lead_create(team=world.team, data=data, allow_duplicate=True)
    return lead


def make_property(world: TeamWorld, **fields: Any) -> Property:
    with team_scope(world.team):
        return PropertyFactory(team=world.team, **fields)


def reload(world: TeamWorld, lead: Lead) -> Lead:
    with team_scope(world.team):
        return Lead.objects.get(pk=lead.pk)


def summaries(world: TeamWorld, lead: Lead) -> list[str]:
    with team_scope(world.team):
        return list(LeadActivity.objects.filter(lead=lead).values_list("summary", flat=True))


def triggers(response: Any) -> dict[str, Any]:
    return json.loads(response.get("HX-Trigger", "{}"))


def url(name: str, obj: Any) -> str:
    kwarg = {Lead: "lead_id", Tour: "tour_id", Task: "task_id", LeadMerge: "merge_id"}[type(obj)]
    return reverse(f"leads:{name}", kwargs={kwarg: obj.pk})


def open_day(prop: Property) -> date:
    """A Monday at least three days ahead where the property is: open 9:00 to 18:00."""
    day = timezone.localtime(timezone.now(), prop.tz).date() + timedelta(days=3)
    return day + timedelta(days=(0 - day.weekday()) % 7)


def maple_court(world: TeamWorld) -> Property:
    """A property whose office hours are read in Los Angeles, not in the server's UTC."""
    return make_property(world, name="Maple Court", timezone="America/Los_Angeles")


def ada_at(world: TeamWorld, place: Property) -> Lead:
    return make_lead(
        world,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="(512) 555-0100",
        source="website",
        property=place,
    )
