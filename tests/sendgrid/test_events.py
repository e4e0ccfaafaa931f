"""The signed Event Webhook: verified over the exact raw body, stored once, applied forward only."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.inbox.models import ConsentRecord, InboundEvent, Message
from crm.leads.models import Lead
from crm.teams.scoping import team_scope
from integrations.models import IntegrationConfig, Provider
from tests.conftest import TeamWorld
from tests.fakes.sendgrid_api import EventSigner, FakeSendGrid
from tests.leads.lead_pages import make_lead
from tests.sendgrid.conftest import send_email

Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def sent(team_a: TeamWorld, ada: Lead, commit: Commit, sendgrid_on: FakeSendGrid) -> Message:
    return send_email(team_a, ada, commit)


def sg_event(message: Message, kind: str, **extra: Any) -> dict[str, Any]:
    """One event as SendGrid reports it: our custom args come back as top-level keys."""
    return {
        "email": "ada@example.com",
        "timestamp": int(time.time()),
        "event": kind,
        "sg_event_id": extra.pop("sg_event_id", uuid.uuid4().hex),
        "sg_message_id": f"{message.provider_id}.filterdrecv-1-2026",
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "loriaa_message_id": str(message.pk),
        "loriaa_team_id": str(message.team_id),
        **extra,
    }


def post_events(
    signer: EventSigner, events: list[dict[str, Any]], *, timestamp: str | None = None, body: bytes | None = None,
    signed_body: bytes | None = None,
) -> Any:  # fmt: skip
    raw = body if body is not None else json.dumps(events, separators=(",", ":")).encode() + b"\r\n"
    stamp = timestamp or str(int(time.time()))
    return Client().post(
        reverse("webhooks:sendgrid-events"),
        raw,
        content_type="application/json",
        headers=signer.headers(signed_body if signed_body is not None else raw, stamp),
    )


def reload(world: TeamWorld, message: Message) -> Message:
    with team_scope(world.team):
        return Message.objects.get(pk=message.pk)


def stored() -> list[InboundEvent]:
    return list(InboundEvent.objects.filter(kind="sendgrid.event").order_by("received_at"))


def test_delivered_marks_the_message_delivered(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    with commit():
        response = post_events(sendgrid_signer, [sg_event(sent, "processed"), sg_event(sent, "delivered")])

    assert response.status_code == 200
    assert [e.status for e in stored()] == ["processed", "processed"]
    message = reload(team_a, sent)
    assert message.status == "delivered"
    assert message.delivered_at is not None


def test_a_bounce_fails_the_message_with_the_reason(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    reason = "550 5.1.1 The email account that you tried to reach does not exist."
    with commit():
        post_events(sendgrid_signer, [sg_event(sent, "bounce", reason=reason, type="bounce")])

    message = reload(team_a, sent)
    assert message.status == "failed"
    assert reason in message.error


def test_a_late_delivered_does_not_undo_a_bounce_and_open_is_ignored(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    with commit():
        post_events(sendgrid_signer, [sg_event(sent, "bounce", reason="mailbox full")])
        post_events(sendgrid_signer, [sg_event(sent, "delivered"), sg_event(sent, "open"), sg_event(sent, "click")])

    assert reload(team_a, sent).status == "failed"
    assert [e.status for e in stored()] == ["processed", "processed", "ignored", "ignored"]


def test_a_spam_report_opts_the_lead_out_of_email(
    team_a: TeamWorld, ada: Lead, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    with commit():
        post_events(sendgrid_signer, [sg_event(sent, "spamreport")])
        post_events(sendgrid_signer, [sg_event(sent, "unsubscribe")])  # already out: no second record

    with team_scope(team_a.team):
        [record] = ConsentRecord.objects.filter(lead=ada, channel="email")
    assert (record.state, record.source) == ("opted_out", "provider")
    assert "spamreport" in record.evidence


def test_a_resent_batch_stores_and_applies_nothing_twice(
    team_a: TeamWorld, ada: Lead, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    batch = [sg_event(sent, "delivered"), sg_event(sent, "spamreport")]
    with commit():
        post_events(sendgrid_signer, batch)
        post_events(sendgrid_signer, batch)

    events = stored()
    assert len(events) == 2
    assert [e.deliveries for e in events] == [2, 2]
    with team_scope(team_a.team):
        assert ConsentRecord.objects.filter(lead=ada).count() == 1


@pytest.mark.parametrize("problem", ["tampered body", "wrong key", "stale timestamp", "future timestamp", "unsigned"])
def test_an_unverifiable_batch_is_refused_and_nothing_is_stored(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner, problem: str
) -> None:
    events = [sg_event(sent, "delivered")]
    raw = json.dumps(events).encode()
    with commit():
        if problem == "tampered body":
            response = post_events(sendgrid_signer, events, body=raw.replace(b"delivered", b"bounce"), signed_body=raw)
        elif problem == "wrong key":
            response = post_events(EventSigner(), events)
        elif problem == "stale timestamp":
            response = post_events(sendgrid_signer, events, timestamp=str(int(time.time()) - 11 * 60))
        elif problem == "future timestamp":
            response = post_events(sendgrid_signer, events, timestamp=str(int(time.time()) + 11 * 60))
        else:
            response = Client().post(reverse("webhooks:sendgrid-events"), raw, content_type="application/json")

    assert response.status_code == 403
    assert stored() == []
    assert reload(team_a, sent).status == "sent"


def test_the_signature_covers_the_exact_bytes_even_whitespace(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    raw = json.dumps([sg_event(sent, "delivered")], indent=2).encode()
    with commit():
        reformatted = post_events(sendgrid_signer, [], body=json.dumps(json.loads(raw)).encode(), signed_body=raw)
        exact = post_events(sendgrid_signer, [], body=raw)

    assert (reformatted.status_code, exact.status_code) == (403, 200)
    assert reload(team_a, sent).status == "delivered"


def test_without_any_public_key_events_are_refused(db: None, settings: Any) -> None:
    settings.SENDGRID_EVENT_PUBLIC_KEY = ""
    response = post_events(EventSigner(), [{"event": "delivered", "sg_event_id": "x"}])
    assert response.status_code == 403
    assert stored() == []


def test_a_teams_own_key_verifies_only_that_teams_events(
    team_a: TeamWorld, team_b: TeamWorld, sent: Message, commit: Commit, settings: Any
) -> None:
    settings.SENDGRID_EVENT_PUBLIC_KEY = ""
    bravo_key = EventSigner()
    with team_scope(team_b.team):
        config = IntegrationConfig(team=team_b.team, provider=Provider.SENDGRID)
        config.set_secrets({"api_key": "SG.bravo", "event_public_key": bravo_key.public_key})
        config.save()

    with commit():
        response = post_events(bravo_key, [sg_event(sent, "delivered")])  # names team A's message

    assert response.status_code == 200
    [event] = stored()
    assert (event.team_id, event.status) == (None, "ignored")
    assert reload(team_a, sent).status == "sent"


def test_an_event_naming_team_b_s_message_under_team_a_changes_nothing(
    team_a: TeamWorld, team_b: TeamWorld, commit: Commit, sendgrid_on: FakeSendGrid, sendgrid_signer: EventSigner
) -> None:
    brenda = make_lead(team_b, first_name="Brenda", email="brenda@example.org")
    theirs = send_email(team_b, brenda, commit)
    forged = sg_event(theirs, "bounce", email="brenda@example.org", reason="forged")
    forged["loriaa_team_id"] = str(team_a.team.pk)
    spam = sg_event(theirs, "spamreport", email="brenda@example.org")
    spam["loriaa_team_id"] = str(team_a.team.pk)

    with commit():
        post_events(sendgrid_signer, [forged, spam])

    assert reload(team_b, theirs).status == "sent"
    with scopes_disabled():
        assert not ConsentRecord.objects.filter(lead=brenda).exists()
    assert {e.team_id for e in stored()} == {team_a.team.pk}


def test_an_unknown_team_id_is_stored_without_a_team(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    event = sg_event(sent, "delivered")
    event["loriaa_team_id"] = str(uuid.uuid4())
    with commit():
        post_events(sendgrid_signer, [event, {**sg_event(sent, "delivered"), "loriaa_team_id": "not-a-uuid"}])

    assert [(e.team_id, e.status) for e in stored()] == [(None, "ignored"), (None, "ignored")]
    assert reload(team_a, sent).status == "sent"


def test_a_processed_event_records_a_send_whose_commit_was_lost(
    team_a: TeamWorld, sent: Message, commit: Commit, sendgrid_signer: EventSigner
) -> None:
    provider_id = sent.provider_id
    with team_scope(team_a.team):
        Message.objects.filter(pk=sent.pk).update(status="queued", provider_id="", transport="", sent_at=None)

    with commit():
        post_events(sendgrid_signer, [sg_event(sent, "processed")])

    message = reload(team_a, sent)
    assert (message.status, message.provider_id, message.transport) == ("sent", provider_id, "sendgrid")


def test_a_body_that_is_not_an_event_array_is_a_400(db: None, sendgrid_signer: EventSigner) -> None:
    response = post_events(sendgrid_signer, [], body=b'{"event": "delivered"}')
    assert response.status_code == 400
    assert stored() == []
