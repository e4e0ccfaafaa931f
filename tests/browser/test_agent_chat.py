"""Acceptance: from a guest card, an agent asks the leasing agent (offline engine) to book a tour,
approves the proposal in the chat without a reload, and finds the tour, its timeline entry and
the AI activity back on the guest card; all in Chromium under the strict CSP."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agents.models import PendingAction, PendingStatus
from agents.runtime import run_turn
from crm.leads.models import Lead, Stage, Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.browser.sessions import log_in
from tests.conftest import TeamWorld
from tests.leads.lead_pages import ada_at, maple_court, open_day

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def offline_engine(settings: Any) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_ENABLED = False


def test_an_agent_books_a_tour_through_the_leasing_agent_and_approves_it(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    agent = team_a.user(Role.AGENT)
    place = maple_court(team_a)  # office hours read in Los Angeles: "10am" means 10:00 there
    lead = ada_at(team_a, place)
    day = open_day(place)  # a Monday, open 9:00 to 18:00
    log_in(page, live_server, agent)

    # From the guest card to the leasing agent, with Ada in context.
    page.goto(f"/leads/{lead.pk}/")
    ai = page.locator("#lead-ai")
    expect(ai.get_by_text("No AI activity for this lead yet.")).to_be_visible()
    ai.get_by_role("link", name="Ask the leasing agent").click()
    expect(page.get_by_role("heading", name="Leasing agent", level=1)).to_be_visible()
    expect(page.get_by_test_id("engine")).to_have_text("Offline engine — connect OPENAI_API_KEY for full answers")
    expect(page.get_by_label("Lead", exact=True)).to_have_value(str(lead.pk))
    page.evaluate("window.__agentChatMarker = 'same page'")

    # Enter sends; the question shows at once, the answer follows in place.
    box = page.get_by_label("Your message")
    box.fill(f"Book a tour for Ada on {day:%b} {day.day} at 10am")
    box.press("Enter")
    log = page.locator("#chat-log")
    expect(log.locator(".chat-user")).to_contain_text(f"Book a tour for Ada on {day:%b} {day.day} at 10am")
    expect(box).to_have_value("")
    answer = log.locator(".chat-assistant").last
    expect(answer.locator(".call-pending_approval")).to_have_text("pending approval")
    expect(answer.locator(".engine-badge")).to_have_text("Offline")
    summary = f"Book a tour of Maple Court for Ada Lovelace on {day:%a %b} {day.day} at 10:00 AM (America/Los_Angeles)"
    expect(answer.locator(".action-summary")).to_contain_text(summary)
    with team_scope(team_a.team):
        assert PendingAction.objects.get().status == PendingStatus.PENDING
        assert not Tour.objects.exists()

    # Approve in place: the outcome replaces the buttons.
    answer.get_by_role("button", name="Approve").click()
    outcome = answer.locator(".action-outcome")
    when = f"{day:%a %b} {day.day}, 10:00 AM"
    expect(outcome).to_have_text(f"Booked a tour at Maple Court for {when} with {agent.display_name}.")
    expect(answer.get_by_role("button", name="Approve")).to_have_count(0)
    assert page.evaluate("window.__agentChatMarker") == "same page", "the page reloaded"
    with team_scope(team_a.team):
        tour = Tour.objects.get()
        assert timezone.localtime(tour.starts_at, place.tz).replace(tzinfo=None) == datetime.combine(day, time(10))
        assert PendingAction.objects.get().status == PendingStatus.APPROVED
        assert Lead.objects.get(pk=lead.pk).stage == Stage.TOUR_SCHEDULED

    # Back on the guest card: the tour, its timeline entry and the AI activity.
    page.goto(f"/leads/{lead.pk}/")
    expect(page.locator("#lead-tours")).to_contain_text(f"{when} P")  # PST or PDT
    expect(page.locator("#lead-timeline")).to_contain_text(f"Tour booked at Maple Court for {when}")
    recent = page.locator("#lead-ai-recent")
    expect(recent.locator("li", has_text="Decision: Book a tour")).to_contain_text("Executed")
    expect(recent.locator("li", has_text=re.compile(r"^\s*Book a tour"))).to_contain_text("Asked for approval")
    expect(page.locator("#lead-ai .agent-action")).to_have_count(0)  # nothing is waiting any more

    assert console_errors == []


def test_approving_on_the_guest_card_refreshes_its_tours_without_a_reload(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    place = maple_court(team_a)
    lead = ada_at(team_a, place)
    day = open_day(place)
    # The leasing agent proposed a tour earlier (the offline engine, as in the chat).
    run_turn(
        agent="leasing",
        team=team_a.team,
        user=team_a.user(Role.AGENT),
        message=f"Book a tour for Ada on {day:%b} {day.day} at 11am",
        context={"lead_id": str(lead.pk)},
        model=None,
    )
    log_in(page, live_server, team_a.user(Role.MANAGER))
    page.goto(f"/leads/{lead.pk}/")
    page.evaluate("window.__leadMarker = 'same page'")
    expect(page.locator("#lead-tours")).to_contain_text("No tours yet.")
    pending = page.locator("#lead-ai .agent-action")
    expect(pending).to_contain_text(f"Book a tour of Maple Court for Ada Lovelace on {day:%a %b} {day.day} at 11:00 AM")

    pending.get_by_role("button", name="Approve").click()
    expect(pending.locator(".action-outcome")).to_contain_text(
        f"Booked a tour at Maple Court for {day:%a %b} {day.day}, 11:00 AM"
    )
    expect(page.locator("#lead-tours")).to_contain_text(f"{day:%a %b} {day.day}, 11:00 AM")
    expect(page.locator("#lead-timeline")).to_contain_text("Tour booked at Maple Court")
    expect(page.locator("#lead-ai-recent li", has_text="Decision: Book a tour")).to_contain_text("Executed")
    expect(page.locator("#lead-summary .stage-badge")).to_have_text("Tour scheduled")
    assert page.evaluate("window.__leadMarker") == "same page"
    assert console_errors == []
