"""Schedule the hourly expiry of pending agent actions in django-celery-beat (agents/tasks.py)."""

from django.db import migrations

from loriaa.beat import crontab_task

schedule, unschedule = crontab_task(
    name="Agents: expire stale pending actions",
    task="agents.tasks.expire_pending_actions",
    crontab={
        "minute": "7",
        "hour": "*",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "UTC",
    },
    description="Pending actions nobody approved within their window are marked expired.",
)


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
