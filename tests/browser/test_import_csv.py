"""Acceptance: a manager imports a CSV with one bad row, sees that row's error reported and the rest
imported; and the progress page follows a running import without a reload, all in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from crm.leads.models import ImportStatus, Lead, LeadImport
from crm.leads.services.imports import lead_import_create, lead_import_run
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.factories import PASSWORD, MembershipFactory, PropertyFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser

MANAGER = "mina@example.com"
OPEN_HOUSE = """First Name,Last Name,E-mail,Phone Number,Move-in,Beds
Ana,Ruiz,ana@example.com,(512) 555-0101,03/01/2026,2
Bo,Chen,bo@example.com,512-555-0102,,1
Cy,Diaz,cy@example.com,555,,studio
Di,Evans,di@example.com,512.555.0104,2026-04-15,3
Ed,Fox,ed@example.com,+1 512 555 0105,,2
"""


@pytest.fixture
def team(live_server: Any) -> Any:
    team = TeamFactory(name="Harbor Point Management")
    with scopes_disabled():
        MembershipFactory(team=team, role=Role.MANAGER, user=UserFactory(name="Mina Manager", email=MANAGER))
        PropertyFactory(team=team, name="The Oaks")
    return team


def log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_importing_a_csv_with_one_bad_row_reports_it_and_imports_the_rest(
    page: Page, live_server: Any, team: Any, console_errors: list[str]
) -> None:
    log_in(page)

    # 1. Upload the file, with The Oaks for rows that do not name a property.
    page.goto("/leads/imports/new/")
    expect(page.get_by_role("heading", name="Import leads from a CSV")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "open-house.csv", "mimeType": "text/csv", "buffer": OPEN_HOUSE.encode()}]
    )
    page.get_by_label("Property").select_option(label="The Oaks")
    page.get_by_role("button", name="Upload and match columns").click()

    # 2. The columns were guessed from their names; the preview shows the first rows.
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    expect(page.get_by_label("E-mail: import as")).to_have_value("email")
    expect(page.get_by_label("Phone Number: import as")).to_have_value("phone")
    expect(page.get_by_label("Move-in: import as")).to_have_value("move_in_date")
    expect(page.get_by_label("Beds: import as")).to_have_value("desired_beds")
    expect(page.get_by_role("region", name="The first 5 rows")).to_contain_text("cy@example.com")
    page.get_by_role("button", name="Import 5 rows").click()

    # 3. Progress reaches the end; the report names the bad row and why.
    expect(page).to_have_url(re.compile(r"/leads/imports/[0-9a-f-]+/$"))
    status = page.locator("#import-status")
    expect(status.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(status.get_by_test_id("import-summary")).to_have_text("4 imported, 1 error")
    expect(page.locator("#import-progress")).to_have_attribute("value", "5")
    report = page.get_by_role("region", name="Rows not imported")
    expect(report.get_by_role("row")).to_have_count(2)  # the header and row 4
    bad_row = report.get_by_role("row", name=re.compile(r"^4\b"))
    expect(bad_row).to_contain_text("cy@example.com")
    expect(bad_row).to_contain_text("Phone: “555” is not a valid phone number.")

    # The four good rows are leads of this team, at The Oaks.
    with team_scope(team):
        leads = Lead.objects.select_related("property").order_by("first_name")
        assert [lead.first_name for lead in leads] == ["Ana", "Bo", "Di", "Ed"]
        assert {lead.property.name for lead in leads} == {"The Oaks"}
        assert Lead.objects.get(first_name="Di").phone == "+15125550104"

    # The imports page lists it.
    page.get_by_role("link", name="Imports", exact=True).click()
    expect(page.get_by_role("link", name="open-house.csv")).to_be_visible()

    assert console_errors == []


def test_the_progress_page_follows_a_running_import_without_a_reload(
    page: Page, live_server: Any, team: Any, console_errors: list[str]
) -> None:
    with team_scope(team):
        lead_import = lead_import_create(
            team=team, filename="waiting.csv", raw=b"Email\na@example.com\nb@example.com\nnope\n"
        )
        LeadImport.objects.filter(pk=lead_import.pk).update(mapping={"email": 0})  # mapped, not yet run
    log_in(page)

    page.goto(f"/leads/imports/{lead_import.pk}/")
    expect(page.get_by_role("heading", name="Waiting…")).to_be_visible()
    expect(page.locator("#import-progress")).to_have_attribute("value", "0")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    with team_scope(team):
        assert lead_import_run(team=team, import_id=str(lead_import.pk)).status == ImportStatus.DONE

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=5_000)
    expect(page.get_by_test_id("import-summary")).to_have_text("2 imported, 1 error")
    expect(page.get_by_role("region", name="Rows not imported")).to_contain_text("“nope” is not a valid email address.")
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#import-status")).not_to_have_attribute("hx-trigger", re.compile(".*"))
    assert console_errors == []
