"""Acceptance: a new lead arrives scored; an agent reads what the score is made of and rescores
it after a change, without a page reload and under the strict CSP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm.leads.models import Lead
from crm.leads.services.leads import lead_create
from crm.properties.models import Unit
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.browser.test_lead_card import log_in, unexpected
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory, UnitFactory

pytestmark = pytest.mark.browser


def test_an_agent_sees_the_factors_and_rescores_after_a_unit_frees_up(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str]
) -> None:
    with team_scope(team_a.team):
        place = PropertyFactory(team=team_a.team, name="Maple Court")
        lead, _ = lead_create(  # committed: the rescore it schedules runs (eagerly) at once
            team=team_a.team,
            data={
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "source": "referral",
                "property": place,
                "desired_beds": 2,
                "budget_max": 1700,
                "move_in_date": timezone.now().date() + timedelta(days=20),
            },
        )
        first = Lead.objects.get(pk=lead.pk).score
    assert first is not None

    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/leads/")
    badge = page.locator(f"#card-{lead.pk} .card-score")
    expect(badge).to_have_attribute("title", f"Score {first} of 100: Move-in timing +15, Source +10, Recency +10")

    page.goto(f"/leads/{lead.pk}/")
    panel = page.locator("#lead-score")
    budget = panel.get_by_role("row", name="Budget fit")
    expect(budget).to_contain_text("No available unit of the wanted size to compare")
    expect(budget).to_contain_text("+8 of 15")  # neutral: nothing to compare with

    with team_scope(team_a.team):
        UnitFactory(property=place, beds=2, rent=1600)
        assert Unit.objects.count() == 1
    panel.get_by_role("button", name="Rescore").click()
    expect(page.locator("#toasts").get_by_text(f"Ada Lovelace scores {first + 7}.")).to_be_visible()
    expect(budget).to_contain_text("1 available unit within budget")
    expect(panel.locator(".score-value")).to_have_text(str(first + 7))
    expect(page.locator("#lead-summary .score-badge")).to_have_text(f"Score {first + 7}")
    assert unexpected(console_errors) == []
