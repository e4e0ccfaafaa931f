"""Hybrid search: team isolation, the iterative index scan, filters, expiry, fusion and safe snippets."""

from __future__ import annotations

import math
import random
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from pgvector.django import CosineDistance

from crm.properties.models import Property
from crm.teams.scoping import team_scope
from knowledge.embedders import MINILM_NAME, OfflineMiniLMEmbedder
from knowledge.models import Chunk
from knowledge.search import (
    HNSW_EF_SEARCH,
    MARK_START,
    MARK_STOP,
    fused_search,
    hybrid_search,
    reciprocal_rank_fusion,
    text_search,
    vector_search,
)
from tests.conftest import TeamWorld
from tests.knowledge.passages import add_passage

PETS = "Pet policy: cats and dogs up to 50 pounds are welcome with a $300 deposit and $35 monthly pet rent."
PARKING = "Parking: each apartment includes one reserved covered space; additional spaces are $40 per month."
POOL = "The rooftop pool is open from 8am to 10pm, Memorial Day through Labor Day."
APPLICATION = "The application fee is $50 per adult; every resident 18 or older must apply."


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def basis(*weights: float) -> list[float]:
    """A unit vector from weights on the first few axes (exact distances for ranking tests)."""
    return unit([*weights, *[0.0] * (384 - len(weights))])


def ids(results: list) -> list:
    return [result.chunk_id for result in results]


# --- Tenancy ---------------------------------------------------------------------------------


def test_a_search_where_team_bs_chunks_are_the_nearest_neighbours_returns_none_of_them(
    team_a: TeamWorld, team_b: TeamWorld
) -> None:
    query = "Do you allow dogs?"
    query_vector = OfflineMiniLMEmbedder().embed([query])[0]
    # Team B's passages are the query itself, by vector and by words.
    for n in range(5):
        add_passage(team_b.team, f"Bravo canary {n}: do you allow dogs? Yes, we allow dogs.", embedding=query_vector)
    pets, parking, pool = (add_passage(team_a.team, text) for text in (PETS, PARKING, POOL))
    with scopes_disabled():
        everyone = Chunk.objects.annotate(distance=CosineDistance("embedding", query_vector)).order_by("distance")
        assert {chunk.team_id for chunk in everyone[:5]} == {team_b.team.pk}  # the premise

    results = hybrid_search(query=query, team=team_a.team)

    assert ids(results)[0] == pets.pk
    assert set(ids(results)) <= {pets.pk, parking.pk, pool.pk}
    assert not [r for r in results if "canary" in r.text.lower()]


def test_the_index_scan_keeps_going_past_other_teams_neighbours(team_a: TeamWorld, team_b: TeamWorld) -> None:
    """With the HNSW plan forced, team A's chunks are found behind more of team B's than ef_search."""
    rng = random.Random(7)
    query = unit([rng.gauss(0, 1) for _ in range(384)])

    def near(spread: float) -> list[float]:
        return unit([q + rng.gauss(0, spread) for q in query])

    crowd = add_passage(team_b.team, "bravo 0", embedding=near(0.005))
    with team_scope(team_b.team):
        Chunk.objects.bulk_create(
            Chunk(
                team=team_b.team,
                document_id=crowd.document_id,
                kind="policy",
                ordinal=n,
                text=f"bravo {n}",
                embedding=near(0.005),
                embedder=MINILM_NAME,
            )
            for n in range(1, HNSW_EF_SEARCH + 100)
        )
    mine = {add_passage(team_a.team, f"alpha {n}", embedding=near(0.05)).pk for n in range(5)}
    with connection.cursor() as cursor:  # for the rest of the test's transaction
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")

    with CaptureQueriesContext(connection) as captured:
        found = vector_search(team=team_a.team, embedding=query, embedder=MINILM_NAME)

    assert {chunk_id for chunk_id, _ in found} == mine
    sql = next(q["sql"] for q in captured.captured_queries if "<=>" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        assert "chunk_embedding_hnsw" in "\n".join(row[0] for row in cursor.fetchall())
        # Without iterative scans the index stops after ef_search candidates, all of them team B's.
        cursor.execute("SET LOCAL hnsw.iterative_scan = off")
        cursor.execute(sql)
        assert len(cursor.fetchall()) < len(mine)


# --- Filters ---------------------------------------------------------------------------------


def test_a_property_filter_keeps_that_propertys_and_the_team_wide_passages(
    team_a: TeamWorld, riverside: Property, maple: Property
) -> None:
    team = team_a.team
    at_riverside = add_passage(team, "Riverside: dogs welcome, $300 pet deposit.", property=riverside)
    at_maple = add_passage(team, "Maple Court: dogs welcome, no pet deposit.", property=maple)
    team_wide = add_passage(team, "Across the portfolio, dogs must be leashed in common areas.")

    results = hybrid_search(query="dogs pet deposit", team=team, property=riverside)

    assert set(ids(results)) == {at_riverside.pk, team_wide.pk}
    assert at_maple.pk not in ids(hybrid_search(query="Maple Court dogs", team=team, property=riverside))
    assert set(ids(hybrid_search(query="dogs", team=team))) == {at_riverside.pk, at_maple.pk, team_wide.pk}


def test_a_kind_filter_keeps_only_that_kind(team_a: TeamWorld) -> None:
    fees = add_passage(team_a.team, "Pet fees: $35 monthly pet rent per dog.", kind="fees")
    add_passage(team_a.team, PETS, kind="policy")

    results = hybrid_search(query="dog pet rent", team=team_a.team, kind="fees")

    assert ids(results) == [fees.pk]
    assert results[0].kind == "fees"
    assert results[0].kind_label == "Fees and pricing"


def test_expired_documents_are_left_out(team_a: TeamWorld) -> None:
    team, today = team_a.team, date.today()
    expired = add_passage(
        team, "Special: first month free on dog-friendly homes.", expires_on=today - timedelta(days=1)
    )
    last_day = add_passage(team, "Special: $500 off for dog owners.", expires_on=today)
    ongoing = add_passage(team, "Dogs are welcome.", expires_on=today + timedelta(days=30))

    found = set(ids(hybrid_search(query="dog special", team=team)))
    assert found == {last_day.pk, ongoing.pk}
    assert expired.pk not in {i for i, _ in text_search(team=team, query="dog")}
    query_vector = OfflineMiniLMEmbedder().embed(["dog special"])[0]
    assert expired.pk not in {i for i, _ in vector_search(team=team, embedding=query_vector, embedder=MINILM_NAME)}


def test_chunks_from_another_embedder_are_not_compared_by_vector(team_a: TeamWorld) -> None:
    team = team_a.team
    query_vector = OfflineMiniLMEmbedder().embed(["parking"])[0]
    stranger = add_passage(
        team, "Garage spaces cost $85.", embedding=query_vector, embedder="openai:text-embedding-3-small"
    )
    add_passage(team, PARKING)
    add_passage(team, POOL)

    found = vector_search(team=team, embedding=query_vector, embedder=MINILM_NAME)

    assert stranger.pk not in {chunk_id for chunk_id, _ in found}
    assert len(found) == 2


# --- Fusion --------------------------------------------------------------------------------------


def test_reciprocal_rank_fusion_rewards_passages_both_searches_found() -> None:
    a, b, c, d = "a", "b", "c", "d"
    fused = reciprocal_rank_fusion([a, b, c], [c, d])  # type: ignore[list-item]
    assert [f.chunk_id for f in fused] == [c, a, b, d]  # b and d tie on 1/62: the vector rank breaks it
    assert fused[0].score == pytest.approx(1 / 63 + 1 / 61)
    assert (fused[0].vector_rank, fused[0].text_rank) == (3, 1)
    assert (fused[3].vector_rank, fused[3].text_rank) == (None, 2)


def test_hybrid_results_are_ordered_by_fused_rank(team_a: TeamWorld) -> None:
    team = team_a.team
    exact = add_passage(team, "Leashes are required in hallways.", embedding=basis(1))
    both = add_passage(team, "Dogs are allowed.", embedding=basis(1, 0.3))
    middling = add_passage(team, "Quiet hours start at 10pm.", embedding=basis(1, 0, 0.6))
    words = add_passage(team, "Dogs, dogs, dogs: dogs of every size.", embedding=basis(1, 0, 0, 2))

    results = fused_search(team=team, query="dogs", embedding=basis(1), embedder=MINILM_NAME)

    # Vector ranks: exact 1, both 2, middling 3, words 4. Text ranks: words 1, both 2.
    assert ids(results) == [both.pk, words.pk, exact.pk, middling.pk]
    assert [(r.vector_rank, r.text_rank) for r in results] == [(2, 2), (4, 1), (1, None), (3, None)]
    assert results[0].score == pytest.approx(2 / 62)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_k_limits_the_results(team_a: TeamWorld) -> None:
    for n in range(4):
        add_passage(team_a.team, f"Dog park number {n} is open daily.", embedding=basis(1, n))
    assert len(fused_search(team=team_a.team, query="dog", embedding=basis(1), embedder=MINILM_NAME, k=2)) == 2
    assert len(fused_search(team=team_a.team, query="dog", embedding=basis(1), embedder=MINILM_NAME, k=500)) == 4


# --- Queries and snippets ----------------------------------------------------------------------


def test_snippets_escape_the_passage_and_mark_only_the_matches(team_a: TeamWorld) -> None:
    hostile = (
        'Dogs are welcome. <script>alert("pwned")</script> <img src=x onerror=alert(1)> '
        f"Dogs & cats share the yard. {MARK_START}forged{MARK_STOP} highlight."
    )
    add_passage(team_a.team, hostile)

    (result,) = hybrid_search(query="dogs", team=team_a.team)
    html = str(result.snippet_html)

    assert "<mark>Dogs</mark>" in html
    assert re.sub(r"</?mark>", "", html).count("<") == 0  # no tag but ours
    assert "&lt;script&gt;" in html or "script" not in html
    assert "&amp; cats" in html
    assert "<mark>forged</mark>" not in html
    assert MARK_START not in html
    assert result.text == hostile  # the text itself stays as written; templates escape it


def test_a_passage_found_only_by_meaning_still_gets_a_snippet(team_a: TeamWorld) -> None:
    add_passage(team_a.team, PETS)
    results = hybrid_search(query="Can I bring my puppy?", team=team_a.team)
    assert results[0].text_rank is None
    assert "Pet policy" in str(results[0].snippet_html)
    assert "<mark>" not in str(results[0].snippet_html)


@pytest.mark.parametrize(
    "query", ["' OR 1=1; --", '"pet rent" -cats', "dogs | cats & !", "<b>dogs</b>", "the", "ünïcödé 🐶"]
)
def test_odd_queries_are_searched_not_refused(team_a: TeamWorld, query: str) -> None:
    add_passage(team_a.team, PETS)
    results = hybrid_search(query=query, team=team_a.team)
    assert all(result.chunk_id for result in results)


def test_a_blank_query_finds_nothing(team_a: TeamWorld) -> None:
    add_passage(team_a.team, PETS)
    assert hybrid_search(query="   ", team=team_a.team) == []


def test_a_team_whose_embedder_is_unavailable_is_searched_by_full_text(team_a: TeamWorld) -> None:
    # Built with OpenAI, and the key has since been removed: no query vector can be made.
    kept = add_passage(team_a.team, PETS, embedding=basis(1), embedder="openai:text-embedding-3-small")
    add_passage(team_a.team, POOL, embedding=basis(0, 1), embedder="openai:text-embedding-3-small")

    results = hybrid_search(query="dogs", team=team_a.team)

    assert ids(results) == [kept.pk]
    assert results[0].vector_rank is None
    assert results[0].text_rank == 1


def test_a_snippet_cut_from_a_long_passage_says_so(team_a: TeamWorld) -> None:
    long_text = (
        "Parking is $40 a month per covered space. " * 8 + "Dogs must be leashed. " + "Guests park in the lot. " * 8
    )
    add_passage(team_a.team, long_text, embedding=basis(1))
    add_passage(team_a.team, "Dogs are welcome here.", embedding=basis(0, 1))

    long, short = fused_search(team=team_a.team, query="dogs", embedding=basis(1), embedder=MINILM_NAME)

    assert str(long.snippet_html).startswith("… ")
    assert str(long.snippet_html).endswith(" …")
    assert "<mark>Dogs</mark> must be leashed" in str(long.snippet_html)
    assert str(short.snippet_html) == "<mark>Dogs</mark> are welcome here"  # whole: no ellipsis
