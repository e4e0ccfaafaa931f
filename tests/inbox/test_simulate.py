"""The development simulator: a signed request through the real Twilio webhook and intake.

Transactional: the webhook stores the event and the (eager) task runs when that commits, as it
does in development, so the thread exists by the time the simulator answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from crm.inbox.models import Conversation, InboundEvent, Message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.inbox.conftest import HTMX
from tests.leads.lead_pages import make_property

pytestmark = pytest.mark.django_db(transaction=True)

SIMULATE = reverse("inbox:simulate")


@pytest.fixture
def simulator_on(settings: Any) -> None:
    settings.INBOX_SIMULATOR = True


def form(place: Property, **changes: str) -> dict[str, str]:
    return {"property": str(place.pk), "from_phone": "(512) 555-0142", "body": "Hi, is the 1-bed available?"} | changes


def test_a_simulated_text_creates_the_lead_thread_and_message_through_the_webhook(
    team_a: TeamWorld, place: Property, simulator_on: None
) -> None:
    response = login(team_a.user(Role.AGENT)).post(SIMULATE, form(place))
    with team_scope(team_a.team):
        lead = Lead.objects.get(phone="+15125550142")
        conversation = Conversation.objects.get(lead=lead)
        message = conversation.messages.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk})
    assert (message.body, message.direction, message.transport) == ("Hi, is the 1-bed available?", "inbound", "twilio")
    assert message.provider_id.startswith("SM")
    assert len(message.provider_id) == 34
    assert (lead.property, conversation.unread) == (place, True)
    event = InboundEvent.objects.get(event_id=message.provider_id)
    assert (event.kind, event.status, event.team_id) == ("twilio.sms", "processed", team_a.team.pk)
    assert event.payload["To"] == place.sms_number


def test_with_htmx_the_pane_swaps_to_the_thread(team_a: TeamWorld, place: Property, simulator_on: None) -> None:
    response = login(team_a.user(Role.AGENT)).post(SIMULATE, form(place, body="Pets?"), **HTMX)
    with team_scope(team_a.team):
        conversation = Conversation.objects.get(lead__phone="+15125550142")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#pane"
    assert response["HX-Push-Url"] == reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk})
    assert "Pets?" in response.content.decode()
    assert conversation.unread is False  # the pane opened on it


def test_a_simulated_stop_opts_the_lead_out(team_a: TeamWorld, place: Property, simulator_on: None) -> None:
    client = login(team_a.user(Role.AGENT))
    client.post(SIMULATE, form(place, body="Hello"))
    client.post(SIMULATE, form(place, body="STOP"))
    with team_scope(team_a.team):
        lead = Lead.objects.get(phone="+15125550142")
        from crm.inbox.services.consent import consent_state

        assert consent_state(lead, "sms") == "opted_out"
        confirmation = Message.objects.filter(lead=lead, system=True).get()
    assert "unsubscribed" in confirmation.body


def test_bad_input_is_a_form_error(team_a: TeamWorld, place: Property, simulator_on: None) -> None:
    response = login(team_a.user(Role.AGENT)).post(SIMULATE, form(place, from_phone="12"), **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#simulate-form"
    assert "Enter a valid phone number." in response.content.decode()


def test_only_properties_with_a_number_of_this_team_can_be_chosen(
    team_a: TeamWorld, team_b: TeamWorld, simulator_on: None
) -> None:
    theirs = make_property(team_b, name="Bravo Place", sms_number="+15125550888")
    silent = make_property(team_a, name="No Number Court")
    client = login(team_a.user(Role.AGENT))
    for place in (theirs, silent):
        assert client.post(SIMULATE, form(place)).status_code == 422
    assert not InboundEvent.objects.exists()


def test_the_simulator_is_a_404_when_it_is_off(team_a: TeamWorld, place: Property, settings: Any) -> None:
    settings.INBOX_SIMULATOR = False
    assert login(team_a.user(Role.AGENT)).post(SIMULATE, form(place)).status_code == 404
    assert not InboundEvent.objects.exists()


def test_viewers_cannot_simulate(team_a: TeamWorld, place: Property, simulator_on: None) -> None:
    assert login(team_a.user(Role.VIEWER)).post(SIMULATE, form(place)).status_code == 403
    assert not InboundEvent.objects.exists()
