"""Schedule the stalled-ingestion sweep in django-celery-beat (DatabaseScheduler), every 10 minutes.

The sweep re-enqueues documents whose ingestion stopped without an answer (knowledge/sweeps.py).
"""

from django.db import migrations

from loriaa.beat import crontab_task

schedule, unschedule = crontab_task(
    name="Knowledge: re-enqueue stalled ingestion",
    task="knowledge.tasks.requeue_stale_documents",
    crontab={
        "minute": "*/10",
        "hour": "*",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "UTC",
    },
    description="Re-enqueues documents stuck pending or processing (knowledge/sweeps.py).",
)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_chunk_embedding_inline"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
