"""Fixtures for the inbox tests: Ada texts Maple Court, and helpers that write messages the way
the services do (inbound through intake's store, outbound through ``send_message``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from crm.inbox.models import Channel, Conversation, Message, Transport
from crm.inbox.services.inbound import store_inbound
from crm.inbox.services.sending import send_message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.leads.lead_pages import make_lead, make_property

HTMX = {"HTTP_HX_REQUEST": "true"}


def pane_htmx() -> dict[str, str]:
    return {**HTMX, "HTTP_HX_TARGET": "pane"}


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    return make_property(team_a, name="Maple Court", timezone="America/Los_Angeles", sms_number="+15125550123")


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return make_lead(
        team_a, first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="(512) 555-0100", property=place
    )


def receive(world: TeamWorld, lead: Lead, body: str, *, channel: str = Channel.SMS, sid: str = "") -> Message:
    """A text from the prospect, stored as the intake stores it."""
    with team_scope(world.team):
        _, message = store_inbound(
            lead=lead, channel=channel, body=body, provider_id=sid, transport=Transport.TWILIO,
            from_address=lead.phone, to_address=lead.property.sms_number if lead.property else "",
            property=lead.property,
        )  # fmt: skip
    return message


def reply(world: TeamWorld, lead: Lead, body: str, *, role: str = Role.AGENT, **kwargs: Any) -> Message:
    with team_scope(world.team):
        return send_message(lead=lead, body=body, user=world.user(role), **kwargs)


@pytest.fixture
def thread(team_a: TeamWorld, ada: Lead) -> Conversation:
    """Ada's text thread with one text from her (unread)."""
    message = receive(team_a, ada, "Hi! Is the 2-bed still available?", sid="SM" + "a" * 32)
    with team_scope(team_a.team):
        return Conversation.objects.get(pk=message.conversation_id)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """Run on-commit callbacks (deliveries, event processing) as if the request's transaction committed."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)  # type: ignore[no-any-return]

    return run


@pytest.fixture
def scoped(team_a: TeamWorld) -> Iterator[None]:
    with team_scope(team_a.team):
        yield
