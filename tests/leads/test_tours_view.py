"""Booking a tour from the guest card, in the property's time zone, and recording its outcome."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from crm.leads.models import Lead, Stage, Tour, TourStatus
from crm.leads.services.tours import tour_schedule
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import (
    HTMX,
    make_lead,
    make_property,
    open_day,
    reload,
    triggers,
    url,
)


def tour_data(place: Property, agent: Any, day: date, at: str, **extra: str) -> dict[str, str]:
    return {"property": str(place.pk), "agent": str(agent.pk), "date": day.isoformat(), "time": at, **extra}


def test_the_tour_form_shows_free_times_in_the_propertys_zone(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    day = open_day(place)
    agent = team_a.user(Role.AGENT)
    response = login(agent).get(url("tour-add", ada), {"date": day.isoformat()})

    body = response.content.decode()
    assert response.status_code == 200
    assert "America/Los_Angeles" in body
    assert f"selected>{agent.display_name}</option>" in body, "the person booking is the default agent"
    assert 'data-slot-time="09:00"' in body
    assert 'data-slot-time="17:30"' in body
    assert 'data-slot-time="18:00"' not in body


def test_the_free_times_fragment_follows_the_chosen_day(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    sunday = open_day(place) - timedelta(days=1)
    response = login(team_a.user(Role.AGENT)).get(
        url("tour-add", ada),
        {"panel": "slots", "property": str(place.pk), "agent": str(team_a.user(Role.AGENT).pk), "date": sunday},
        **HTMX,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="tour-slots"')
    assert "No free times that day" in body


def test_booking_a_tour_uses_the_propertys_wall_clock(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    day = open_day(place)
    agent = team_a.user(Role.AGENT)

    response = login(agent).post(url("tour-add", ada), tour_data(place, agent, day, "10:30", notes="Bring keys"))

    assert response.status_code == 302
    assert response["Location"] == url("detail", ada) + "#lead-tours"
    with team_scope(team_a.team):
        tour = Tour.objects.get()
    assert tour.starts_at == datetime.combine(day, time(10, 30), place.tz)
    assert (tour.agent, tour.notes, tour.created_by) == (agent, "Bring keys", agent)
    assert reload(team_a, ada).stage == Stage.TOUR_SCHEDULED


def test_a_tour_outside_office_hours_is_refused_on_the_form(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(url("tour-add", ada), tour_data(place, agent, open_day(place), "07:00"), **HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert "Maple Court is closed at" in body
    assert "(America/Los_Angeles)" in body
    assert 'value="07:00"' in body
    with team_scope(team_a.team):
        assert not Tour.objects.exists()


def test_a_double_booking_is_refused_on_the_form(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    agent = team_a.user(Role.AGENT)
    day = open_day(place)
    client = login(agent)
    client.post(url("tour-add", ada), tour_data(place, agent, day, "10:00"))

    response = client.post(url("tour-add", ada), tour_data(place, agent, day, "10:15"), **HTMX)

    assert response.status_code == 422
    assert "already has a tour then" in response.content.decode()


def test_an_incomplete_tour_form_is_refused(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(url("tour-add", ada), tour_data(place, agent, open_day(place), ""))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_a_tour_booked_in_the_dialog_closes_it_and_refreshes_the_page(
    team_a: TeamWorld, ada: Lead, place: Property
) -> None:
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(
        url("tour-add", ada), tour_data(place, agent, open_day(place), "11:00", dialog="1"), **HTMX
    )

    assert response.status_code == 204
    events = triggers(response)
    assert {"dialog-close", "lead-tours-changed", "lead-tasks-changed", "lead-timeline-changed"} <= set(events)
    assert "Tour booked at Maple Court" in events["toasts"][0]["message"]


def test_showing_free_times_without_javascript_books_nothing(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    agent = team_a.user(Role.AGENT)
    day = open_day(place) + timedelta(days=1)
    response = login(agent).post(url("tour-add", ada), tour_data(place, agent, day, "", show_slots="1"))

    assert response.status_code == 200
    assert day.strftime("%A") in response.content.decode()
    with team_scope(team_a.team):
        assert not Tour.objects.exists()


def test_a_viewer_cannot_book_a_tour(team_a: TeamWorld, ada: Lead, place: Property) -> None:
    client = login(team_a.user(Role.VIEWER))
    agent = team_a.user(Role.AGENT)
    assert client.get(url("tour-add", ada)).status_code == 403
    assert client.post(url("tour-add", ada), tour_data(place, agent, open_day(place), "10:00")).status_code == 403


@pytest.fixture
def tour(team_a: TeamWorld, ada: Lead, place: Property) -> Tour:
    with team_scope(team_a.team):
        return tour_schedule(
            lead=ada,
            property=place,
            agent=team_a.user(Role.AGENT),
            starts_at=datetime.combine(open_day(place), time(14), place.tz),
        )


def test_the_tour_is_listed_in_the_propertys_zone_with_outcome_buttons(
    team_a: TeamWorld, ada: Lead, tour: Tour
) -> None:
    body = login(team_a.user(Role.AGENT)).get(url("detail", ada)).content.decode()
    assert f'id="tour-{tour.pk}"' in body
    assert "2:00 PM P" in body  # PST or PDT
    assert f'action="{url("tour-status", tour)}"' in body


def test_marking_a_tour_completed_moves_the_lead_to_toured(team_a: TeamWorld, ada: Lead, tour: Tour) -> None:
    response = login(team_a.user(Role.AGENT)).post(url("tour-status", tour), {"status": "completed"}, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="tour-{tour.pk}"' in body
    assert "Completed" in body
    assert "Cancel tour" not in body
    assert {"lead-tasks-changed", "lead-timeline-changed", "lead-summary-changed"} <= set(triggers(response))
    assert reload(team_a, ada).stage == Stage.TOURED


def test_a_tour_cannot_be_set_back_to_scheduled_or_to_nonsense(team_a: TeamWorld, tour: Tour) -> None:
    client = login(team_a.user(Role.AGENT))
    for status in ("scheduled", "postponed"):
        assert client.post(url("tour-status", tour), {"status": status}, **HTMX).status_code == 422
    assert client.post(url("tour-status", tour), {"status": "nonsense"}).status_code == 422


def test_a_viewer_cannot_change_a_tour(team_a: TeamWorld, tour: Tour) -> None:
    assert login(team_a.user(Role.VIEWER)).post(url("tour-status", tour), {"status": "cancelled"}).status_code == 403
    with team_scope(team_a.team):
        tour.refresh_from_db()
    assert tour.status == TourStatus.SCHEDULED


def test_another_teams_tour_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    place = make_property(team_b, timezone="America/Chicago")
    lead = make_lead(team_b, first_name="Brenda", email="brenda@example.org", property=place)
    with team_scope(team_b.team):
        tour = tour_schedule(
            lead=lead,
            property=place,
            agent=team_b.user(Role.AGENT),
            starts_at=datetime.combine(open_day(place), time(11), place.tz),
        )
    response = login(team_a.user(Role.OWNER)).post(url("tour-status", tour), {"status": "cancelled"})
    assert response.status_code == 404
    with team_scope(team_b.team):
        tour.refresh_from_db()
    assert tour.status == TourStatus.SCHEDULED
