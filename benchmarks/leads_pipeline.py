"""Leads pipeline at portfolio scale: the board, a column page, a card move and the API list.

    .venv/bin/python -m benchmarks.leads_pipeline [--leads 100000] [--open 10000] [--runs 40]

Seeds (once, kept between runs) a team with 100,000 leads of which 10,000 are open, on its own
database of the embedded PostgreSQL. Each operation is called through Django's test client
(middleware, view, templates: the whole server side) ``--runs`` times after a warm-up. For each
call the exact SQL it ran is captured; that SQL is then re-executed alone, the same number of
times, to give "raw SQL" time. Printed: p50/p95 of both, queries per call, and the ratio.
Writes (the card move) run inside a transaction that is rolled back, so every call sees the
same data and the raw replay of its INSERTs does not collide with the original rows.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from benchmarks.harness import boot, setup_database

boot("bench_loriaa")

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.models import token_create  # noqa: E402
from crm.accounts.models import User  # noqa: E402
from crm.leads.models import OPEN_STAGES, Lead, Source, Stage  # noqa: E402
from crm.properties.models import Property  # noqa: E402
from crm.teams.models import Membership, Team  # noqa: E402
from crm.teams.roles import Role  # noqa: E402
from crm.teams.scoping import team_scope  # noqa: E402

TEAM_SLUG = "bench-portfolio"


# The harness's own transaction statements are not part of what a view runs.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


class Rollback(Exception):
    pass


def seed(total: int, open_leads: int) -> tuple[Team, User]:
    team = Team.objects.filter(slug=TEAM_SLUG).first()
    if team is None:
        team = Team.objects.create(name="Bench Portfolio", slug=TEAM_SLUG)
    user = User.objects.filter(email="bench@example.com").first() or User.objects.create_user(
        email="bench@example.com", password="bench-password-123"
    )
    with team_scope(team):
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
        have = Lead.objects.count()
        if have >= total:
            return team, user
        print(f"seeding {total - have:,} leads…", file=sys.stderr, flush=True)
        properties = list(Property.objects.all()) or [
            Property.objects.create(team=team, name=f"Community {n}", timezone="America/Chicago") for n in range(20)
        ]
        rng = random.Random(7)
        now = timezone.now()
        closed = [Stage.LEASED, Stage.LOST]
        batch: list[Lead] = []
        started = time.perf_counter()
        for index in range(have, total):
            is_open = index < open_leads
            moment = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
            batch.append(
                Lead(
                    team=team,
                    first_name=f"First{index}",
                    last_name=f"Last{index}",
                    email=f"lead{index}@bench.example",
                    phone=f"+1512{index % 10_000_000:07d}",
                    source=rng.choice(Source.values),
                    property=rng.choice(properties),
                    stage=rng.choice(OPEN_STAGES if is_open else closed),
                    score=rng.randint(0, 100),
                    stage_changed_at=moment,
                    last_activity_at=moment,
                    assigned_to=user if rng.random() < 0.3 else None,
                )
            )
            if len(batch) == 5000:
                Lead.objects.bulk_create(batch)
                batch.clear()
        Lead.objects.bulk_create(batch)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    return team, user


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(call: Callable[[], Any], runs: int, *, write: bool) -> dict[str, Any]:
    """Time ``call`` end to end, then the SQL it ran on its own."""

    def once() -> tuple[float, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    response = call()
                    if write:
                        raise Rollback
            except Rollback:
                pass
            elapsed = time.perf_counter() - started
        if not write:
            assert response.status_code == 200, response.status_code
        statements = [q["sql"] for q in captured.captured_queries]
        return elapsed, [s for s in statements if not s.startswith(TRANSACTION_CONTROL)]

    for _ in range(3):
        once()
    server, sql = [], []
    for _ in range(runs):
        elapsed, statements = once()
        server.append(elapsed * 1000)
        started = time.perf_counter()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                raise Rollback
        except Rollback:
            pass
        sql.append((time.perf_counter() - started) * 1000)
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(statement[:160] for statement in statements), file=sys.stderr)
    return {
        "queries": len(statements),
        "server_p50": percentile(server, 0.5),
        "server_p95": percentile(server, 0.95),
        "sql_p50": percentile(sql, 0.5),
        "sql_p95": percentile(sql, 0.95),
        "ratio": statistics.median(server) / max(statistics.median(sql), 1e-6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed-only", action="store_true", help="create the data and stop")
    args = parser.parse_args()

    setup_database()
    team, user = seed(args.leads, args.open)
    if args.seed_only:
        return
    client = Client()
    client.force_login(user)
    with team_scope(team):
        _, key = token_create(team=team, user=user, name=f"bench-{uuid.uuid4().hex[:6]}")
        total = Lead.objects.count()
        open_count = Lead.objects.filter(stage__in=OPEN_STAGES).count()
        lead = Lead.objects.filter(stage=Stage.NEW).order_by("-stage_changed_at").first()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")

    board_url, column_url = reverse("leads:index"), reverse("leads:column")
    first_page = client.get(column_url, {"stage": Stage.NEW}, HTTP_HX_REQUEST="true")
    cursor = first_page.headers.get("X-Next-Cursor", "")
    operations = {
        "board": (lambda: client.get(board_url), False),
        "column page (2nd)": (
            lambda: client.get(column_url, {"stage": Stage.NEW, "cursor": cursor}, HTTP_HX_REQUEST="true"),
            False,
        ),
        "card move": (
            lambda: client.post(
                reverse("leads:move", args=[lead.id]), {"stage": Stage.CONTACTED}, HTTP_HX_REQUEST="true"
            ),
            True,
        ),
        "API list": (lambda: api.get("/api/v1/leads/"), False),
    }
    print(
        f"\nLeads pipeline benchmark: {total:,} leads ({open_count:,} open), {args.runs} runs each, "
        f"PostgreSQL {connection.pg_version // 10000}, Python {sys.version.split()[0]}"
    )
    print(f"{'operation':<20}{'queries':>8}{'server p50':>12}{'p95':>9}{'raw SQL p50':>13}{'p95':>9}{'ratio':>8}")
    for name, (call, write) in operations.items():
        result = measure(call, args.runs, write=write)
        print(
            f"{name:<20}{result['queries']:>8}{result['server_p50']:>10.1f}ms{result['server_p95']:>7.1f}ms"
            f"{result['sql_p50']:>11.1f}ms{result['sql_p95']:>7.1f}ms{result['ratio']:>7.1f}x"
        )
    print("ratio = median server time / median time of the same SQL run alone. Targets: board ≤ 10x, API list ≤ 5x.")


if __name__ == "__main__":
    main()
