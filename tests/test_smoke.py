from __future__ import annotations

from django.db import connection


def test_the_suite_runs_on_postgresql_18_with_pgvector(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 180000
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone() is not None, "the vector extension migration did not run"
