"""Bulk send: each lead through send_message; refusals are counted, never abort the batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from crm.inbox.models import CannedReply, Channel, ConsentSource, ConsentState, Message
from crm.inbox.services.bulk import bulk_send
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import make_lead

BULK = reverse("inbox:bulk")


@pytest.fixture
def crowd(team_a: TeamWorld, ada: Lead) -> dict[str, list[Lead]]:
    """Three leads who can get a text, two who opted out, one without a mobile number."""
    ok = [ada, *(make_lead(team_a, first_name=f"Ok{n}", phone=f"+1512555016{n}") for n in range(2))]
    out = [make_lead(team_a, first_name=f"Out{n}", phone=f"+1512555017{n}") for n in range(2)]
    with team_scope(team_a.team):
        for lead in out:
            record_consent(lead, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
    nophone = [make_lead(team_a, first_name="Nophone", email="np@example.com")]
    return {"ok": ok, "out": out, "nophone": nophone}


def everyone(crowd: dict[str, list[Lead]]) -> list[Lead]:
    return [lead for group in crowd.values() for lead in group]


def test_the_report_counts_sent_and_skipped_by_reason(
    team_a: TeamWorld, crowd: dict[str, list[Lead]], committed: Any
) -> None:
    with committed():
        response = login(team_a.user(Role.MANAGER)).post(
            BULK,
            {
                "lead": [str(lead.pk) for lead in everyone(crowd)],
                "body": "Hi {first_name}, open house Saturday!",
                "channel": "sms",
            },
        )
    assert response.status_code == 200
    assert "3 sent, 3 skipped: opted out (2), no mobile number (1)" in response.content.decode()
    with team_scope(team_a.team):
        sent = {m.lead_id: m for m in Message.objects.filter(direction="outbound")}
    assert set(sent) == {lead.pk for lead in crowd["ok"]}
    assert sent[crowd["ok"][0].pk].body == "Hi Ada, open house Saturday!"
    assert {m.status for m in sent.values()} == {"sent"}


def test_an_opted_out_lead_is_never_written_to(team_a: TeamWorld, crowd: dict[str, list[Lead]], scoped: None) -> None:
    report = bulk_send(leads=crowd["out"], body="Please come back", channel=Channel.SMS, user=team_a.user(Role.MANAGER))
    assert report.summary() == "0 sent, 2 skipped: opted out (2)"
    assert not Message.objects.filter(lead__in=crowd["out"]).exists()


def test_a_canned_reply_is_filled_per_lead_and_each_lead_keeps_its_channel(
    team_a: TeamWorld, crowd: dict[str, list[Lead]]
) -> None:
    with team_scope(team_a.team):
        reply = CannedReply.objects.create(team=team_a.team, title="Open house", body="Hi {first_name}!")
    response = login(team_a.user(Role.OWNER)).post(
        BULK, {"lead": [str(crowd["ok"][1].pk), str(crowd["nophone"][0].pk)], "canned": str(reply.pk)}
    )
    assert "2 sent" in response.content.decode()
    with team_scope(team_a.team):
        rows = dict(Message.objects.values_list("lead__first_name", "channel"))
        bodies = set(Message.objects.values_list("body", flat=True))
    assert rows == {"Ok0": "sms", "Nophone": "email"}
    assert bodies == {"Hi Ok0!", "Hi Nophone!"}


def test_nothing_to_send_or_an_unknown_variable_is_a_form_error(team_a: TeamWorld, ada: Lead) -> None:
    client = login(team_a.user(Role.MANAGER))
    assert client.post(BULK, {"lead": [str(ada.pk)]}).status_code == 422
    response = client.post(BULK, {"lead": [str(ada.pk)], "body": "Hi {nickname}"})
    assert response.status_code == 422
    assert "Unknown variable {nickname}" in response.content.decode()
    with team_scope(team_a.team):
        assert not Message.objects.exists()


def test_another_teams_lead_cannot_be_chosen(team_a: TeamWorld, team_b: TeamWorld, ada: Lead) -> None:
    theirs = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    response = login(team_a.user(Role.OWNER)).post(BULK, {"lead": [str(theirs.pk)], "body": "Hi"})
    assert response.status_code == 422
    with team_scope(team_b.team):
        assert not Message.objects.exists()


def test_the_page_searches_leads_to_pick(team_a: TeamWorld, crowd: dict[str, list[Lead]]) -> None:
    earlier = str(crowd["ok"][1].pk)
    body = login(team_a.user(Role.MANAGER)).get(BULK, {"q": "lovelace", "lead": earlier}).content.decode()
    assert "Ada Lovelace" in body
    assert "Ok0" not in body
    # A lead chosen before this search stays chosen in the form that sends.
    assert f'<input type="hidden" name="lead" value="{earlier}">' in body.split('class="bulk-form"')[1]
    picked = login(team_a.user(Role.MANAGER)).get(BULK, {"lead": str(crowd["ok"][1].pk)}).content.decode()
    assert f'value="{crowd["ok"][1].pk}" checked' in picked


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_only_managers_and_up_bulk_send(team_a: TeamWorld, ada: Lead, role: str) -> None:
    client = login(team_a.user(role))
    assert client.get(BULK).status_code == 403
    assert client.post(BULK, {"lead": [str(ada.pk)], "body": "Hi"}).status_code == 403
    with team_scope(team_a.team):
        assert not Message.objects.exists()
