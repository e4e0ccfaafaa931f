"""What every benchmark does first: boot Django on its own kept database on the embedded server."""

from __future__ import annotations

import os


def boot(database: str) -> None:
    """Test settings (no integrations, eager Celery) on database ``database``; call before model imports."""
    os.environ["DJANGO_ENV"] = "test"
    os.environ.setdefault("LORIAA_TEST_DB", database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loriaa.settings")
    os.environ["OMP_NUM_THREADS"] = "1"
    import django

    django.setup()


def setup_database() -> None:
    """Create the benchmark database once (keepdb: seeded data survives between runs) and migrate it."""
    from django.core.management import call_command
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    call_command("createcachetable", verbosity=0)
