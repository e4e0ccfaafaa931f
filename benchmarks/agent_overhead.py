"""What an agent turn costs Loriaa itself, with the model taken out.

    .venv/bin/python -m benchmarks.agent_overhead [--turns 300] [--leads 5000]

Seeds (once, kept between runs) a team on its own database of the embedded PostgreSQL: 10
properties with 40 units each, ``--leads`` leads with timelines, and a few knowledge documents.
Then it runs ``--turns`` turns per scenario through ``agents.runtime.run_turn`` with a
zero-latency in-process model that answers from a script:

- answer only: one model call, no tool;
- one tool call: ``list_units``, then the answer;
- three-step loop: ``search_leads`` → ``get_lead`` → ``list_units``, then the answer;
- knowledge search (for reference): ``search_knowledge``, which embeds the query with the offline
  MiniLM model on this CPU; the embedding, not the runtime, is most of its time.

Everything else is real: membership and policy reads, argument validation, the tools' queries,
result capping, fencing, and the audit-log insert. Printed per scenario: p50 / p95 / mean
milliseconds per turn, and queries per turn (counted on separate turns, so counting does not
slow the timed ones). Target: p50 ≤ 25 ms for the first three.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.harness import boot, setup_database

boot("bench_agents")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agents.gateway import ChatResult, ToolCallRequest, Usage  # noqa: E402
from agents.models import AgentActivity  # noqa: E402
from agents.runtime import run_turn  # noqa: E402
from crm.accounts.models import User  # noqa: E402
from crm.leads.models import ActivityKind, Lead, LeadActivity, Source, Stage  # noqa: E402
from crm.properties.models import Property, PropertyAgent, Unit, UnitStatus  # noqa: E402
from crm.teams.models import Membership, Team  # noqa: E402
from crm.teams.roles import Role  # noqa: E402
from crm.teams.scoping import team_scope  # noqa: E402
from knowledge.ingestion import document_ingest  # noqa: E402
from knowledge.models import Document  # noqa: E402
from knowledge.services import document_create_text  # noqa: E402

TEAM_SLUG = "bench-agents"
TARGET_P50_MS = 25.0
DOCS = [
    ("Pet policy", "# Pets\n\nDogs up to 50 lb with a $300 deposit and $35 monthly pet rent. Two cats allowed."),
    ("Parking", "# Parking\n\nGarage spaces are $85 a month; surface parking is free for residents."),
    ("Application", "# Applying\n\nThe application fee is $50 per adult. Income of three times the rent."),
    ("Amenities", "# Amenities\n\nPool, fitness centre open 24 hours, package lockers and a dog park."),
]


# --- A model with no latency -------------------------------------------------------------------


def _say(text: str) -> ChatResult:
    return ChatResult(
        content=text, tool_calls=[], finish_reason="stop", usage=Usage(200, 20), model="bench", latency_ms=0
    )


def _call(name: str, arguments: str) -> ChatResult:
    request = ToolCallRequest(id=f"call_{name}", name=name, arguments=arguments)
    return ChatResult(
        content=None, tool_calls=[request], finish_reason="tool_calls", usage=Usage(300, 30), model="bench",
        latency_ms=0,
    )  # fmt: skip


class FakeModel:
    """Answers the n-th call of a turn with ``script[n]``; the same script every turn."""

    engine = "llm"

    def __init__(self, script: list[ChatResult]) -> None:
        self.script = script
        self.position = 0

    def reset(self) -> FakeModel:
        self.position = 0
        return self

    def chat(self, **kwargs: Any) -> ChatResult:
        step = self.script[self.position]
        self.position += 1
        return step


# --- Seeding ------------------------------------------------------------------------------------------


def seed(leads: int) -> tuple[Team, User, Lead]:
    team = Team.objects.filter(slug=TEAM_SLUG).first() or Team.objects.create(name="Bench Agents", slug=TEAM_SLUG)
    user = User.objects.filter(email="agents@bench.example").first() or User.objects.create_user(
        email="agents@bench.example", password="bench-password-123"
    )
    with team_scope(team):
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.MANAGER})
        if Lead.objects.count() < leads:
            print(f"seeding {leads:,} leads, 10 properties and {len(DOCS)} documents…", file=sys.stderr, flush=True)
            _seed(team, user, leads)
        lead = Lead.objects.filter(first_name="Ada").first() or Lead.objects.order_by("created_at").first()
    with connection.cursor() as cursor:
        for table in ("leads_lead", "leads_leadactivity", "properties_unit", "agents_agentactivity"):
            cursor.execute(f"ANALYZE {table}")
    return team, user, lead


def _seed(team: Team, user: User, total: int) -> None:
    rng = random.Random(7)
    properties = list(Property.objects.all()) or [
        Property.objects.create(team=team, name=f"Community {n}", city="Austin") for n in range(10)
    ]
    if not Unit.objects.exists():
        Unit.objects.bulk_create(
            Unit(
                team=team,
                property=place,
                number=f"{100 + n}",
                beds=rng.choice([0, 1, 1, 2, 2, 3]),
                rent=900 + 100 * rng.randint(0, 15),
                status=rng.choice(list(UnitStatus.values)),
            )
            for place in properties
            for n in range(40)
        )
        for place in properties:
            PropertyAgent.objects.create(team=team, property=place, user=user)
    have = Lead.objects.count()
    batch = [
        Lead(
            team=team,
            first_name="Ada" if index == 0 else f"First{index}",
            last_name="Lovelace" if index == 0 else f"Last{index}",
            email=f"lead{index}@bench.example",
            source=rng.choice(Source.values),
            stage=rng.choice(Stage.values),
            property=rng.choice(properties),
        )
        for index in range(have, total)
    ]
    Lead.objects.bulk_create(batch, batch_size=2000)
    LeadActivity.objects.bulk_create(
        (
            LeadActivity(team=team, lead=lead, kind=ActivityKind.NOTE, summary=f"Note {n}")
            for lead in batch
            for n in range(3)
        ),
        batch_size=5000,
    )
    if not Document.objects.exists():
        for title, text in DOCS:
            document = document_create_text(team=team, title=title, text=text, actor=user)
            document_ingest(document_id=str(document.pk))


# --- Timing -------------------------------------------------------------------------------------------


def scenarios(lead: Lead) -> dict[str, FakeModel]:
    return {
        "answer only": FakeModel([_say("Hello! How can I help?")]),
        "one tool call": FakeModel([_call("list_units", '{"beds": 2, "max_rent": 2000}'), _say("Two units fit.")]),
        "three-step loop": FakeModel(
            [
                _call("search_leads", '{"query": "Ada"}'),
                _call("get_lead", f'{{"lead_id": "{lead.pk}"}}'),
                _call("list_units", '{"beds": 2}'),
                _say("Ada could see unit 104."),
            ]
        ),
        "knowledge search*": FakeModel([_call("search_knowledge", '{"query": "pet deposit"}'), _say("Dogs: $300.")]),
    }


def measure(turn: Callable[[], Any], turns: int) -> tuple[list[float], float]:
    for _ in range(10):  # warm the caches (registry, prompts, the embedding model)
        turn()
    times = []
    for _ in range(turns):
        started = time.perf_counter()
        turn()
        times.append((time.perf_counter() - started) * 1000)
    counts = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            turn()
        counts.append(len(captured))
    return times, statistics.mean(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--leads", type=int, default=5_000)
    args = parser.parse_args()

    setup_database()
    team, user, lead = seed(args.leads)
    with team_scope(team):
        counts = (Lead.objects.count(), Unit.objects.count(), Document.objects.count())
    print(f"\nAgent turn overhead, model excluded: {counts[0]:,} leads, {counts[1]:,} units, {counts[2]} documents;")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{args.turns} turns per scenario, zero-latency in-process model")
    print(f"load average {load} on {os.cpu_count()} CPUs (other work on the machine slows every figure)\n")
    print(f"{'scenario':<20} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'queries':>8}")
    failures = []
    for name, model in scenarios(lead).items():

        def turn(model: FakeModel = model) -> Any:
            return run_turn(agent="leasing", team=team, user=user, message="Bench", model=model.reset())

        times, queries = measure(turn, args.turns)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{name:<20} {p50:>8.2f} {p95:>8.2f} {statistics.mean(times):>8.2f} {queries:>8.0f}")
        if not name.endswith("*") and p50 > TARGET_P50_MS:
            failures.append(name)
    with team_scope(team):
        logged = AgentActivity.objects.count()
    print(f"\n* includes embedding the query with the offline MiniLM model. Audit rows so far: {logged:,}.")
    print(f"Target p50 ≤ {TARGET_P50_MS:.0f} ms: " + ("met" if not failures else f"MISSED for {', '.join(failures)}"))


if __name__ == "__main__":
    main()
