"""Two teams for the agent runtime tests.

Team A (``world``): Maple Court with three units, its leasing agent on the round-robin, Ada (the
lead in context in most tests) and Grace (another lead of the same team). Team B (``bravo``):
objects whose names, numbers and ids must never appear in anything team A's agents return.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.accounts.models import User
from crm.leads.models import Lead
from crm.leads.services.leads import lead_create
from crm.properties.models import Property, PropertyAgent, Unit
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.ingestion import document_ingest
from knowledge.models import Document
from knowledge.services import document_create_text
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory, UnitFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@dataclass
class World:
    team: TeamWorld
    property: Property
    units: list[Unit]
    ada: Lead
    grace: Lead
    docs: list[Document] = field(default_factory=list)

    # ``property`` is a field of this class, so the decorator is spelt out in full.
    @builtins.property
    def agent(self) -> User:
        return self.team.user(Role.AGENT)

    def user(self, role: str) -> User:
        return self.team.user(role)


@dataclass
class Bravo:
    team: TeamWorld
    property: Property
    unit: Unit
    lead: Lead
    docs: list[Document] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [str(self.team.team.pk), str(self.property.pk), str(self.unit.pk), str(self.lead.pk)] + [
            str(doc.pk) for doc in self.docs
        ]

    def secrets(self) -> list[str]:
        """Team B's data that no attacker in team A knows: must never reach team A's model or output."""
        return [
            "+15125550199",
            "brenda.canary@example.org",
            "Canaryfield",
            "Bravo Canary Towers",
            "B-CANARY-9",
            "Canary-secret-7731",
            self.team.team.name,
            self.team.team.slug,
        ]


def next_open_slot(prop: Property, *, days: int = 3, hour: int = 2) -> datetime:
    """An opening hour a few days ahead, in the property's own time zone."""
    day = timezone.localtime(timezone.now(), prop.tz).date() + timedelta(days=days)
    while not prop.opening_spans(day):
        day += timedelta(days=1)
    return prop.opening_spans(day)[0][0] + timedelta(hours=hour)


def ingest_text(world: TeamWorld, *, title: str, text: str, prop: Property | None = None) -> Document:
    with team_scope(world.team):
        document = document_create_text(team=world.team, title=title, text=text, property=prop)
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    return document


@pytest.fixture
def world(team_a: TeamWorld) -> World:
    team = team_a.team
    with team_scope(team):
        prop = PropertyFactory(team=team, name="Maple Court", street="12 Elm St", email="hello@maple.example")
        units = [
            UnitFactory(property=prop, number="101", beds=2, rent=1650),
            UnitFactory(property=prop, number="102", beds=1, rent=1400),
            UnitFactory(property=prop, number="201", beds=3, rent=2300, status="occupied"),
        ]
        PropertyAgent.objects.create(team=team, property=prop, user=team_a.user(Role.AGENT))
        ada, _ = lead_create(
            team=team,
            data={
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "phone": "+15125550100",
                "property": prop,
            },
        )
        grace, _ = lead_create(
            team=team,
            data={"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "phone": "+15125550101"},
        )
    return World(team=team_a, property=prop, units=units, ada=ada, grace=grace)


@pytest.fixture
def bravo(team_b: TeamWorld) -> Bravo:
    team = team_b.team
    with team_scope(team):
        prop = PropertyFactory(team=team, name="Bravo Canary Towers")
        unit = UnitFactory(property=prop, number="B-CANARY-9", beds=2, rent=999)
        PropertyAgent.objects.create(team=team, property=prop, user=team_b.user(Role.AGENT))
        lead, _ = lead_create(
            team=team,
            data={
                "first_name": "Brenda",
                "last_name": "Canaryfield",
                "email": "brenda.canary@example.org",
                "phone": "+15125550199",
                "property": prop,
            },
        )
    return Bravo(team=team_b, property=prop, unit=unit, lead=lead)


@pytest.fixture
def bravo_docs(bravo: Bravo) -> Bravo:
    bravo.docs.append(
        ingest_text(
            bravo.team,
            title="Bravo Canary Towers parking",
            text="# Parking\n\nGarage parking costs $85 per month. Canary-secret-7731 is the gate code.",
            prop=bravo.property,
        )
    )
    return bravo


@pytest.fixture
def maple_docs(world: World) -> World:
    world.docs.append(
        ingest_text(
            world.team,
            title="Maple Court pet policy",
            text="# Pets\n\nDogs up to 50 lb are welcome with a $300 deposit and $35 monthly pet rent. Cats too.",
            prop=world.property,
        )
    )
    world.docs.append(
        ingest_text(
            world.team,
            title="Maple Court parking",
            text="# Parking\n\nGarage parking costs $60 per month; surface spaces are free.",
            prop=world.property,
        )
    )
    return world


@pytest.fixture
def in_a(world: World) -> Iterator[World]:
    with team_scope(world.team.team):
        yield world


def all_rows(model: Any, team: Any) -> list[Any]:
    with scopes_disabled():
        return list(model.objects.filter(team=team))
