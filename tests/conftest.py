"""Shared fixtures: two teams with a member per role, logged-in clients, API clients.

Team B is the "other team" of every isolation test: a member of A must never see B's objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from api.models import token_create
from crm.accounts.models import User
from crm.teams.models import Membership, Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytest_plugins = ["tests.fakes.fixtures", "tests.fakes.twilio_fixtures", "tests.fakes.sendgrid_fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    # allauth's rate limits and DRF throttles use the database cache when Redis is absent.
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("createcachetable", verbosity=0)


@dataclass
class TeamWorld:
    team: Team
    members: dict[str, Membership] = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.members[role].user

    def membership(self, role: str) -> Membership:
        return self.members[role]


def make_team(name: str) -> TeamWorld:
    team = TeamFactory(name=name)
    world = TeamWorld(team=team)
    with scopes_disabled():
        for role in Role:
            world.members[role.value] = MembershipFactory(
                team=team, role=role, user=UserFactory(email=f"{role.value}@{team.slug}.test")
            )
    return world


@pytest.fixture
def team_a(db: None) -> TeamWorld:
    return make_team("Alpha Living")


@pytest.fixture
def team_b(db: None) -> TeamWorld:
    return make_team("Bravo Residential")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(team_a: TeamWorld) -> Client:
    return login(team_a.user(Role.OWNER))


def api_client_for(membership: Membership) -> APIClient:
    with team_scope(membership.team):
        _, key = token_create(team=membership.team, user=membership.user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def in_team_a(team_a: TeamWorld) -> Iterator[Team]:
    with team_scope(team_a.team):
        yield team_a.team
