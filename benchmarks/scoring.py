"""Batch rescoring of a team's open leads, as the nightly run does it.

    .venv/bin/python -m benchmarks.scoring [--leads 10000] [--runs 3]

Seeds (once, kept between runs) a team with ``--leads`` open leads on its own database of the
embedded PostgreSQL, with what scoring reads: 20 properties with units, timelines (repeat
submissions, inbound and outbound messages, stage moves), tours and completed tasks. Then it
times ``leads_rescore`` over the whole team ``--runs`` times in two situations:

- every score changes (the scores are cleared first): the full cost, writes included;
- nothing changes (right after a run): what a rerun costs.

Printed: total time, leads per second and the number of queries of each run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

from benchmarks.harness import boot, setup_database

boot("bench_scoring")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.accounts.models import User  # noqa: E402
from crm.leads.models import OPEN_STAGES, ActivityKind, Lead, LeadActivity, Source, Task, Tour, TourStatus  # noqa: E402
from crm.leads.services.scoring import leads_rescore  # noqa: E402
from crm.properties.models import Property, Unit, UnitStatus  # noqa: E402
from crm.teams.models import Membership, Team  # noqa: E402
from crm.teams.roles import Role  # noqa: E402
from crm.teams.scoping import team_scope  # noqa: E402

TEAM_SLUG = "bench-scoring"
BATCH = 5000


def seed(total: int) -> Team:
    team = Team.objects.filter(slug=TEAM_SLUG).first() or Team.objects.create(name="Bench Scoring", slug=TEAM_SLUG)
    user = User.objects.filter(email="scoring@bench.example").first() or User.objects.create_user(
        email="scoring@bench.example", password="bench-password-123"
    )
    with team_scope(team):
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
        have = Lead.objects.count()
        if have >= total:
            return team
        print(f"seeding {total - have:,} leads with timelines, tours and tasks…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        rng = random.Random(11)
        now = timezone.now()
        properties = list(Property.objects.all()) or _properties(team, rng)
        for start in range(have, total, BATCH):
            _seed_batch(team, user, properties, rng, now, range(start, min(start + BATCH, total)))
        _backdate(team)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        for table in ("leads_lead", "leads_leadactivity", "leads_tour", "leads_task", "properties_unit"):
            cursor.execute(f"ANALYZE {table}")
    return team


def _properties(team: Team, rng: random.Random) -> list[Property]:
    properties = [Property.objects.create(team=team, name=f"Community {n}") for n in range(20)]
    units = []
    for place in properties:
        for number in range(60):
            beds = rng.choice([0, 1, 1, 2, 2, 3])
            status = rng.choice([UnitStatus.AVAILABLE, UnitStatus.NOTICE] + [UnitStatus.OCCUPIED] * 4)
            units.append(
                Unit(
                    team=team,
                    property=place,
                    number=f"{100 + number}",
                    beds=beds,
                    rent=900 + 350 * beds + rng.randint(-150, 250),
                    status=status,
                    available_on=timezone.now().date() + timedelta(days=rng.randint(0, 90)),
                )
            )
    Unit.objects.bulk_create(units)
    return properties


def _seed_batch(
    team: Team, user: User, properties: list[Property], rng: random.Random, now: datetime, indexes: range
) -> None:
    leads: list[Lead] = []
    activities: list[tuple[Lead, str, dict[str, str]]] = []
    tours: list[tuple[Lead, str, datetime]] = []
    tasks: list[tuple[Lead, datetime]] = []
    for index in indexes:
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 120))
        has_budget = rng.random() < 0.7
        lead = Lead(
            team=team,
            first_name=f"First{index}",
            last_name=f"Last{index}",
            email=f"scored{index}@bench.example" if rng.random() < 0.9 else "",
            phone=f"+1737{index % 10_000_000:07d}" if rng.random() < 0.7 else "",
            source=rng.choice(Source.values),
            property=rng.choice(properties) if rng.random() < 0.85 else None,
            stage=rng.choice(OPEN_STAGES),
            desired_beds=rng.choice([None, 0, 1, 2, 3]),
            budget_min=rng.choice([None, 1000, 1200]) if has_budget else None,
            budget_max=rng.randint(1100, 2600) if has_budget else None,
            move_in_date=(now + timedelta(days=rng.randint(-20, 200))).date() if rng.random() < 0.6 else None,
            stage_changed_at=created,
            last_activity_at=created,
        )
        leads.append(lead)
        activities.append((lead, ActivityKind.CREATED, {}))
        if rng.random() < 0.7:
            activities.append((lead, ActivityKind.STAGE_CHANGED, {"to": "contacted"}))
        for _ in range(rng.choice([0, 0, 1, 2, 4])):
            direction = rng.choice(["inbound", "outbound"])
            activities.append((lead, ActivityKind.MESSAGE, {"direction": direction}))
        if rng.random() < 0.15:
            activities.append((lead, ActivityKind.DUPLICATE_SUBMITTED, {}))
        if lead.property is not None and rng.random() < 0.25:
            status = rng.choice([TourStatus.COMPLETED, TourStatus.NO_SHOW, TourStatus.CANCELLED])
            starts = created + timedelta(days=rng.randint(1, 10))
            tours.append((lead, status, starts))
        if rng.random() < 0.3:
            tasks.append((lead, created + _minutes(rng, 3000)))
    Lead.objects.bulk_create(leads)
    LeadActivity.objects.bulk_create(
        [LeadActivity(team=team, lead=lead, kind=kind, summary=kind, data=data) for lead, kind, data in activities]
    )
    Tour.objects.bulk_create(
        [
            Tour(
                team=team,
                lead=lead,
                property=lead.property,
                agent=user,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
                busy_until=starts + timedelta(minutes=45),
                status=status,
            )
            for lead, status, starts in tours
        ]
    )
    Task.objects.bulk_create(
        [Task(team=team, lead=lead, title="Call back", due_at=done, completed_at=done) for lead, done in tasks]
    )


def _backdate(team: Team) -> None:
    """created_at is auto_now_add: move leads and their timelines back to when they happened."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE leads_lead SET created_at = stage_changed_at WHERE team_id = %s", [team.pk])
        cursor.execute(
            "UPDATE leads_leadactivity a SET created_at = l.created_at + random() * interval '5 days'"
            " FROM leads_lead l WHERE a.lead_id = l.id AND a.kind <> 'created' AND a.team_id = %s",
            [team.pk],
        )
        cursor.execute(
            "UPDATE leads_leadactivity a SET created_at = l.created_at FROM leads_lead l"
            " WHERE a.lead_id = l.id AND a.kind = 'created' AND a.team_id = %s",
            [team.pk],
        )


def _minutes(rng: random.Random, most: int) -> timedelta:
    return timedelta(minutes=rng.randint(1, most))


def timed_run(team: Team) -> tuple[float, int, int, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        progress = leads_rescore(team=team)
        elapsed = time.perf_counter() - started
    return elapsed, progress.scored, progress.changed, len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed-only", action="store_true", help="create the data and stop")
    args = parser.parse_args()

    setup_database()
    team = seed(args.leads)
    if args.seed_only:
        return
    with team_scope(team):
        open_leads = Lead.objects.filter(stage__in=OPEN_STAGES).count()
        activity_count = LeadActivity.objects.count()
        print(
            f"\nBatch rescoring benchmark: {open_leads:,} open leads ({activity_count:,} timeline entries, "
            f"{Tour.objects.count():,} tours, {Unit.objects.count():,} units), {args.runs} runs each, "
            f"PostgreSQL {getattr(connection, 'pg_version', 0) // 10000}, Python {sys.version.split()[0]}"
        )
        print(f"{'situation':<22}{'leads':>8}{'written':>9}{'queries':>9}{'total p50':>11}{'best':>9}{'leads/s':>10}")
        for situation in ("every score changes", "nothing changes"):
            times, last = [], (0.0, 0, 0, 0)
            for _ in range(args.runs):
                if situation == "every score changes":
                    Lead.objects.update(score=None, score_factors=[], score_explanation="")
                last = timed_run(team)
                times.append(last[0])
            _, scored, changed, queries = last
            median = statistics.median(times)
            print(
                f"{situation:<22}{scored:>8,}{changed:>9,}{queries:>9}{median:>10.2f}s{min(times):>8.2f}s"
                f"{scored / median:>10,.0f}"
            )


if __name__ == "__main__":
    main()
