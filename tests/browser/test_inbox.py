"""Acceptance: the inbox in Debian's Chromium under the strict CSP. An inbound text (through the
simulator, then a signed webhook request from the outside) appears in the open pane without a
reload; the agent replies with Ctrl+Enter, the reply shows as sent to the local outbox, and the
outbox page lists it."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect
from twilio.request_validator import RequestValidator

from crm.inbox.models import Message
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from integrations.credentials import twilio_webhook_token
from tests.browser.sessions import log_in
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory

pytestmark = pytest.mark.browser


def text_from_outside(world: TeamWorld, *, to: str, from_: str, body: str) -> None:
    """What Twilio does: a signed form post to the webhook, from outside the browser."""
    sid = "SM" + secrets.token_hex(16)
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": from_, "To": to, "Body": body, "NumMedia": "0"}
    path = reverse("webhooks:twilio-sms")
    token = twilio_webhook_token(world.team)
    assert token is not None
    signature = RequestValidator(token).compute_signature(django_settings.SITE_URL + path, params)
    response = Client().post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 200, response.content


def test_an_inbound_text_appears_live_and_the_reply_goes_to_the_outbox(
    page: Page, live_server: Any, team_a: TeamWorld, console_errors: list[str], settings: Any
) -> None:
    settings.INBOX_SIMULATOR = True
    with team_scope(team_a.team):
        PropertyFactory(team=team_a.team, name="Maple Court", sms_number="+15125550123")
    log_in(page, live_server, team_a.user(Role.AGENT))
    page.goto("/inbox/")
    expect(page.get_by_text("Inbox zero")).to_be_visible()
    page.evaluate("window.inboxTestMarker = 'same page'")

    # The simulator signs a Twilio-shaped request and drives the real webhook and intake.
    page.get_by_text("Simulate an inbound text").click()
    page.get_by_label("From phone").fill("(512) 555-0142")
    page.get_by_label("Text", exact=True).fill("Hi! Is the 2-bed still available?")
    with page.expect_response("**/inbox/simulate/") as answer:
        page.get_by_role("button", name="Simulate text").click()
    assert answer.value.status == 200, (answer.value.status, answer.value.text()[:2000], console_errors)
    messages = page.locator("#pane .messages")
    expect(messages.get_by_text("Hi! Is the 2-bed still available?")).to_be_visible()
    expect(page.locator("#thread-list").get_by_text("Hi! Is the 2-bed still available?")).to_be_visible()

    # A second text arrives from outside while the thread is open: the pane's poll brings it in.
    text_from_outside(team_a, to="+15125550123", from_="+15125550142", body="Also, are cats allowed?")
    expect(messages.get_by_text("Also, are cats allowed?")).to_be_visible(timeout=8000)
    expect(messages.locator(".message-inbound")).to_have_count(2)

    # Reply with Ctrl+Enter: the row lands in the pane as sent to the local outbox.
    box = page.get_by_label("Reply by text")
    box.fill("Yes to both! Want to tour on Saturday?")
    expect(page.locator("#sms-counter")).to_have_text("38 characters · 1 segment")
    box.press("Control+Enter")
    reply = messages.locator(".message-outbound", has_text="Yes to both! Want to tour on Saturday?")
    expect(reply).to_be_visible()
    expect(reply.locator(".badge-outbox")).to_have_text("Outbox")
    expect(reply).to_contain_text("Sent to the local outbox")
    expect(page.get_by_label("Reply by text")).to_have_value("")
    # The next poll sends the same row again: it is kept once.
    page.wait_for_timeout(3500)
    expect(reply).to_have_count(1)
    assert page.evaluate("window.inboxTestMarker") == "same page", "the page was reloaded"

    with team_scope(team_a.team):
        sent = Message.objects.get(direction="outbound", system=False)
    assert (sent.status, sent.transport) == ("sent", "outbox")

    page.goto("/inbox/outbox/")
    row = page.locator(f"#outbox-{sent.pk}")
    expect(row).to_contain_text("Yes to both! Want to tour on Saturday?")
    expect(row).to_contain_text("+15125550142")
    assert console_errors == []
