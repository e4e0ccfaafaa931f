"""Acceptance: a new customer signs up, verifies their email, logs in, invites a teammate and
switches between their own team and a team that invited them, all in Debian's Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from crm.teams.models import Invitation, Membership, Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from crm.teams.services import invitation_create
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "Harbor-Lights-2049"
ALICE = "alice@example.com"
BOB = "bob@example.com"
HARBOR = "Harbor Point Management"
RENTALS = "Alice Rentals"

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")
INVITATION_LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")


def link_in(outbox: list[EmailMessage], *, to: str, pattern: re.Pattern[str]) -> str:
    """The one link matching ``pattern`` in the latest email sent to ``to``."""
    messages = [m for m in outbox if to in m.to]
    assert messages, f"no email was sent to {to}; outbox: {[(m.to, m.subject) for m in outbox]}"
    links = pattern.findall(messages[-1].body)
    assert len(links) == 1, f"expected one link in the email to {to}, got {links}:\n{messages[-1].body}"
    return links[0]


def test_sign_up_verify_log_in_invite_and_switch_teams(
    page: Page, live_server: Any, settings: Any, mailoutbox: list[EmailMessage], console_errors: list[str]
) -> None:
    settings.SITE_URL = live_server.url  # invitation links point at the live server

    # Arrange: an existing team whose owner has invited Alice, before she has an account.
    harbor = TeamFactory(name=HARBOR)
    with scopes_disabled():
        harbor_owner = MembershipFactory(team=harbor, role=Role.OWNER, user=UserFactory(name="Hana Owner"))
    with team_scope(harbor):
        invitation_create(actor=harbor_owner, email=ALICE, role=Role.AGENT)
    alice_invitation_link = link_in(mailoutbox, to=ALICE, pattern=INVITATION_LINK)
    assert alice_invitation_link.startswith(live_server.url + "/invitations/")

    # 1. Sign up: Alice and her company's new team.
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Alice Moreno")
    page.get_by_label("Email").fill(ALICE)
    page.get_by_label("Company name").fill(RENTALS)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # 2. Verify the email address with the link from the confirmation email.
    page.goto(link_in(mailoutbox, to=ALICE, pattern=CONFIRM_LINK))
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # 3. Log in: the dashboard greets Alice in her own team, the only one she belongs to.
    page.get_by_label("Email").fill(ALICE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Good (morning|afternoon|evening), Alice$"))
    expect(page.locator(".page-header .muted")).to_have_text(f"{RENTALS} · you are owner")
    expect(page.get_by_test_id("current-team")).to_have_text(RENTALS)

    # 4. Invite Bob as a leasing agent from the team page (an htmx form).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    page.get_by_label("Email address", exact=True).fill(BOB)
    page.get_by_label("Role", exact=True).select_option(label="Leasing agent")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#toasts").get_by_text(f"Invitation sent to {BOB}.")).to_be_visible()
    expect(page.locator("#invitation-list")).to_contain_text(f"{BOB} as Leasing agent")
    expect(page.get_by_label("Email address", exact=True)).to_have_value("")  # the panel came back with a fresh form
    bob_link = link_in(mailoutbox, to=BOB, pattern=INVITATION_LINK)
    assert bob_link.startswith(live_server.url + "/invitations/")
    with scopes_disabled():
        rentals = Team.objects.get(name=RENTALS)
        assert Invitation.objects.get(team=rentals, email=BOB).role == Role.AGENT

    # 5. Accept Harbor Point's invitation: Alice now belongs to two teams and is in Harbor Point.
    page.goto(alice_invitation_link)
    expect(page.get_by_role("heading", name=f"Join {HARBOR}")).to_be_visible()
    page.get_by_role("button", name=f"Accept and join {HARBOR}").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("#toasts").get_by_text(f"Welcome to {HARBOR}.")).to_be_visible()
    expect(page.locator(".page-header .muted")).to_have_text(f"{HARBOR} · you are leasing agent")
    switcher = page.get_by_label("Current team")
    expect(switcher).to_have_value(str(harbor.id))
    expect(switcher.locator("option")).to_have_text([RENTALS, HARBOR])  # alphabetical
    expect(page.get_by_role("button", name="Switch", exact=True)).to_be_hidden()  # JS submits on change
    with scopes_disabled():
        assert set(Membership.objects.filter(user__email=ALICE).values_list("team__name", "role")) == {
            (RENTALS, Role.OWNER),
            (HARBOR, Role.AGENT),
        }

    # 6. Switch to Alice Rentals with the topbar switcher, then back to Harbor Point.
    switcher.select_option(label=RENTALS)
    expect(page.locator("#toasts").get_by_text(f"Switched to {RENTALS}.")).to_be_visible()
    expect(page.locator(".page-header .muted")).to_have_text(f"{RENTALS} · you are owner")
    expect(switcher).to_have_value(str(rentals.id))

    switcher.select_option(label=HARBOR)
    expect(page.locator("#toasts").get_by_text(f"Switched to {HARBOR}.")).to_be_visible()
    expect(page.locator(".page-header .muted")).to_have_text(f"{HARBOR} · you are leasing agent")
    expect(switcher).to_have_value(str(harbor.id))

    # The team page now shows Harbor Point's members, not Alice Rentals'.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.locator("#member-rows")).to_contain_text("Hana Owner")
    expect(page.locator("#member-rows")).to_contain_text("Alice Moreno")

    # The strict CSP held: no violations or script errors on any page.
    assert console_errors == []
