"""Adding a lead by hand: the page, the dialog fragment, duplicate detection and "add anyway"."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from crm.leads.models import Lead
from crm.properties.models import Property, PropertyAgent
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import (
    HTMX,
    make_lead,
    summaries,
    triggers,
    url,
)


def new_lead(**changes: Any) -> dict[str, Any]:
    return {"first_name": "Grace", "last_name": "Hopper", "email": "", "phone": "", "source": "walk_in", **changes}


def test_the_add_form_is_a_page_and_a_dialog_fragment(team_a: TeamWorld, place: Property) -> None:
    client = login(team_a.user(Role.AGENT))

    page = client.get(reverse("leads:add"))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert f'<option value="{place.pk}" selected>' in page.content.decode(), "the team's only property is chosen"

    fragment = client.get(reverse("leads:add"), **HTMX).content.decode()
    assert "<html" not in fragment
    assert 'hx-post="/leads/new/"' in fragment


def test_adding_a_lead_opens_its_guest_card(team_a: TeamWorld, place: Property) -> None:
    with team_scope(team_a.team):
        PropertyAgent.objects.create(team=team_a.team, property=place, user=team_a.user(Role.MANAGER))

    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:add"), new_lead(phone="(512) 555-0142", property=str(place.pk))
    )

    with team_scope(team_a.team):
        lead = Lead.objects.get(first_name="Grace")
    assert response.status_code == 302
    assert response["Location"] == url("detail", lead)
    assert (lead.phone, lead.source, lead.property) == ("+15125550142", "walk_in", place)
    assert lead.assigned_to == team_a.user(Role.MANAGER), "round-robin when nobody is chosen"


def test_a_chosen_assignee_beats_the_rotation(team_a: TeamWorld, place: Property) -> None:
    with team_scope(team_a.team):
        PropertyAgent.objects.create(team=team_a.team, property=place, user=team_a.user(Role.MANAGER))
    agent = team_a.user(Role.AGENT)

    login(agent).post(reverse("leads:add"), new_lead(property=str(place.pk), assigned_to=str(agent.pk)))

    with team_scope(team_a.team):
        lead = Lead.objects.get(first_name="Grace")
        assert PropertyAgent.objects.get().last_assigned_at is None
    assert lead.assigned_to == agent


def test_the_same_phone_offers_the_existing_lead_instead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:add"), new_lead(first_name="Augusta", phone="+1 512 555 0100"), **HTMX
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "already exists" in body
    assert "this phone number" in body
    assert f'href="{url("detail", ada)}"' in body
    assert f'name="confirm_duplicate" value="{ada.pk}"' in body
    assert 'value="Augusta"' in body, "what was typed is kept"
    with team_scope(team_a.team):
        assert Lead.objects.count() == 1


def test_the_same_email_in_another_case_offers_the_existing_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("leads:add"), new_lead(email="ADA@example.com"))
    assert response.status_code == 422
    assert "this email" in response.content.decode()


def test_add_anyway_creates_a_separate_lead(team_a: TeamWorld, ada: Lead) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:add"), new_lead(phone="(512) 555-0100", confirm_duplicate=str(ada.pk))
    )

    assert response.status_code == 302
    with team_scope(team_a.team):
        grace = Lead.objects.get(first_name="Grace")
    assert grace.pk != ada.pk
    assert grace.phone == ada.phone
    assert "kept apart from Ada Lovelace" in summaries(team_a, grace)[0]
    assert summaries(team_a, ada) == ["Lead created from Website"], "the existing lead is left alone"


def test_confirming_one_duplicate_does_not_confirm_another(team_a: TeamWorld, ada: Lead) -> None:
    other = make_lead(team_a, first_name="Grace", email="grace@example.com")
    response = login(team_a.user(Role.AGENT)).post(
        reverse("leads:add"), new_lead(email="grace@example.com", confirm_duplicate=str(ada.pk))
    )
    assert response.status_code == 422
    assert f'value="{other.pk}"' in response.content.decode()


def test_adding_in_the_dialog_shows_the_result_and_tells_the_board(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("leads:add"), new_lead(), **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Added Grace Hopper" in body
    assert "Open the guest card" in body
    assert triggers(response)["lead-created"]["stage"] == "new"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "12345"}, "is not a valid phone number"),
        ({"first_name": "", "last_name": ""}, "A lead needs a name, an email or a phone number."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"source": ""}, "This field is required."),
        ({"budget_min": "2000", "budget_max": "1000"}, "The budget&#x27;s maximum is below its minimum."),
    ],
)
def test_an_invalid_new_lead_is_refused_with_the_reason(
    team_a: TeamWorld, changes: dict[str, str], message: str
) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("leads:add"), new_lead(**changes), **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    with team_scope(team_a.team):
        assert not Lead.objects.exists()


def test_a_viewer_cannot_add_leads(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.VIEWER))
    assert client.get(reverse("leads:add")).status_code == 403
    assert client.post(reverse("leads:add"), new_lead()).status_code == 403


def test_the_live_duplicate_check_names_the_match_in_this_team_only(
    team_a: TeamWorld, ada: Lead, bravo_lead: Lead
) -> None:
    client = login(team_a.user(Role.AGENT))
    check = reverse("leads:duplicates")

    hint = client.get(check, {"email": "", "phone": "512-555-0100"}, **HTMX).content.decode()
    assert "Ada Lovelace" in hint
    assert "this phone number" in hint

    both = client.get(check, {"email": "ada@example.com", "phone": "5125550100"}, **HTMX).content.decode()
    assert "this email and phone number" in both

    assert "Brenda" not in client.get(check, {"email": "brenda@example.org"}, **HTMX).content.decode()
    assert client.get(check, {"email": "", "phone": "512"}, **HTMX).content.decode().strip() == ""
