"""Acceptance: on the Kanban board, in Debian's Chromium, a card dragged to another column stays
there after a reload; the stage select does the same from the keyboard; a refused move puts the
card back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from crm.leads.models import Lead, Stage
from crm.leads.selectors import COLUMN_PAGE_SIZE
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.browser.sessions import log_in
from tests.conftest import TeamWorld
from tests.factories import LeadFactory

pytestmark = pytest.mark.browser


def column(page: Page, stage: str) -> Locator:
    return page.locator(f'.board-cards[data-stage="{stage}"]')


def drag(page: Page, card: Locator, target: Locator) -> None:
    """Press on the card's facts (not its link or select), glide to the column, let go."""
    source = card.locator(".card-facts").bounding_box()
    goal = target.bounding_box()
    assert source is not None
    assert goal is not None
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 40, steps=20)
    page.mouse.up()


def stage_of(world: TeamWorld, lead: Lead) -> str:
    with team_scope(world.team):
        lead.refresh_from_db()
    return lead.stage


def test_a_dragged_card_is_in_its_new_column_after_a_reload(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        lead = LeadFactory(team=team_a.team, first_name="Dana", last_name="Dragwell", stage=Stage.NEW)
        LeadFactory(team=team_a.team, stage=Stage.NEW)
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/")
    card = page.locator(f"#card-{lead.id}")
    expect(column(page, "new").locator(card)).to_be_visible()
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-toured")).to_have_text("0")
    expect(card.get_by_role("button", name="Move")).to_be_hidden()  # JavaScript moves on change

    drag(page, card, column(page, "toured"))

    expect(page.locator("#toasts").get_by_text("Dana Dragwell moved to Toured.")).to_be_visible()
    expect(column(page, "toured").locator(card)).to_be_visible()
    expect(page.locator("#count-toured")).to_have_text("1")
    expect(page.locator("#count-new")).to_have_text("1")
    expect(card.get_by_label("Stage of Dana Dragwell")).to_have_value("toured")
    assert stage_of(team_a, lead) == Stage.TOURED

    page.reload()
    expect(column(page, "toured").locator(f"#card-{lead.id}")).to_be_visible()
    expect(column(page, "new").locator(f"#card-{lead.id}")).to_have_count(0)

    assert console_errors == []


def test_the_stage_select_moves_a_card_from_the_keyboard(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        lead = LeadFactory(team=team_a.team, first_name="Kim", last_name="Keys", stage=Stage.CONTACTED)
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/")
    select = page.get_by_label("Stage of Kim Keys")
    select.focus()
    select.select_option("applied")

    expect(column(page, "applied").locator(f"#card-{lead.id}")).to_be_visible()
    expect(page.get_by_label("Stage of Kim Keys")).to_be_focused()  # focus follows the card
    expect(page.locator("#count-applied")).to_have_text("1")
    expect(page.locator("#count-contacted")).to_have_text("0")
    assert stage_of(team_a, lead) == Stage.APPLIED
    assert console_errors == []

    page.locator(f"#card-{lead.id}").focus()
    page.keyboard.press("Enter")  # a focused card opens the lead
    expect(page).to_have_url(re.compile(rf"/leads/{lead.id}/$"))


def test_a_refused_move_puts_the_card_back(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        lead = LeadFactory(team=team_a.team, first_name="Rae", last_name="Refused", stage=Stage.NEW)
    agent = team_a.membership(Role.AGENT)
    log_in(page, live_server, agent.user)
    page.goto("/leads/")
    card = page.locator(f"#card-{lead.id}")
    expect(card).to_be_visible()

    with team_scope(team_a.team):  # demoted while the page is open
        agent.role = Role.VIEWER
        agent.save(update_fields=["role"])
    drag(page, card, column(page, "leased"))

    expect(page.locator("#toasts").get_by_text("You don't have permission to do that.")).to_be_visible()
    expect(column(page, "new").locator(card)).to_be_visible()
    expect(card.get_by_label("Stage of Rae Refused")).to_have_value("new")
    expect(page.locator("#count-leased")).to_have_text("0")
    assert stage_of(team_a, lead) == Stage.NEW
    # The 403 itself is logged by the browser as a failed resource load; nothing else may be.
    assert [error for error in console_errors if "403" not in error] == []


def test_filters_live_in_the_address_and_long_columns_load_as_they_scroll(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        for n in range(COLUMN_PAGE_SIZE + 10):
            LeadFactory(team=team_a.team, first_name=f"Zillow{n:02d}", source="zillow", stage=Stage.NEW)
        LeadFactory(team=team_a.team, first_name="Walker", source="walk_in", stage=Stage.NEW)
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/")
    walker = page.get_by_role("link", name=re.compile(r"^Walker "))
    expect(page.locator("#count-new")).to_have_text(str(COLUMN_PAGE_SIZE + 11))

    page.get_by_label("Source").select_option(label="Zillow")
    expect(page).to_have_url(re.compile(r"/leads/\?source=zillow$"))
    expect(page.locator("#count-new")).to_have_text(str(COLUMN_PAGE_SIZE + 10))
    new_cards = column(page, "new").locator(".card")
    # The first page, then the next one as the end of the column scrolls into view.
    column(page, "new").locator(".board-more").scroll_into_view_if_needed()
    expect(new_cards).to_have_count(COLUMN_PAGE_SIZE + 10)
    expect(column(page, "new").locator(".board-more")).to_have_count(0)
    expect(walker).to_have_count(0)

    page.reload()
    expect(page.get_by_label("Source")).to_have_value("zillow")
    expect(page.locator("#count-new")).to_have_text(str(COLUMN_PAGE_SIZE + 10))
    expect(walker).to_have_count(0)

    page.get_by_role("link", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"/leads/$"))
    expect(walker).to_be_visible()
    assert console_errors == []
