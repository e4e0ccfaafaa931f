"""Acceptance: in Chromium, an agent generates Facebook copy for a demo property, copies a
variation to the clipboard, and saves another as a draft."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from crm.leads import demo
from crm.marketing.models import AdCopyDraft
from crm.marketing.platforms import META_DESCRIPTION_MAX, META_HEADLINE_MAX, META_PRIMARY_TEXT_MAX
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.browser.test_board_drag import log_in
from tests.conftest import TeamWorld

pytestmark = pytest.mark.browser

DEMO_PROPERTY = demo.PROPERTIES[0]["name"]  # Riverside Commons


def test_an_agent_generates_facebook_copy_for_a_demo_property_and_copies_a_variation(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        demo.seed(team_a.team, io.StringIO())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server, team_a.user(Role.AGENT))

    page.goto("/marketing/ad-copy/")
    page.get_by_label("Property").select_option(label=DEMO_PROPERTY)
    page.get_by_label("Platform").select_option("facebook")
    page.get_by_label("Objective").select_option("tours")
    page.get_by_label("Number of variations").fill("3")
    page.get_by_role("button", name="Generate").click()

    results = page.locator("#ad-copy-results")
    expect(results.get_by_role("heading", name=f"3 Facebook variations for {DEMO_PROPERTY}")).to_be_visible()
    expect(page.get_by_test_id("ad-engine")).to_have_text("Offline templates")
    expect(page).to_have_url(re.compile(r"/marketing/ad-copy/$"))  # htmx swapped the results in place
    variations = results.locator("article.ad-variation")
    expect(variations).to_have_count(3)
    for count in results.locator(".ad-count").all_inner_texts():
        used, limit = (int(n) for n in count.split("/"))
        assert limit in {META_PRIMARY_TEXT_MAX, META_HEADLINE_MAX, META_DESCRIPTION_MAX}
        assert 0 < used <= limit

    page.get_by_role("button", name="Copy variation 2").click()

    expect(page.locator("#toasts").get_by_text("Copied to the clipboard.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#variation-2-text").input_value()
    assert copied.startswith("Primary text: ")
    assert "\nHeadline: " in copied
    assert "\nCall to action: " in copied
    assert DEMO_PROPERTY in copied

    variations.nth(0).get_by_role("button", name="Save as draft").click()
    expect(variations.nth(0).get_by_text("Saved.")).to_be_visible()
    expect(page.locator("#toasts").get_by_text(f"Saved as a draft for {DEMO_PROPERTY}.")).to_be_visible()
    with team_scope(team_a.team):
        draft = AdCopyDraft.objects.get()
    assert draft.property.name == DEMO_PROPERTY
    assert draft.plain_text() == page.locator("#variation-1-text").input_value()

    variations.nth(0).get_by_role("link", name="View the draft").click()
    expect(page.get_by_role("heading", name=f"Facebook ad for {DEMO_PROPERTY}")).to_be_visible()

    assert console_errors == []
