"""Follow-up tasks, and the lead's "next follow-up" that the board shows."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import ActivityKind, Lead, Task, TaskKind, Tour
from crm.leads.services.activity import record
from crm.leads.services.leads import assignable_user


def _local(lead: Lead, moment: datetime) -> datetime:
    """A moment on the lead's clock: its property's time zone, else the server's."""
    return timezone.localtime(moment, lead.property.tz if lead.property is not None else None)


def refresh_next_follow_up(lead: Lead) -> None:
    due = lead.tasks.filter(completed_at__isnull=True).aggregate(first=Min("due_at"))["first"]
    Lead.objects.filter(pk=lead.pk).update(next_follow_up_at=due)
    lead.next_follow_up_at = due


@transaction.atomic
def task_create(
    *,
    lead: Lead | None,
    title: str,
    due_at: datetime,
    assigned_to: User | None = None,
    actor: User | None = None,
    kind: str = TaskKind.FOLLOW_UP,
    tour: Tour | None = None,
    team_id: object = None,
) -> Task:
    title = title.strip()
    if not title:
        raise ValidationError({"title": ["Say what needs doing."]})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": [f"Unknown task kind “{kind}”."]})
    assignable_user(assigned_to)
    task = Task.objects.create(
        team_id=lead.team_id if lead else team_id,
        lead=lead,
        tour=tour,
        kind=kind,
        title=title,
        due_at=due_at,
        assigned_to=assigned_to or (lead.assigned_to if lead else None) or actor,
        created_by=actor,
    )
    if lead is not None:
        record(
            lead=lead,
            kind=ActivityKind.TASK,
            actor=actor,
            summary=f"Task: {title} (due {_local(lead, due_at):%b %-d, %-I:%M %p %Z})",
            data={"task": str(task.pk)},
        )
        refresh_next_follow_up(lead)
    return task


@transaction.atomic
def task_complete(*, task: Task, actor: User | None = None) -> Task:
    if task.completed_at is not None:
        return task
    task.completed_at = timezone.now()
    task.save(update_fields=["completed_at"])
    if task.lead is not None:
        record(
            lead=task.lead,
            kind=ActivityKind.TASK,
            actor=actor,
            summary=f"Done: {task.title}",
            data={"task": str(task.pk)},
        )
        refresh_next_follow_up(task.lead)
    return task


@transaction.atomic
def task_reopen(*, task: Task, actor: User | None = None) -> Task:
    task.completed_at = None
    task.save(update_fields=["completed_at"])
    if task.lead is not None:
        refresh_next_follow_up(task.lead)
    return task
