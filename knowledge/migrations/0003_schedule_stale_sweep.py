"""Schedule the stalled-ingestion sweep in django-celery-beat (DatabaseScheduler), every 10 minutes.

The sweep re-enqueues documents whose ingestion stopped without an answer (knowledge/sweeps.py).
An existing entry of the same name is left as an operator may have changed it; beat is
told the schedule changed so a running beat picks the task up without a restart.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Knowledge: re-enqueue stalled ingestion"
TASK = "knowledge.tasks.requeue_stale_documents"
SCHEDULE = {
    "minute": "*/10",
    "hour": "*",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "UTC",
}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab = CrontabSchedule.objects.filter(**SCHEDULE).order_by("id").first() or CrontabSchedule.objects.create(
        **SCHEDULE
    )
    _, created = PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Re-enqueues documents stuck pending or processing (knowledge/sweeps.py).",
        },
    )
    if created:
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()[0]:
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_chunk_embedding_inline"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
