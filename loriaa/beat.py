"""Periodic tasks that ship with Loriaa, registered in django-celery-beat from data migrations.

An entry that already exists under the same name is left alone (an operator may have changed its
schedule); when one is added or removed, beat is told the schedule changed so a running beat
picks it up without a restart. The functions take the migration's ``apps`` (historical models).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

MigrationStep = Callable[[Any, Any], None]


def _schedule_changed(apps: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def crontab_task(
    *, name: str, task: str, crontab: dict[str, str], description: str
) -> tuple[MigrationStep, MigrationStep]:
    """The forward and backward steps for ``migrations.RunPython`` that add or remove one task."""

    def schedule(apps: Any, schema_editor: Any) -> None:
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        schedule = CrontabSchedule.objects.filter(**crontab).order_by("id").first()
        if schedule is None:
            schedule = CrontabSchedule.objects.create(**crontab)
        _, created = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": schedule, "enabled": True, "description": description}
        )
        if created:
            _schedule_changed(apps)

    def unschedule(apps: Any, schema_editor: Any) -> None:
        if apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name, task=task).delete()[0]:
            _schedule_changed(apps)

    return schedule, unschedule
