"""Schedule the nightly lead rescoring in django-celery-beat (DatabaseScheduler).

08:15 UTC is the small hours in every US time zone. The task fans out one rescoring task per team.
"""

from django.db import migrations

from loriaa.beat import crontab_task

schedule, unschedule = crontab_task(
    name="Nightly lead rescoring",
    task="crm.leads.tasks.rescore_all_teams",
    crontab={
        "minute": "15",
        "hour": "8",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "UTC",
    },
    description="Rescores every team's open leads (crm/leads/services/scoring.py).",
)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
