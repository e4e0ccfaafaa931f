"""The inbox core: consent keywords, the one send path's checks, quiet hours, outbox delivery,
exactly-once webhook intake, and tour reminders."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.inbox.models import (
    Channel,
    ConsentSource,
    ConsentState,
    Conversation,
    EventStatus,
    InboundEvent,
    Message,
    MessageStatus,
    Transport,
)
from crm.inbox.services import intake, sweeps
from crm.inbox.services.consent import consent_state, record_consent, sms_keyword
from crm.inbox.services.sending import SendRefused, can_send, quiet_hours_release, send_message
from crm.leads.models import ActivityKind, Lead, LeadActivity, Task, TaskKind
from crm.leads.services.tours import tour_schedule
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld
from tests.leads.lead_pages import ada_at, make_lead, make_property, maple_court, open_day

# Real commits: delivery and event processing are enqueued on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    prop = maple_court(team_a)
    with team_scope(team_a.team):
        Property.objects.filter(pk=prop.pk).update(sms_number="+13105550100")
        prop.refresh_from_db()
    return prop


@pytest.fixture
def ada(team_a: TeamWorld, place: Property) -> Lead:
    return ada_at(team_a, place)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", "stop"), ("stop", "stop"), ("Stop.", "stop"), ("  StopAll ", "stop"), ("UNSUBSCRIBE", "stop"),
        ("cancel", "stop"), ("END", "stop"), ("quit!", "stop"), ("revoke", "stop"), ("OPTOUT", "stop"),
        ("opt out", "stop"), ("Please stop texting me", "stop"), ("take me off your list", "stop"),
        ("START", "start"), ("unstop", "start"), ("Yes", "start"), ("HELP", "help"), ("info", "help"),
        ("Can I stop by tomorrow at 3?", None), ("Is the pool open until the end of summer?", None),
        ("yes please, what time works?", None), ("Do you have info on parking?", None), ("", None),
    ],
)  # fmt: skip
def test_sms_keywords(body: str, expected: str | None) -> None:
    assert sms_keyword(body) == expected


def sent(world: TeamWorld) -> list[Message]:
    with team_scope(world.team):
        return list(Message.objects.filter(direction="outbound").order_by("created_at"))


def test_send_goes_to_the_outbox_when_sms_is_off(team_a: TeamWorld, ada: Lead) -> None:
    user = team_a.user(Role.AGENT)
    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Hi Ada, tours are open Saturday.", user=user)
        message.refresh_from_db()
        conversation = Conversation.objects.get(lead=ada)
        activity = LeadActivity.objects.filter(lead=ada, kind=ActivityKind.MESSAGE).get()
    assert message.status == MessageStatus.SENT
    assert message.transport == Transport.OUTBOX
    assert message.channel == Channel.SMS
    assert message.to_address == "+15125550100"
    assert message.from_address == "+13105550100"
    assert conversation.last_preview.startswith("Hi Ada")
    assert activity.data["direction"] == "outbound"


def test_refusals_store_nothing(team_a: TeamWorld, ada: Lead) -> None:
    with team_scope(team_a.team):
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
        with pytest.raises(SendRefused) as refused:
            send_message(lead=ada, body="Still there?", channel=Channel.SMS)
        assert refused.value.code == "opted_out"
        assert "START" in str(refused.value)
        with pytest.raises(SendRefused) as empty:
            send_message(lead=ada, body="   ", channel=Channel.EMAIL)
        assert empty.value.code == "empty"
        no_phone = make_lead(team_a, first_name="Noah", email="noah@example.com")
    with team_scope(team_a.team):
        with pytest.raises(SendRefused) as no_address:
            send_message(lead=no_phone, body="Hello", channel=Channel.SMS)
        assert no_address.value.code == "no_address"
        assert not Message.objects.exists()
        assert consent_state(ada, Channel.EMAIL) == "unknown"
        assert can_send(ada, Channel.EMAIL) is None


def test_agents_are_blocked_on_fair_housing_findings_staff_are_warned(team_a: TeamWorld, ada: Lead) -> None:
    text = "This building is perfect for young professionals, no kids."
    with team_scope(team_a.team):
        with pytest.raises(SendRefused) as refused:
            send_message(lead=ada, body=text, agent="leasing")
        assert refused.value.code == "fair_housing"
        message = send_message(lead=ada, body=text, user=team_a.user(Role.AGENT))
    assert message.fair_housing_warnings  # type: ignore[attr-defined]


def test_opt_out_that_arrives_after_queueing_stops_delivery(
    team_a: TeamWorld, ada: Lead, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.inbox import tasks
    from crm.inbox.services.delivery import deliver

    # Queued only (a busy worker): the STOP lands between the click and the send.
    monkeypatch.setattr(tasks.deliver_message, "delay_on_commit", lambda **kwargs: None)
    with team_scope(team_a.team):
        message = send_message(lead=ada, body="Tour tomorrow?")
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
        deliver(str(message.pk))
        message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "opted out" in message.error


@pytest.mark.parametrize(
    ("local", "release"),
    [
        (time(22, 30), "next 08:00"), (time(2, 0), "same 08:00"), (time(7, 59), "same 08:00"),
        (time(8, 0), None), (time(12, 0), None), (time(20, 59), None), (time(21, 0), "next 08:00"),
    ],
)  # fmt: skip
def test_quiet_hours_in_the_property_timezone(place: Property, local: time, release: str | None) -> None:
    day = datetime(2026, 7, 15, tzinfo=place.tz).date()
    now = datetime.combine(day, local, place.tz).astimezone(UTC)
    result = quiet_hours_release(place, now)
    if release is None:
        assert result is None
    else:
        expected_day = day + timedelta(days=1) if release.startswith("next") else day
        assert result == datetime.combine(expected_day, time(8, 0), place.tz)


def test_automated_texts_wait_for_morning_and_the_sweep_releases_them(
    team_a: TeamWorld, ada: Lead, place: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    night = datetime.combine(datetime(2026, 7, 15).date(), time(23, 0), place.tz)
    monkeypatch.setattr(timezone, "now", lambda: night.astimezone(UTC))
    with team_scope(team_a.team):
        held = send_message(lead=ada, body="Reminder: your tour is tomorrow.", automated=True)
        manual = send_message(lead=ada, body="Replying now.", user=team_a.user(Role.AGENT))
        held.refresh_from_db()
        manual.refresh_from_db()
    assert held.status == MessageStatus.HELD
    assert held.send_after == datetime.combine(datetime(2026, 7, 16).date(), time(8, 0), place.tz)
    assert manual.status == MessageStatus.SENT  # a person replying at night is not held
    assert sweeps.release_held_messages() == 0
    monkeypatch.setattr(timezone, "now", lambda: held.send_after + timedelta(minutes=1))  # type: ignore[operator]
    assert sweeps.release_held_messages() == 1
    with team_scope(team_a.team):
        held.refresh_from_db()
    assert held.status == MessageStatus.SENT


def twilio_payload(sid: str, *, body: str = "Is a 2 bedroom available?", sender: str = "+15125550199") -> dict:
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": "+13105550100", "Body": body,
            "NumMedia": "0"}  # fmt: skip


def test_a_redelivered_webhook_is_stored_and_processed_once(team_a: TeamWorld, place: Property) -> None:
    payload = twilio_payload("SM" + "a" * 32)
    first = intake.store_event(provider="twilio", event_id=payload["MessageSid"], kind="twilio.sms",
                               payload=payload, team=team_a.team)  # fmt: skip
    again = intake.store_event(provider="twilio", event_id=payload["MessageSid"], kind="twilio.sms",
                               payload=payload, team=team_a.team)  # fmt: skip
    assert (first, again) == (True, False)
    event = InboundEvent.objects.get()
    assert event.deliveries == 2
    assert event.status == EventStatus.PROCESSED
    assert intake.process_event(str(event.pk)) == EventStatus.PROCESSED  # a duplicate task: no-op
    with team_scope(team_a.team):
        lead = Lead.objects.get(phone="+15125550199")
        message = Message.objects.get()
        conversation = Conversation.objects.get()
    assert lead.source == "phone"
    assert lead.property_id == place.pk
    assert message.direction == "inbound"
    assert message.provider_id == payload["MessageSid"]
    assert conversation.unread
    assert conversation.status == "open"


def test_a_failing_handler_rolls_back_and_the_sweep_retries(
    team_a: TeamWorld, place: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crm.inbox.services.inbound as inbound

    real = inbound.store_inbound

    def crash(**kwargs: Any) -> Any:
        real(**kwargs)  # writes, then dies: none of it may stay
        raise RuntimeError("worker died")

    monkeypatch.setattr(inbound, "store_inbound", crash)
    payload = twilio_payload("SM" + "b" * 32)
    intake.store_event(provider="twilio", event_id=payload["MessageSid"], kind="twilio.sms", payload=payload,
                       team=team_a.team)  # fmt: skip
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert "worker died" in event.error
    with team_scope(team_a.team):
        assert not Message.objects.exists()
    monkeypatch.setattr(inbound, "store_inbound", real)
    assert intake.requeue_stuck_events(older_than=timedelta(0)) == 1
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert event.attempts == 2
    with team_scope(team_a.team):
        assert Message.objects.count() == 1


def test_stop_opts_out_with_one_confirmation_and_start_opts_back_in(
    team_a: TeamWorld, ada: Lead, place: Property
) -> None:
    for sid, body in [("SM" + "1" * 32, "STOP"), ("SM" + "2" * 32, "STOP"), ("SM" + "3" * 32, "START")]:
        payload = twilio_payload(sid, body=body, sender=ada.phone)
        intake.store_event(provider="twilio", event_id=sid, kind="twilio.sms", payload=payload, team=team_a.team)
        if body == "STOP":
            with team_scope(team_a.team):
                assert consent_state(ada, Channel.SMS) == ConsentState.OPTED_OUT
                with pytest.raises(SendRefused):
                    send_message(lead=ada, body="Any questions?")
    with team_scope(team_a.team):
        replies = list(Message.objects.filter(direction="outbound", system=True).order_by("created_at"))
        assert consent_state(ada, Channel.SMS) == ConsentState.OPTED_IN
        assert send_message(lead=ada, body="Welcome back!").status == MessageStatus.QUEUED
    assert [r.status for r in replies] == ["sent", "sent", "sent"]
    assert "unsubscribed" in replies[0].body
    assert "resubscribed" in replies[2].body


def test_tour_reminders_go_out_once(team_a: TeamWorld, ada: Lead, place: Property, monkeypatch: Any) -> None:
    agent = team_a.user(Role.AGENT)
    day = open_day(place)
    with team_scope(team_a.team):
        tour = tour_schedule(lead=ada, property=place, agent=agent,
                             starts_at=datetime.combine(day, time(10, 0), place.tz), actor=agent)  # fmt: skip
        task = Task.objects.get(kind=TaskKind.TOUR_REMINDER, tour=tour)
    monkeypatch.setattr(timezone, "now", lambda: task.due_at + timedelta(minutes=1))
    # 10:00 tour, reminder due 10:00 the day before: not quiet hours where the property is.
    assert sweeps.send_due_reminders() == 1
    assert sweeps.send_due_reminders() == 0
    with team_scope(team_a.team):
        reminder = Message.objects.get(source_task=task)
        task.refresh_from_db()
    assert reminder.automated
    assert "reminder of your tour" in reminder.body
    assert reminder.status == MessageStatus.SENT
    assert task.completed_at is not None


def test_a_reminder_to_an_opted_out_prospect_is_recorded_not_sent(
    team_a: TeamWorld, ada: Lead, place: Property, monkeypatch: Any
) -> None:
    agent = team_a.user(Role.AGENT)
    with team_scope(team_a.team):
        starts_at = datetime.combine(open_day(place), time(10, 0), place.tz)
        tour = tour_schedule(lead=ada, property=place, agent=agent, starts_at=starts_at, actor=agent)
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
        task = Task.objects.get(kind=TaskKind.TOUR_REMINDER, tour=tour)
    monkeypatch.setattr(timezone, "now", lambda: task.due_at + timedelta(minutes=1))
    assert sweeps.send_due_reminders() == 0
    assert sweeps.send_due_reminders() == 0
    with team_scope(team_a.team):
        failed = Message.objects.get(source_task=task)
    assert failed.status == MessageStatus.FAILED
    assert "opted out" in failed.error


def test_events_for_another_team_stay_in_that_team(team_a: TeamWorld, team_b: TeamWorld, place: Property) -> None:
    other = make_property(team_b, name="Bravo Heights", sms_number="+13105550999")
    payload = {**twilio_payload("SM" + "c" * 32), "To": other.sms_number}
    intake.store_event(provider="twilio", event_id=payload["MessageSid"], kind="twilio.sms", payload=payload,
                       team=team_b.team)  # fmt: skip
    with team_scope(team_a.team):
        assert not Lead.objects.filter(phone=payload["From"]).exists()
    with team_scope(team_b.team):
        assert Lead.objects.filter(phone=payload["From"]).count() == 1
    with scopes_disabled():
        assert Message.objects.get().team_id == team_b.team.pk


def test_the_sweep_does_not_flood_a_backlog_with_copies(
    team_a: TeamWorld, place: Property, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueued: list[str] = []
    monkeypatch.setattr(intake, "enqueue", enqueued.append)
    payload = twilio_payload("SM" + "d" * 32)
    intake.store_event(provider="twilio", event_id=payload["MessageSid"], kind="twilio.sms", payload=payload,
                       team=team_a.team)  # fmt: skip
    later = timezone.now() + timedelta(seconds=settings.INBOX_EVENT_STALE_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert intake.requeue_stuck_events() == 1
    assert intake.requeue_stuck_events() == 0  # just re-sent: it waits a full period again
    assert len(enqueued) == 2


def test_tasks_given_another_teams_ids_do_nothing(team_a: TeamWorld, team_b: TeamWorld, place: Property) -> None:
    from agents.autoreply import auto_reply
    from crm.inbox.tasks import deliver_message

    bravo = make_property(team_b, name="Bravo Heights", sms_number="+13105550999")
    lead = make_lead(team_b, first_name="Brenda", phone="+15125550888", property=bravo)
    with team_scope(team_b.team):
        conversation = Conversation.objects.create(team=team_b.team, lead=lead, channel=Channel.SMS, property=bravo)
        queued = Message.objects.create(
            team=team_b.team, conversation=conversation, lead=lead, direction="outbound", channel=Channel.SMS,
            body="Team B's message", status=MessageStatus.QUEUED, to_address=lead.phone,
        )  # fmt: skip
        inbound = Message.objects.create(
            team=team_b.team, conversation=conversation, lead=lead, direction="inbound", channel=Channel.SMS,
            body="Do you allow dogs?", status=MessageStatus.RECEIVED,
        )  # fmt: skip
    # Team A's task scope cannot reach team B's rows: nothing is sent, nothing is drafted.
    assert deliver_message(team_id=str(team_a.team.pk), message_id=str(queued.pk)) is None
    assert auto_reply(team_id=str(team_a.team.pk), message_id=str(inbound.pk)) == "skipped"
    with team_scope(team_b.team):
        queued.refresh_from_db()
        assert queued.status == MessageStatus.QUEUED
    with scopes_disabled():
        from agents.models import PendingAction

        assert not PendingAction.objects.exists()
