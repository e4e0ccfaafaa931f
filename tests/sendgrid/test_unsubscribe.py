"""The unsubscribe link, followed end to end: from the email's footer to a refused send."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.inbox.models import ConsentRecord
from crm.inbox.services.consent import consent_state
from crm.inbox.services.sending import SendRefused, send_message
from crm.inbox.unsubscribe import make_token
from crm.leads.models import Lead
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.fakes.sendgrid_api import FakeSendGrid
from tests.leads.lead_pages import make_lead
from tests.sendgrid.conftest import send_email

Commit = Callable[[], AbstractContextManager[Any]]


def unsubscribe_path(fake: FakeSendGrid) -> str:
    """The link as the prospect receives it: read from the HTML SendGrid was given."""
    html = next(c["value"] for c in fake.last["content"] if c["type"] == "text/html")
    url = re.search(r'href="(http://127\.0\.0\.1:8000(/inbox/unsubscribe/[^"]+))"', html)
    assert url is not None, html
    return url.group(2)


def records(world: TeamWorld, lead: Lead) -> list[tuple[str, str]]:
    with team_scope(world.team):
        entries = ConsentRecord.objects.filter(lead=lead, channel="email").order_by("created_at")
        return list(entries.values_list("state", "source"))


def test_following_the_link_and_confirming_unsubscribes_and_later_sends_are_refused(
    team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid
) -> None:
    send_email(team_a, ada, commit)
    path = unsubscribe_path(sendgrid_on)
    browser = Client(enforce_csrf_checks=True)  # the prospect: not logged in, no CSRF cookie yet

    page = browser.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Unsubscribe a•••@example.com from Alpha Living email?" in text
    assert 'method="post"' in text
    assert records(team_a, ada) == []  # looking is not unsubscribing

    done = browser.post(path, {})
    assert done.status_code == 200
    assert "You're unsubscribed" in done.content.decode()
    assert records(team_a, ada) == [("opted_out", "unsubscribe")]

    sent_before = len(sendgrid_on.requests)
    with team_scope(team_a.team), commit(), pytest.raises(SendRefused) as refused:
        send_message(lead=ada, body="One more thing!", channel="email")
    assert refused.value.code == "opted_out"
    assert len(sendgrid_on.requests) == sent_before


def test_a_second_click_adds_no_second_record(team_a: TeamWorld, ada: Lead) -> None:
    path = reverse("inbox:unsubscribe", kwargs={"token": make_token(ada)})
    Client().post(path)
    again = Client().post(path)

    assert again.status_code == 200
    assert records(team_a, ada) == [("opted_out", "unsubscribe")]
    page = Client().get(path).content.decode()
    assert "You're unsubscribed" in page
    assert 'name="resubscribe"' in page


def test_one_click_post_from_a_mail_provider_works_without_csrf_token(team_a: TeamWorld, ada: Lead) -> None:
    path = reverse("inbox:unsubscribe", kwargs={"token": make_token(ada)})
    provider = Client(enforce_csrf_checks=True)

    response = provider.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    with team_scope(team_a.team):
        record = ConsentRecord.objects.get(lead=ada, channel="email")
    assert record.state == "opted_out"
    assert "RFC 8058" in record.evidence


def test_resubscribe_opts_back_in(team_a: TeamWorld, ada: Lead) -> None:
    path = reverse("inbox:unsubscribe", kwargs={"token": make_token(ada)})
    Client().post(path)

    response = Client().post(path, {"resubscribe": "1"})

    assert response.status_code == 200
    assert "subscribed again" in response.content.decode()
    assert records(team_a, ada) == [("opted_out", "unsubscribe"), ("opted_in", "unsubscribe")]
    with team_scope(team_a.team):
        assert consent_state(ada, "email") == "opted_in"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_a_404_and_changes_nothing(team_a: TeamWorld, ada: Lead, method: str) -> None:
    token = make_token(ada)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = getattr(Client(), method)(reverse("inbox:unsubscribe", kwargs={"token": forged}))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert records(team_a, ada) == []


def test_a_token_only_ever_reaches_its_own_lead(team_a: TeamWorld, team_b: TeamWorld, ada: Lead) -> None:
    brenda = make_lead(team_b, first_name="Brenda", email="brenda@example.org")
    # A member of team A, logged in, following team B's prospect's link: it acts on that lead
    # only (the token is the capability), and shows nothing of team A.
    client = login(team_a.user("owner"))
    response = client.post(reverse("inbox:unsubscribe", kwargs={"token": make_token(brenda)}))

    assert response.status_code == 200
    assert "Bravo Residential" in response.content.decode()
    assert records(team_b, brenda) == [("opted_out", "unsubscribe")]
    assert records(team_a, ada) == []


def test_get_and_post_are_the_only_methods(ada: Lead) -> None:
    path = reverse("inbox:unsubscribe", kwargs={"token": make_token(ada)})
    assert Client().put(path).status_code == 405
