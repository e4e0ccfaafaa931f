"""Team A's world for the agents' pages: Maple Court (Chicago office hours), Ada on its guest list,
and helpers to propose and inspect actions. Team B (``bravo``) has a lead and a pending action
of its own that team A must never reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agents.models import PendingAction
from agents.runtime import run_turn
from crm.accounts.models import User
from crm.leads.models import Lead
from crm.leads.services.leads import lead_create
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.ingestion import document_ingest
from knowledge.models import Document
from knowledge.services import document_create_text
from tests.agents_runtime.scripted import ScriptedModel, call, say
from tests.conftest import TeamWorld, login
from tests.factories import PropertyFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def offline_by_default(settings: Any) -> None:
    """No model unless a test switches one on (``llm_on``): the offline engine answers."""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_ENABLED = False


@dataclass
class World:
    team: TeamWorld
    property: Property
    ada: Lead

    def user(self, role: str) -> User:
        return self.team.user(role)

    def client(self, role: str = Role.AGENT) -> Client:
        return login(self.user(role))


def make_world(team: TeamWorld, *, name: str = "Maple Court", first: str = "Ada", last: str = "Lovelace") -> World:
    with team_scope(team.team):
        prop = PropertyFactory(team=team.team, name=name)  # America/Chicago, open Mon-Sat 9-18
        lead, _ = lead_create(
            team=team.team,
            data={"first_name": first, "last_name": last, "email": f"{first.lower()}@example.com", "property": prop},
        )
    return World(team=team, property=prop, ada=lead)


@pytest.fixture
def world(team_a: TeamWorld) -> World:
    return make_world(team_a)


@pytest.fixture
def bravo(team_b: TeamWorld) -> World:
    return make_world(team_b, name="Bravo Canary Towers", first="Brenda", last="Canaryfield")


def open_slot(prop: Property, *, days: int = 3, hour: int = 10) -> datetime:
    """``hour`` o'clock where the property is, on an open day at least ``days`` ahead."""
    day = timezone.localtime(timezone.now(), prop.tz).date() + timedelta(days=days)
    while not prop.opening_spans(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=prop.tz).replace(hour=hour)


def propose_tour(world: World, *, by: str = Role.AGENT, hour: int = 10) -> PendingAction:
    """A tour for Ada that the leasing agent proposed (a scripted model asked for it)."""
    start = open_slot(world.property, hour=hour)
    model = ScriptedModel(
        call("schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat()}), say("Asked.")
    )
    result = run_turn(
        agent="leasing",
        team=world.team.team,
        user=world.user(by),
        message="book it",
        context={"lead_id": str(world.ada.pk)},
        model=model,
    )
    assert result.pending_actions, result.tool_calls
    with team_scope(world.team.team):
        action: PendingAction = PendingAction.objects.get(pk=result.pending_actions[0]["id"])
    return action


def ingest(world: World, *, title: str, text: str) -> Document:
    with team_scope(world.team.team):
        document = document_create_text(team=world.team.team, title=title, text=text, property=world.property)
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    return document
