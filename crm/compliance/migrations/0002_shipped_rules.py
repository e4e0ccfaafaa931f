"""Seed the Fair Housing rules and accepted phrases Loriaa ships.

A later release that changes the shipped rules adds a migration running the same function: it
upserts by key, so operators' on/off switches and their own rules are kept.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from crm.compliance.shipped import seed_shipped_rules

    seed_shipped_rules(apps.get_model("compliance", "FairHousingRule"), apps.get_model("compliance", "AcceptedPhrase"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
