"""Schedule the inbox sweeps in django-celery-beat: stuck webhook events and held/lost messages
every minute, due tour reminders every five minutes (crm/inbox/services/sweeps.py, intake.py)."""

from django.db import migrations

from loriaa.beat import crontab_task

EVERY = {"hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "UTC"}

STEPS = [
    crontab_task(
        name="Inbox: re-enqueue stuck webhook events",
        task="crm.inbox.tasks.requeue_stuck_events",
        crontab={"minute": "*", **EVERY},
        description="Webhook events not processed within INBOX_EVENT_STALE_SECONDS are processed again.",
    ),
    crontab_task(
        name="Inbox: release held texts and re-send lost deliveries",
        task="crm.inbox.tasks.release_held_messages",
        crontab={"minute": "*", **EVERY},
        description="Texts held for quiet hours go out in the morning; queued messages whose task was lost are re-enqueued.",
    ),
    crontab_task(
        name="Inbox: send due tour reminders",
        task="crm.inbox.tasks.send_due_reminders",
        crontab={"minute": "*/5", **EVERY},
        description="One reminder message per tour-reminder task, through the lead's channel.",
    ),
]


def schedule(apps, schema_editor):
    for forward, _ in STEPS:
        forward(apps, schema_editor)


def unschedule(apps, schema_editor):
    for _, backward in STEPS:
        backward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
