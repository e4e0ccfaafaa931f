"""Periodic work across all teams: held texts whose quiet hours ended, messages whose delivery
task was lost, and tour reminders that are due. Each item is handled in its own team's scope."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.inbox.models import Direction, Message, MessageStatus
from crm.inbox.services.sending import SendRefused, can_send, conversation_for, default_channel, send_message
from crm.leads.models import Task, TaskKind, TourStatus
from crm.leads.services.followups import task_complete
from crm.teams.scoping import team_scope

logger = logging.getLogger(__name__)

# A queued message whose delivery task never ran (broker down at commit, worker killed) is
# re-enqueued after this long; ``deliver`` is idempotent, so a slow task is not sent twice.
STALE_QUEUED = timedelta(minutes=5)


def _enqueue_delivery(message: Message) -> None:
    from crm.inbox.tasks import deliver_message

    deliver_message.delay_on_commit(team_id=str(message.team_id), message_id=str(message.pk))


def release_held_messages(limit: int = 1000) -> int:
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Message.objects.filter(status=MessageStatus.HELD, send_after__lte=now).order_by("send_after")[:limit]
        )
        stale = list(
            Message.objects.filter(status=MessageStatus.QUEUED, created_at__lt=now - STALE_QUEUED).order_by(
                "created_at"
            )[:limit]
        )
        for message in due:
            with transaction.atomic():
                if Message.objects.filter(pk=message.pk, status=MessageStatus.HELD).update(
                    status=MessageStatus.QUEUED, send_after=None
                ):
                    _enqueue_delivery(message)
        for message in stale:
            _enqueue_delivery(message)
    return len(due) + len(stale)


def reminder_text(task: Task) -> str:
    tour = task.tour
    assert tour is not None
    local = tour.starts_at.astimezone(tour.property.tz)
    first = task.lead.first_name if task.lead and task.lead.first_name else "there"
    return (
        f"Hi {first}, this is {tour.property.name}: a reminder of your tour on {local:%A, %B %-d at %-I:%M %p}. "
        "Reply here if you need to reschedule."
    )


def send_due_reminders(limit: int = 500) -> int:
    """Text (or email) each prospect whose tour reminder is due; one message per reminder task, ever."""
    now = timezone.now()
    with scopes_disabled():
        due = list(
            Task.objects.filter(
                kind=TaskKind.TOUR_REMINDER, completed_at__isnull=True, due_at__lte=now,
                tour__status=TourStatus.SCHEDULED, tour__starts_at__gt=now,
            )
            .filter(~Q(lead__phone="") | ~Q(lead__email=""))
            .exclude(pk__in=Message.objects.filter(source_task__isnull=False).values("source_task"))
            .select_related("team", "lead", "tour__property")
            .order_by("due_at")[:limit]
        )  # fmt: skip
    sent = 0
    for task in due:
        with team_scope(task.team), transaction.atomic():
            if _send_reminder(task):
                sent += 1
    return sent


def _send_reminder(task: Task) -> bool:
    lead = task.lead
    assert lead is not None
    channel = default_channel(lead)
    try:
        send_message(lead=lead, body=reminder_text(task), channel=channel, automated=True, source_task=task)
    except SendRefused as exc:
        # Kept as a failed message (once: one message per task) so the team sees why, in the thread.
        reason = can_send(lead, channel) or str(exc)
        Message.objects.create(
            team_id=lead.team_id, conversation=conversation_for(lead, channel), lead=lead,
            direction=Direction.OUTBOUND, channel=channel, body=reminder_text(task), status=MessageStatus.FAILED,
            error=f"Reminder not sent: {reason}", automated=True, source_task=task,
        )  # fmt: skip
        logger.info("tour reminder refused", extra={"task_id": str(task.pk), "reason": exc.args[0][:200]})
        return False
    task_complete(task=task)
    return True
