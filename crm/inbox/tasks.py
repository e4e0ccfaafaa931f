"""Inbox tasks: deliver one message, process one webhook event, and the sweeps beat runs.

All are idempotent (the services check state under a row lock) and ``acks_late``, so a redelivered
or duplicated task does nothing twice.
"""

from __future__ import annotations

import logging

from celery import shared_task

from crm.inbox.services import delivery, intake, sweeps
from crm.teams.models import Team
from crm.teams.tasks import TeamTask

logger = logging.getLogger(__name__)


@shared_task(
    base=TeamTask, acks_late=True, autoretry_for=(delivery.RetryLater,), retry_backoff=5, retry_backoff_max=600,
    max_retries=None,
)  # fmt: skip
def deliver_message(*, team: Team, message_id: str) -> str | None:
    # Retries stop on their own: ``deliver`` fails the message after INBOX_MAX_SEND_ATTEMPTS.
    message = delivery.deliver(message_id)
    return message.status if message else None


@shared_task(acks_late=True)
def process_inbound_event(*, event_id: str) -> str:
    return intake.process_event(event_id)


@shared_task
def requeue_stuck_events() -> int:
    return intake.requeue_stuck_events()


@shared_task
def release_held_messages() -> int:
    return sweeps.release_held_messages()


@shared_task
def send_due_reminders() -> int:
    return sweeps.send_due_reminders()
