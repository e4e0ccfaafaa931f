"""Approving and rejecting from the pages: in place with htmx, with a redirect without it."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from agents.models import AgentActivity, PendingAction, PendingStatus
from crm.leads.models import Lead, LeadActivity, Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_ui.conftest import HTMX, World, open_slot, propose_tour


def approve_url(action: PendingAction) -> str:
    return reverse("agents:action-approve", kwargs={"action_id": action.pk})


def reject_url(action: PendingAction) -> str:
    return reverse("agents:action-reject", kwargs={"action_id": action.pk})


def test_approving_books_the_tour_and_says_so_in_place(world: World) -> None:
    action = propose_tour(world)
    start = open_slot(world.property)
    response = world.client(Role.AGENT).post(approve_url(action), {"next": "/agents/leasing/"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Booked a tour at Maple Court for {start:%a %b %-d, %-I:%M %p}" in body
    assert 'class="agent-action action-approved"' in body
    assert "Approve</button>" not in body
    events = json.loads(response["HX-Trigger"])
    assert {"agent-activity-changed", "lead-tours-changed", "lead-timeline-changed"} <= set(events)
    with team_scope(world.team.team):
        tour = Tour.objects.get()
        action.refresh_from_db()
        assert (tour.lead_id, tour.starts_at) == (world.ada.pk, start)
        assert (action.status, action.decided_by) == (PendingStatus.APPROVED, world.user(Role.AGENT))
        assert Lead.objects.get(pk=world.ada.pk).stage == "tour_scheduled"
        assert LeadActivity.objects.filter(lead=world.ada, kind="tour").exists()


def test_approving_twice_books_once(world: World) -> None:
    action = propose_tour(world)
    client = world.client(Role.MANAGER)
    client.post(approve_url(action), **HTMX)
    again = client.post(approve_url(action), **HTMX)
    assert again.status_code == 200
    assert "This was already decided. Booked a tour" in again.content.decode()
    with team_scope(world.team.team):
        assert Tour.objects.count() == 1
        assert AgentActivity.objects.filter(kind="approval").count() == 1


def test_rejecting_books_nothing(world: World) -> None:
    action = propose_tour(world)
    response = world.client().post(reject_url(action), **HTMX)
    assert "Rejected." in response.content.decode()
    with team_scope(world.team.team):
        action.refresh_from_db()
        assert action.status == PendingStatus.REJECTED
        assert not Tour.objects.exists()
    # A rejected action cannot be approved afterwards.
    world.client().post(approve_url(action), **HTMX)
    with team_scope(world.team.team):
        assert not Tour.objects.exists()


def test_without_javascript_a_decision_redirects_back_with_a_message(world: World) -> None:
    action = propose_tour(world)
    client = world.client()
    lead_page = reverse("leads:detail", kwargs={"lead_id": world.ada.pk})
    response = client.post(approve_url(action), {"next": lead_page})
    assert response.status_code == 302
    assert response["Location"] == lead_page
    page = client.get(lead_page).content.decode()
    assert "Booked a tour at Maple Court" in page


def test_an_outside_next_url_is_ignored(world: World) -> None:
    action = propose_tour(world)
    response = world.client().post(reject_url(action), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("agents:index")


def test_a_tour_that_no_longer_fits_fails_plainly(world: World) -> None:
    action = propose_tour(world)
    with team_scope(world.team.team):
        PendingAction.objects.filter(pk=action.pk).update(
            arguments={**action.arguments, "starts_at": open_slot(world.property, hour=22).isoformat()}
        )
    response = world.client().post(approve_url(action), **HTMX)
    body = response.content.decode()
    assert "Approved, but it could not be done" in body
    with team_scope(world.team.team):
        assert not Tour.objects.exists()


def test_an_expired_action_says_so(world: World) -> None:
    action = propose_tour(world)
    with team_scope(world.team.team):
        PendingAction.objects.filter(pk=action.pk).update(expires_at=timezone.now())
    body = world.client().post(approve_url(action), **HTMX).content.decode()
    assert "Expired" in body
