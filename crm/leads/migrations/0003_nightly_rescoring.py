"""Schedule the nightly lead rescoring in django-celery-beat (DatabaseScheduler).

08:15 UTC is the small hours in every US time zone. The task fans out one rescoring task per
team. An existing entry of the same name is left as an operator may have changed it; beat is
told the schedule changed so a running beat picks the task up without a restart.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Nightly lead rescoring"
TASK = "crm.leads.tasks.rescore_all_teams"
SCHEDULE = {
    "minute": "15",
    "hour": "8",
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
            "description": "Rescores every team's open leads (crm/leads/services/scoring.py).",
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
        ("leads", "0002_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
