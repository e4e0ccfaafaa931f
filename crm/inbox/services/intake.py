"""Webhook intake that loses nothing: verify (in the view) → store the raw event under its unique
provider key → commit → enqueue. A redelivery finds the row already there and only counts itself.

Processing runs the handler and marks the event processed in ONE transaction, so a worker killed
mid-task leaves the event unprocessed (never half-done) and the sweep or the redelivered task
runs it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.inbox.models import EventStatus, InboundEvent
from crm.teams.models import Team
from crm.teams.scoping import team_scope

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """The event refers to something not stored yet (a delivery report that beat the send's commit):
    the event waits as failed and the sweep runs it again a minute later."""


# kind → handler(event). Each handler runs inside the event's team scope and its transaction.
HANDLERS: dict[str, str] = {
    "twilio.sms": "crm.inbox.services.inbound.handle_inbound_sms",
    "twilio.status": "integrations.twilio.handlers.handle_status",
    "sendgrid.inbound": "integrations.sendgrid.handlers.handle_inbound_email",
    "sendgrid.event": "integrations.sendgrid.handlers.handle_event",
}


def store_event(*, provider: str, event_id: str, kind: str, payload: dict[str, Any], team: Team | None) -> bool:
    """Store the event once; True when this call stored it (False: a redelivery, only counted)."""
    if kind not in HANDLERS:
        raise ValueError(f"No handler for {kind}")
    # One statement decides "new or redelivery" atomically, even for simultaneous deliveries.
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_inboundevent
                (id, provider, event_id, kind, team_id, payload, status, attempts, error, deliveries, received_at,
                 enqueued_at)
            VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, 0, '', 1, %s, %s)
            ON CONFLICT (provider, event_id) DO UPDATE SET deliveries = inbox_inboundevent.deliveries + 1
            RETURNING id, (xmax = 0)
            """,
            [
                InboundEvent._meta.pk.get_default(), provider, event_id[:200], kind, team.pk if team else None,
                _json(payload), EventStatus.RECEIVED, now, now,
            ],
        )  # fmt: skip
        pk, inserted = cursor.fetchone()
    if inserted:
        enqueue(str(pk))
    return bool(inserted)


def _json(payload: dict[str, Any]) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(payload, cls=DjangoJSONEncoder)


def enqueue(event_pk: str) -> None:
    from crm.inbox.tasks import process_inbound_event

    process_inbound_event.delay_on_commit(event_id=event_pk)


def process_event(event_pk: str) -> str:
    """Run the event's handler exactly once; returns the event's final status."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
        if event is None:
            return "locked"  # another worker holds it (or it is gone); that worker finishes it
        if event.status in (EventStatus.PROCESSED, EventStatus.IGNORED):
            return event.status
        event.attempts += 1
        event.started_at = timezone.now()
        handler = import_string(HANDLERS[event.kind])
        try:
            with transaction.atomic():
                if event.team is None:
                    result = handler(event)
                else:
                    with team_scope(event.team):
                        result = handler(event)
        # Any failure: the handler's writes are rolled back and the event stays for a retry.
        except Exception as exc:  # noqa: BLE001
            log = logger.info if isinstance(exc, NotReady) else logger.exception
            log("inbound event failed", extra={"event_id": str(event.pk), "kind": event.kind})
            event.status = EventStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.save(update_fields=["status", "error", "attempts", "started_at"])
            return event.status
        event.status = EventStatus.IGNORED if result == "ignored" else EventStatus.PROCESSED
        event.error = ""
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "attempts", "started_at", "processed_at"])
        return event.status


def requeue_stuck_events(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Re-enqueue events a lost task or a killed worker left unprocessed (and failed ones, a few times)."""
    if older_than is None:
        older_than = timedelta(seconds=settings.INBOX_EVENT_STALE_SECONDS)
    cutoff = timezone.now() - older_than
    # ``enqueued_at`` rather than ``received_at``: an event already re-sent once waits a full period
    # again, so a long queue (a backlog, not a loss) is not flooded with copies of its own tasks.
    stuck = list(
        InboundEvent.objects.filter(
            status__in=[EventStatus.RECEIVED, EventStatus.PROCESSING, EventStatus.FAILED],
            enqueued_at__lt=cutoff,
            attempts__lt=settings.INBOX_EVENT_MAX_ATTEMPTS,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    if stuck:
        InboundEvent.objects.filter(pk__in=stuck).update(enqueued_at=timezone.now())
    for pk in stuck:
        enqueue(str(pk))
    if stuck:
        logger.info("re-enqueued stuck inbound events", extra={"count": len(stuck)})
    return len(stuck)


def replay(event: InboundEvent) -> None:
    """Admin action: run a failed or ignored event again."""
    InboundEvent.objects.filter(pk=event.pk).update(status=EventStatus.RECEIVED, error="", enqueued_at=timezone.now())
    transaction.on_commit(lambda: enqueue(str(event.pk)))
