"""Knowledge search at portfolio scale: recall of the filtered HNSW search, and latency.

    .venv/bin/python -m benchmarks.knowledge_search [--queries 50] [--reseed]

Seeds (once, kept between runs) 100,000 chunks over 20 teams of skewed sizes (30,000 down to
500) on its own database of the embedded PostgreSQL. Embedding 100,000 passages with MiniLM
would take over half an hour on one core, so the vectors are synthetic but shaped like real
ones: every team writes about the same 64 topics (pets, parking, fees…), each with 8 subtopics,
so a query's nearest neighbours across the whole table are mostly other teams' chunks, which is
the case the team filter has to survive. A chunk is its topic + 0.6 * its subtopic + 0.8 * noise
(cosine ≈ 0.7 to its topic, ≈ 0.5 to a sibling subtopic's chunks, ≈ 0 elsewhere). Text for
full-text search is drawn from per-topic word lists plus words every passage uses.

For each team, ``--queries`` queries (a topic and subtopic the team writes about, fresh noise,
2 or 3 words of that topic; every fifth is one common word) are run through the search functions
the product uses (``knowledge.search``). Printed per team-size bucket:

- recall@10: the top 10 of the vector candidates (HNSW, iterative scan) against exact search
  (the same query with index scans off: a sequential or bitmap scan and a sort), without and
  with a property + kind filter;
- p50/p95 of the vector candidates, the full-text candidates and the whole hybrid search
  (both, fusion, and loading the results with their snippets; the query vector is given).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from benchmarks.harness import boot, setup_database

boot("bench_knowledge")

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pgvector.psycopg import register_vector  # noqa: E402

from crm.properties.models import Property  # noqa: E402
from crm.teams.models import Team  # noqa: E402
from crm.teams.scoping import team_scope  # noqa: E402
from knowledge import search  # noqa: E402
from knowledge.embedders import OfflineMiniLMEmbedder, embedder_for_team  # noqa: E402
from knowledge.ingestion import SEARCH_VECTOR_SQL  # noqa: E402
from knowledge.models import Chunk, Document, DocumentKind  # noqa: E402

EMBEDDER = "bench-synthetic"
DIMENSIONS = 384
TEAM_SIZES = [30_000, 15_400, 10_000, 7_500, 6_000, 5_000, 4_000, 3_500, 3_000, 2_500]
TEAM_SIZES += [2_200, 2_000, 1_800, 1_600, 1_400, 1_200, 1_000, 800, 600, 500]  # 100,000 in all
BUCKETS = [(20_000, "30,000"), (8_000, "10,000-15,400"), (3_000, "3,000-7,500"), (1_500, "1,600-2,500")]
SMALLEST_BUCKET = "500-1,400"
TOPICS, SUBTOPICS = 64, 8
SUBTOPIC_WEIGHT, NOISE_WEIGHT = 0.6, 0.8
CHUNKS_PER_DOCUMENT = 20
SEED = 20261125

COMMON_WORDS = str.split(
    "apartment resident community lease month building unit home office leasing team please contact "
    "available included per each every must may will also our your new living floor plan"
)
TOPIC_WORDS = str.split(
    "pet dog cat deposit breed leash weight parking garage covered space permit vehicle guest "
    "application fee income credit background screening approval cosigner pool fitness gym "
    "clubhouse rooftop yoga sauna trash valet recycling compost package locker delivery mail "
    "maintenance repair request emergency plumbing heating cooling appliance washer dryer laundry "
    "utilities water electric gas internet cable wifi renters insurance liability coverage policy "
    "move inspection keys fob entry gate access security camera patrol noise quiet hours smoking "
    "vape balcony grill fire sprinkler storage bike closet special concession discount free week "
    "rent payment portal autopay late fee grace notice renewal term transfer sublet roommate "
    "furnished corporate short lease break termination early pest control extermination carpet "
    "paint hardwood granite stainless dishwasher microwave ceiling fan window blinds thermostat "
    "elevator stairs wheelchair accessible ramp service animal assistance reasonable accommodation "
    "school transit bus train highway shopping grocery restaurant park trail dog park playground"
)


# --- Data -------------------------------------------------------------------------------------------


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


@dataclass
class World:
    """Everything the data is generated from; the same seed gives the same world on every run."""

    rng: np.random.Generator
    topics: np.ndarray  # (TOPICS, 384)
    subtopics: np.ndarray  # (TOPICS, SUBTOPICS, 384), offsets of norm 1
    topic_words: list[list[str]]
    team_topic_weights: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def create(cls) -> World:
        rng = np.random.default_rng(SEED)
        topics = unit_rows(rng.standard_normal((TOPICS, DIMENSIONS)))
        subtopics = unit_rows(rng.standard_normal((TOPICS, SUBTOPICS, DIMENSIONS)))
        words = [list(rng.choice(TOPIC_WORDS, size=8, replace=False)) for _ in range(TOPICS)]
        world = cls(rng, topics, subtopics, words)
        for _ in TEAM_SIZES:
            # Each team favours its own topics (a Zipf over a shuffled order), as real portfolios do.
            weights = 1.0 / np.arange(1, TOPICS + 1) ** 0.8
            world.team_topic_weights.append(rng.permutation(weights / weights.sum()))
        return world

    def vectors(self, topic: np.ndarray, subtopic: np.ndarray) -> np.ndarray:
        noise = unit_rows(self.rng.standard_normal((len(topic), DIMENSIONS)))
        mixed = self.topics[topic] + SUBTOPIC_WEIGHT * self.subtopics[topic, subtopic] + NOISE_WEIGHT * noise
        return unit_rows(mixed).astype(np.float32)

    def text(self, topic: int, subtopic: int, length: int) -> str:
        own = self.topic_words[topic]
        # The subtopic's two words are the most frequent; then the topic's; then common words.
        kinds = self.rng.choice(3, size=length, p=[0.25, 0.35, 0.40])
        subtopic_words = subtopic % 4 * 2 + self.rng.integers(2, size=length)
        topic_words = self.rng.integers(len(own), size=length)
        common_words = self.rng.integers(len(COMMON_WORDS), size=length)
        words = [
            own[s] if k == 0 else own[t] if k == 1 else COMMON_WORDS[c]
            for k, s, t, c in zip(kinds, subtopic_words, topic_words, common_words, strict=True)
        ]
        return " ".join(words).capitalize() + "."


# --- Seeding ---------------------------------------------------------------------------------------------


def team_slug(index: int) -> str:
    return f"bench-kb-{index + 1:02d}"


def seeded() -> bool:
    teams = Team.objects.filter(slug__startswith="bench-kb-").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_chunk WHERE embedder = %s", [EMBEDDER])
        chunks = cursor.fetchone()[0]
    return teams == len(TEAM_SIZES) and chunks == sum(TEAM_SIZES)


def reseed(world: World) -> None:
    print(f"seeding {sum(TEAM_SIZES):,} chunks over {len(TEAM_SIZES)} teams…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    Team.objects.filter(slug__startswith="bench-kb-").delete()
    with connection.cursor() as cursor:  # a fresh run should not sit behind the last one's dead rows
        cursor.execute("VACUUM FULL knowledge_chunk, knowledge_document")
    indexes = {index.name: index for index in Chunk._meta.indexes}
    hnsw, gin = indexes["chunk_embedding_hnsw"], indexes["chunk_search_vector"]
    with connection.cursor() as cursor:  # rows go in first and the indexes are built once, after
        cursor.execute(f"DROP INDEX IF EXISTS {hnsw.name}, {gin.name}")
    params = {k: v for k, v in connection.get_connection_params().items() if k not in {"cursor_factory", "context"}}
    with psycopg.connect(**params) as raw:
        register_vector(raw)
        for index, size in enumerate(TEAM_SIZES):
            _seed_team(world, raw, index, size)
            raw.commit()
        print(f"  rows written in {time.perf_counter() - started:.0f} s; building indexes…", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
    with connection.schema_editor() as editor:
        editor.add_index(Chunk, gin)
        editor.add_index(Chunk, hnsw)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_chunk")
        cursor.execute("ANALYZE knowledge_document")
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def _seed_team(world: World, raw: psycopg.Connection, index: int, size: int) -> None:
    rng = world.rng
    team = Team.objects.create(name=f"Bench Knowledge {index + 1}", slug=team_slug(index))
    today = date.today()
    with team_scope(team):
        properties = [
            Property.objects.create(team=team, name=f"Community {index + 1}-{n + 1}", timezone="America/Chicago")
            for n in range(max(2, size // 2_500))
        ]
        documents: list[Document] = []
        for _ in range(-(-size // CHUNKS_PER_DOCUMENT)):
            roll = rng.random()
            expires = today - timedelta(days=30) if roll < 0.03 else today + timedelta(days=60) if roll < 0.08 else None
            documents.append(
                Document(
                    team=team,
                    property=properties[int(rng.integers(len(properties)))] if rng.random() < 0.7 else None,
                    title=f"Document {len(documents) + 1}",
                    kind=DocumentKind.values[int(rng.integers(len(DocumentKind.values)))],
                    source="text",
                    status="ready",
                    progress=100,
                    chunk_count=CHUNKS_PER_DOCUMENT,
                    embedder=EMBEDDER,
                    expires_on=expires,
                )
            )
        Document.objects.bulk_create(documents)
    topic = rng.choice(TOPICS, size=size, p=world.team_topic_weights[index])
    subtopic = rng.integers(SUBTOPICS, size=size)
    vectors = world.vectors(topic, subtopic)
    lengths = rng.integers(110, 170, size=size)  # 800 to 1,200 characters, like ingestion's chunks
    staging = f"bench_chunks_{index}"
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {staging} (id uuid, team_id uuid, document_id uuid, property_id uuid, kind text, "
            "expires_on date, ordinal int, heading text, text text, embedding vector)"
        )
        with cursor.copy(f"COPY {staging} FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["uuid", "uuid", "uuid", "uuid", "text", "date", "int4", "text", "text", "vector"])
            for n in range(size):
                document = documents[n // CHUNKS_PER_DOCUMENT]
                copy.write_row(
                    [
                        uuid.uuid4(),
                        team.pk,
                        document.pk,
                        document.property_id,
                        document.kind,
                        document.expires_on,
                        n % CHUNKS_PER_DOCUMENT,
                        f"Section {topic[n]}",
                        world.text(int(topic[n]), int(subtopic[n]), int(lengths[n])),
                        vectors[n],
                    ]
                )
        cursor.execute(
            "INSERT INTO knowledge_chunk (id, created_at, team_id, document_id, property_id, kind, expires_on, "
            "ordinal, heading, text, embedding, embedder, search_vector) "
            f"SELECT id, now(), team_id, document_id, property_id, kind, expires_on, ordinal, heading, text, "
            f"embedding, %s, {SEARCH_VECTOR_SQL} FROM {staging}",
            [EMBEDDER],
        )
        cursor.execute(f"DROP TABLE {staging}")
    print(f"  team {index + 1:>2}: {size:,} chunks", file=sys.stderr, flush=True)


# --- Measuring --------------------------------------------------------------------------------------------


@dataclass
class Query:
    text: str
    vector: list[float]
    property: Property
    kind: str


def make_queries(world: World, index: int, team: Team, count: int) -> list[Query]:
    rng = np.random.default_rng(SEED + 1000 + index)  # independent of how the data was seeded
    with team_scope(team):
        properties = list(Property.objects.order_by("name"))
    topics = rng.choice(TOPICS, size=count, p=world.team_topic_weights[index])
    subtopics = rng.integers(SUBTOPICS, size=count)
    noise = unit_rows(rng.standard_normal((count, DIMENSIONS)))
    mixed = world.topics[topics] + SUBTOPIC_WEIGHT * world.subtopics[topics, subtopics] + NOISE_WEIGHT * noise
    vectors = unit_rows(mixed)
    queries = []
    for n in range(count):
        own = world.topic_words[int(topics[n])]
        if n % 5 == 4:
            text = str(rng.choice(COMMON_WORDS[:4]))  # a word in most passages: the full-text worst case
        else:
            text = " ".join(rng.choice(own, size=int(rng.integers(2, 4)), replace=False))
        queries.append(
            Query(
                text=text,
                vector=vectors[n].tolist(),
                property=properties[int(rng.integers(len(properties)))],
                kind=DocumentKind.values[int(rng.integers(len(DocumentKind.values)))],
            )
        )
    return queries


def exact_top(team: Team, query: Query, *, filtered: bool) -> list[uuid.UUID]:
    """The true nearest 10: the same search with index scans off (so no HNSW), inside one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        rows = search.vector_search(
            team=team, embedding=query.vector, embedder=EMBEDDER, limit=10, **_filters(query, filtered)
        )
    return [chunk_id for chunk_id, _ in rows]


def _filters(query: Query, filtered: bool) -> dict[str, Any]:
    return {"property": query.property, "kind": query.kind} if filtered else {}


def since(started: float) -> float:
    """Milliseconds since ``started`` (a perf_counter reading)."""
    return (time.perf_counter() - started) * 1000


@dataclass
class Measured:
    recall: list[float] = field(default_factory=list)
    recall_filtered: list[float] = field(default_factory=list)
    vector: list[float] = field(default_factory=list)
    text: list[float] = field(default_factory=list)
    hybrid: list[float] = field(default_factory=list)
    exact: list[float] = field(default_factory=list)
    plans: set[str] = field(default_factory=set)


def recall_at_10(found: list[uuid.UUID], truth: list[uuid.UUID]) -> float:
    if not truth:
        return 1.0
    return len(set(found[:10]) & set(truth)) / len(truth)


def measure_team(team: Team, queries: list[Query], into: Measured) -> None:
    for query in queries:
        started = time.perf_counter()
        nearest = search.vector_search(team=team, embedding=query.vector, embedder=EMBEDDER)
        into.vector.append(since(started))
        started = time.perf_counter()
        truth = exact_top(team, query, filtered=False)
        into.exact.append(since(started))
        into.recall.append(recall_at_10([chunk_id for chunk_id, _ in nearest], truth))
        narrowed = search.vector_search(team=team, embedding=query.vector, embedder=EMBEDDER, **_filters(query, True))
        into.recall_filtered.append(
            recall_at_10([chunk_id for chunk_id, _ in narrowed], exact_top(team, query, filtered=True))
        )
        started = time.perf_counter()
        search.text_search(team=team, query=query.text)
        into.text.append(since(started))
        started = time.perf_counter()
        search.fused_search(team=team, query=query.text, embedding=query.vector, embedder=EMBEDDER)
        into.hybrid.append(since(started))
    into.plans.add(vector_plan(team, queries[0], filtered=False))
    into.plans.add(vector_plan(team, queries[0], filtered=True) + " (filtered)")


def vector_plan(team: Team, query: Query, *, filtered: bool) -> str:
    with CaptureQueriesContext(connection) as captured:
        search.vector_search(team=team, embedding=query.vector, embedder=EMBEDDER, **_filters(query, filtered))
    sql = next(q["sql"] for q in captured.captured_queries if "<=>" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return "hnsw" if "chunk_embedding_hnsw" in plan else "btree"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bucket_of(size: int) -> str:
    return next((name for floor, name in BUCKETS if size >= floor), SMALLEST_BUCKET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=50, help="queries per team")
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark teams and seed them again")
    parser.add_argument("--seed-only", action="store_true", help="create the data and stop")
    parser.add_argument(
        "--ef-search", type=int, default=search.HNSW_EF_SEARCH, help="try another hnsw.ef_search than the product's"
    )
    parser.add_argument(
        "--vector-candidates", type=int, default=search.VECTOR_CANDIDATES, help="try another candidate count"
    )
    args = parser.parse_args()
    search.HNSW_EF_SEARCH = args.ef_search
    search.VECTOR_CANDIDATES = args.vector_candidates

    # The synthetic embedder's name is unknown to get_embedder: say so once, not per lookup.
    logging.getLogger("knowledge.embedders").setLevel(logging.ERROR)
    setup_database()
    world = World.create()
    if args.reseed or not seeded():
        reseed(world)
    if args.seed_only:
        return
    teams = [Team.objects.get(slug=team_slug(index)) for index in range(len(TEAM_SIZES))]
    queries = [make_queries(World.create(), index, team, args.queries) for index, team in enumerate(teams)]

    # Warm up: the pgvector library, the index's upper layers and the planner's caches.
    for team, team_queries in zip(teams, queries, strict=True):
        for query in team_queries[:3]:
            search.fused_search(team=team, query=query.text, embedding=query.vector, embedder=EMBEDDER)

    buckets: dict[str, Measured] = {}
    for team, size, team_queries in zip(teams, TEAM_SIZES, queries, strict=True):
        measure_team(team, team_queries, buckets.setdefault(bucket_of(size), Measured()))

    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        pgvector_version = cursor.fetchone()[0]
    print(
        f"\nKnowledge search benchmark: {sum(TEAM_SIZES):,} chunks over {len(TEAM_SIZES)} teams, "
        f"{args.queries} queries per team; PostgreSQL {getattr(connection, 'pg_version', 0) // 10000}, "
        f"pgvector {pgvector_version}, "
        f"hnsw m=16 ef_construction=64, ef_search={search.HNSW_EF_SEARCH}, iterative_scan=relaxed_order, "
        f"{search.VECTOR_CANDIDATES} vector and {search.TEXT_CANDIDATES} full-text candidates; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    header = (
        f"{'team size':<15}{'teams':>6}{'queries':>8}{'recall@10':>11}{'filtered':>10}"
        f"{'vector p50/p95':>17}{'full-text p50/p95':>20}{'hybrid p50/p95':>17}{'exact p50':>11}  plan"
    )
    print(header)
    print("-" * len(header))
    order = [name for _, name in BUCKETS] + [SMALLEST_BUCKET]
    for name in order:
        m = buckets[name]
        team_count = sum(1 for size in TEAM_SIZES if bucket_of(size) == name)
        print(
            f"{name:<15}{team_count:>6}{len(m.recall):>8}{np.mean(m.recall):>11.3f}{np.mean(m.recall_filtered):>10.3f}"
            f"{_pair(m.vector):>17}{_pair(m.text):>20}{_pair(m.hybrid):>17}{percentile(m.exact, 0.5):>9.1f}ms"
            f"  {', '.join(sorted(m.plans))}"
        )
    everything = Measured()
    for m in buckets.values():
        for name in ("recall", "recall_filtered", "vector", "text", "hybrid"):
            getattr(everything, name).extend(getattr(m, name))
    print(
        f"{'all':<15}{len(TEAM_SIZES):>6}{len(everything.recall):>8}{np.mean(everything.recall):>11.3f}"
        f"{np.mean(everything.recall_filtered):>10.3f}{_pair(everything.vector):>17}{_pair(everything.text):>20}"
        f"{_pair(everything.hybrid):>17}"
    )
    worst = min(min(m.recall) for m in buckets.values())
    print(f"lowest single-query recall@10: {worst:.2f}")
    print_extras(teams[0])
    print("Targets: recall@10 ≥ 0.95 for every team size; hybrid p95 ≤ 40 ms.")


def _pair(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.1f}/{percentile(values, 0.95):.1f}ms"


def print_extras(team: Team) -> None:
    """What a real query adds on top: finding the team's embedder and embedding the query offline."""
    lookups = []
    for _ in range(30):
        started = time.perf_counter()
        embedder_for_team(team)
        lookups.append(since(started))
    embedder = OfflineMiniLMEmbedder()
    embedder.embed(["warm up"])
    embeds = []
    for question in ["Do you allow dogs?", "How much is the application fee?", "Is parking included in the rent?"] * 10:
        started = time.perf_counter()
        embedder.embed([question])
        embeds.append(since(started))
    print(
        f"plus per real query: team embedder lookup p50 {percentile(lookups, 0.5):.1f} ms; "
        f"MiniLM query embedding p50/p95 {_pair(embeds)} (one core)"
    )


if __name__ == "__main__":
    main()
