"""Acceptance: an agent works a guest card in Debian's Chromium without a page reload (stage,
note, task, a tour booked in a dialog from the free slots) and adds a lead that turns out to be
a duplicate, all under the strict CSP."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm.leads.models import Lead, Stage, Tour
from crm.leads.services.leads import lead_create
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.browser.sessions import log_in
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory

pytestmark = pytest.mark.browser


def unexpected(errors: list[str]) -> list[str]:
    """Console errors, less the browser's note about a form answered with 422 on purpose."""
    return [error for error in errors if "status of 422" not in error]


def next_monday(prop: Property) -> date:
    day = timezone.localtime(timezone.now(), prop.tz).date() + timedelta(days=3)
    return day + timedelta(days=(0 - day.weekday()) % 7)


def test_an_agent_works_a_guest_card_without_reloading(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        place = PropertyFactory(team=team_a.team, name="Maple Court", timezone="America/Los_Angeles")
        lead, _ = lead_create(
            team=team_a.team,
            data={"first_name": "Ada", "last_name": "Lovelace", "phone": "5125550100", "property": place},
        )
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto(f"/leads/{lead.pk}/")
    timeline = page.locator("#lead-timeline")
    expect(page.get_by_role("button", name="Move")).to_be_hidden()  # the select submits itself

    # The stage select moves the lead; the timeline refreshes itself.
    page.get_by_label("Stage").select_option("contacted")
    expect(page.locator("#toasts").get_by_text("Ada Lovelace is now Contacted.")).to_be_visible()
    expect(timeline.get_by_text("Moved from New to Contacted")).to_be_visible()

    # A note lands on the timeline and the box empties for the next one.
    page.get_by_label("Add a note").fill("Prefers a ground floor.")
    page.get_by_role("button", name="Add note").click()
    expect(timeline.get_by_text("Prefers a ground floor.")).to_be_visible()
    expect(page.get_by_label("Add a note")).to_have_value("")

    # A task, then ticked off in place.
    page.get_by_text("Add a task").click()
    page.get_by_label("Title").fill("Send the pet policy")
    page.get_by_label("Due").fill("2031-01-15T10:30")
    page.get_by_role("button", name="Add task").click()
    task = page.locator("#lead-tasks li", has_text="Send the pet policy")
    expect(task).to_contain_text("Wed Jan 15, 10:30 AM PST")
    task.get_by_role("button", name=re.compile("^Done")).click()
    expect(task.get_by_role("button", name=re.compile("^Reopen"))).to_be_visible()

    # An invalid phone comes back with its error, and the rest of the card is kept.
    page.get_by_label("Pets").fill("One cat")
    page.locator("#id_phone").fill("555-01")
    page.get_by_role("button", name="Save guest card").click()
    expect(page.locator("#lead-card").get_by_text("is not a valid phone number")).to_be_visible()
    expect(page.get_by_label("Pets")).to_have_value("One cat")

    # A tour, booked in a dialog from the free times of the chosen day.
    monday = next_monday(place)
    page.locator("#lead-summary").get_by_role("link", name="Book a tour").click()
    dialog = page.locator("#tour-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Book a tour for Ada Lovelace")).to_be_visible()
    dialog.get_by_label("Date").fill(monday.isoformat())
    expect(dialog.locator(".slots-title")).to_contain_text(monday.strftime("%A, %b"))
    expect(dialog.get_by_text("in America/Los_Angeles")).to_be_visible()
    dialog.get_by_role("link", name="10:00 AM", exact=True).click()
    expect(dialog.get_by_label("Time")).to_have_value("10:00")
    dialog.get_by_role("button", name="Book tour").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#toasts").get_by_text(re.compile("Tour booked at Maple Court"))).to_be_visible()
    expect(page.locator("#lead-tours")).to_contain_text("10:00 AM P")
    expect(page.locator("#lead-summary .stage-badge")).to_have_text("Tour scheduled")
    with team_scope(team_a.team):
        tour = Tour.objects.get()
        assert timezone.localtime(tour.starts_at, place.tz).hour == 10
        assert Lead.objects.get(pk=lead.pk).stage == Stage.TOUR_SCHEDULED

    # Marking the tour's outcome swaps its row.
    page.locator("#lead-tours").get_by_role("button", name="Completed").click()
    expect(page.locator(f"#tour-{tour.pk}")).to_contain_text("Completed")
    expect(page.locator("#lead-summary .stage-badge")).to_have_text("Toured")

    assert unexpected(console_errors) == []


def test_adding_a_lead_that_already_exists_offers_it_first(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        existing, _ = lead_create(team=team_a.team, data={"first_name": "Ada", "phone": "+15125550100"})
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/new/")

    page.get_by_label("First name").fill("Augusta")
    page.get_by_label("Phone").fill("(512) 555-0100")
    expect(page.locator("#duplicate-hint")).to_contain_text("Already a lead: Ada has this phone number.")
    page.get_by_label("Source", exact=True).select_option("walk_in")
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_role("alert")).to_contain_text("Ada already exists with this phone number")
    page.get_by_role("button", name="Add anyway as a separate lead").click()

    expect(page).to_have_url(re.compile(r"/leads/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Augusta")
    expect(page.locator("#lead-duplicates")).to_contain_text("Same phone")
    with team_scope(team_a.team):
        assert Lead.objects.exclude(pk=existing.pk).get().first_name == "Augusta"
    assert unexpected(console_errors) == []


def test_a_lead_added_in_the_dialog_on_the_board_appears_without_a_reload(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        lead_create(team=team_a.team, data={"first_name": "Ada", "email": "ada@example.com"})
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/")

    page.get_by_role("link", name="Add lead").click()
    dialog = page.locator("#add-lead-dialog")
    expect(dialog.get_by_role("heading", name="Add a lead")).to_be_visible()
    expect(dialog.get_by_label("First name")).to_be_focused()
    dialog.get_by_label("First name").fill("Grace")
    dialog.get_by_label("Email").fill("ADA@example.com")
    expect(dialog.locator("#duplicate-hint")).to_contain_text("Already a lead: Ada has this email.")
    dialog.get_by_label("Email").fill("grace@example.com")
    expect(dialog.locator("#duplicate-hint")).to_be_empty()
    dialog.get_by_role("button", name="Add lead").click()
    expect(dialog.get_by_text("This field is required.")).to_be_visible()  # the source
    dialog.get_by_label("Source", exact=True).select_option("phone")
    dialog.get_by_role("button", name="Add lead").click()

    expect(dialog.get_by_role("heading", name="Added Grace")).to_be_visible()
    expect(page.locator("#board").get_by_role("link", name="Grace")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # Opening it again starts from an empty form.
    page.get_by_role("link", name="Add lead").click()
    expect(dialog.get_by_label("First name")).to_have_value("")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert unexpected(console_errors) == []
