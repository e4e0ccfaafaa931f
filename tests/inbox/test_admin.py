"""The operators' admin for the inbox and integration credentials."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.inbox.models import CannedReply, ConsentRecord, Conversation, EventStatus, InboundEvent, Message
from crm.leads.models import Lead, LeadActivity
from integrations.models import IntegrationConfig, Provider
from tests.conftest import TeamWorld, login
from tests.factories import UserFactory


@pytest.fixture
def operator(db: None) -> Client:
    return login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))


def changelist(model: type[Any]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add(model: type[Any]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


@pytest.fixture
def event(team_a: TeamWorld) -> InboundEvent:
    return InboundEvent.objects.create(
        provider="twilio", event_id="SM" + "c" * 32, kind="twilio.sms", team=team_a.team, status=EventStatus.FAILED,
        payload={"From": "+15125550100", "Body": "<b>hello</b>"}, error="boom",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Conversation, {"channel__exact": "sms", "status__exact": "open", "ai_enabled__exact": "1"}),
        (Message, {"direction__exact": "inbound", "status__exact": "received", "transport__exact": "twilio"}),
        (ConsentRecord, {}),
        (InboundEvent, {"provider": "twilio", "kind": "twilio.sms", "status__exact": "failed"}),
        (CannedReply, {}),
        (IntegrationConfig, {"provider__exact": "twilio"}),
    ],
)
def test_each_changelist_loads_with_its_filters(
    operator: Client, thread: Conversation, event: InboundEvent, model: Any, query: dict[str, str]
) -> None:
    assert operator.get(changelist(model)).status_code == 200
    assert operator.get(changelist(model), query).status_code == 200


def test_messages_and_conversations_are_read_only(operator: Client, thread: Conversation) -> None:
    with scopes_disabled():
        message = thread.messages.get()
    body = operator.get(change(message)).content.decode()
    assert "Is the 2-bed still available?" in body
    assert 'name="body"' not in body
    assert operator.get(add(Message)).status_code == 403
    assert operator.get(add(Conversation)).status_code == 403
    assert operator.post(change(thread), {"status": "closed"}).status_code == 403


def test_the_search_finds_conversations_by_lead(operator: Client, thread: Conversation) -> None:
    assert list(operator.get(changelist(Conversation), {"q": "lovelace"}).context["cl"].result_list) == [thread]
    assert list(operator.get(changelist(Conversation), {"q": "nobody"}).context["cl"].result_list) == []


def test_consent_is_added_with_evidence_through_the_service_and_never_edited(
    operator: Client, team_a: TeamWorld, ada: Lead
) -> None:
    data = {"lead": str(ada.pk), "channel": "sms", "state": "opted_out", "source": "staff", "evidence": ""}
    refused = operator.post(add(ConsentRecord), data)
    assert refused.status_code == 200
    assert "Say what changed the consent" in refused.content.decode()
    response = operator.post(add(ConsentRecord), data | {"evidence": "Asked on the phone to stop texting."})
    assert response.status_code == 302
    with scopes_disabled():
        record = ConsentRecord.objects.get()
        assert (record.team_id, record.state, record.recorded_by.email) == (
            team_a.team.pk,
            "opted_out",
            "ops@loriaa.test",
        )
        assert LeadActivity.objects.filter(lead=ada, summary__contains="opted out of SMS").exists()
    page = operator.get(change(record)).content.decode()
    assert 'name="evidence"' not in page
    assert operator.post(change(record), data | {"state": "opted_in", "evidence": "x"}).status_code == 403
    delete = reverse("admin:inbox_consentrecord_delete", args=[record.pk])
    assert operator.post(delete, {"post": "yes"}).status_code == 403
    with scopes_disabled():
        assert ConsentRecord.objects.get().state == "opted_out"


def test_an_event_shows_its_payload_escaped_and_replays(
    operator: Client, event: InboundEvent, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = operator.get(change(event)).content.decode()
    assert "&lt;b&gt;hello&lt;/b&gt;" in body
    assert "<b>hello</b>" not in body
    enqueued: list[str] = []
    monkeypatch.setattr("crm.inbox.services.intake.enqueue", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            changelist(InboundEvent), {"action": "replay_events", "_selected_action": [str(event.pk)]}
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.error) == ("received", "")
    assert enqueued == [str(event.pk)]


def test_integration_secrets_are_write_only(operator: Client, team_a: TeamWorld) -> None:
    data = {
        "team": str(team_a.team.pk),
        "provider": Provider.TWILIO,
        "enabled": "on",
        "secret__twilio__account_sid": "AC" + "1" * 32,
        "secret__twilio__auth_token": "super-secret-token-123",
        "setting__twilio__messaging_service_sid": "MG" + "2" * 32,
    }
    response = operator.post(add(IntegrationConfig), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        config = IntegrationConfig.objects.get()
    assert config.secrets == {"account_sid": "AC" + "1" * 32, "auth_token": "super-secret-token-123"}
    assert config.settings == {"messaging_service_sid": "MG" + "2" * 32}
    assert "super-secret-token-123" not in config.secrets_encrypted

    page = operator.get(change(config)).content.decode()
    listing = operator.get(changelist(IntegrationConfig)).content.decode()
    for html in (page, listing):
        assert "super-secret-token-123" not in html
        assert "1" * 32 not in html
    assert "auth_token (set)" in page
    assert "MG" + "2" * 32 in page  # settings are not secret

    # A blank secret keeps the stored one; a typed one replaces it.
    keep = {"enabled": "on", "setting__twilio__messaging_service_sid": "", "secret__twilio__auth_token": ""}
    assert operator.post(change(config), keep).status_code == 302
    with scopes_disabled():
        config.refresh_from_db()
    assert config.secrets["auth_token"] == "super-secret-token-123"
    assert config.settings == {}
    assert operator.post(change(config), keep | {"secret__twilio__auth_token": "rotated"}).status_code == 302
    with scopes_disabled():
        config.refresh_from_db()
    assert config.secrets == {"account_sid": "AC" + "1" * 32, "auth_token": "rotated"}


def test_a_canned_reply_with_an_unknown_variable_is_refused(operator: Client, team_a: TeamWorld) -> None:
    data = {"team": str(team_a.team.pk), "title": "Rent", "body": "Rent is {rent}"}
    response = operator.post(add(CannedReply), data)
    assert response.status_code == 200
    assert "Unknown variable {rent}" in response.content.decode()
    assert operator.post(add(CannedReply), data | {"body": "Rent starts at $1,200."}).status_code == 302


def test_team_members_who_are_not_staff_are_kept_out(team_a: TeamWorld, thread: Conversation) -> None:
    from crm.teams.roles import Role

    response = login(team_a.user(Role.OWNER)).get(changelist(Conversation))
    assert response.status_code == 302
    assert "login" in response["Location"]
