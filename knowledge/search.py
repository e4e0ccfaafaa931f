"""Hybrid search over a team's knowledge: nearest neighbours and full text, fused by reciprocal rank.

Both halves see the same chunks: the team's, not expired, optionally one property (its own
chunks and the team-wide ones, whose property is empty) and one kind.

- Vector: the HNSW index (cosine) with ``hnsw.iterative_scan = relaxed_order``. The index is
  shared by every team; without iterative scans a search whose team holds a small share of the
  rows comes back short (measured on this stack: recall 0.19 for a team with 5% of the rows)
  because the team filter runs after the index has produced its ``ef_search`` candidates. Only chunks built
  by the embedder that embedded the query are compared.
- Full text: ``websearch_to_tsquery('english', q)`` over ``search_vector`` (built by ingestion
  from ``SEARCH_VECTOR_SQL``). Ranking every match of a common word costs far too much on a large
  team, so at most ``TEXT_POOL`` matches are taken as the GIN index yields them and only those
  are ranked with ``ts_rank_cd``. Every word of the query must appear, so a question asked in a
  full sentence often matches nothing here and is found by the vector half alone.
- Fusion: reciprocal rank, ``score = Σ 1 / (RRF_K + rank)`` over the lists a chunk is in, so the
  best possible score is 2/61 ≈ 0.033 (first in both).

The snippet comes from ``ts_headline`` (the same stemming as the match) with private-use
characters as highlight markers; the text is escaped and only those markers become ``<mark>``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from crm.teams.scoping import team_scope
from knowledge.embedders import EmbeddingError, embedder_for_team
from knowledge.models import Chunk, DocumentKind

if TYPE_CHECKING:
    from crm.properties.models import Property
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

# Candidates from each search for fusion (at least; twice ``k`` when more results are asked for).
VECTOR_CANDIDATES = 20
TEXT_CANDIDATES = 40
TEXT_POOL = 200  # full-text matches ranked per query, at most
# With 100, benchmarks/knowledge_search.py found a query in 1,000 with recall@10 of 0: with many
# near-orthogonal topics the greedy descent can settle in the wrong region of the graph. 400
# brought the worst query to 0.8 and kept the vector p95 of a 30,000-chunk team under 20 ms.
HNSW_EF_SEARCH = 400
RRF_K = 60
MAX_K = 50
TS_CONFIG = "english"

# Highlight markers for ts_headline: private-use characters, removed from the text first, so
# nothing in a document can pose as one.
MARK_START, MARK_STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_STOP}", re.S)


@dataclass(frozen=True)
class SearchResult:
    chunk_id: UUID
    document_id: UUID
    document_title: str
    property: Property | None
    kind: str
    heading: str
    text: str
    snippet_html: SafeString
    score: float
    vector_rank: int | None  # 1-based; None when the chunk was not among the vector candidates
    text_rank: int | None
    kind_label: str


def _where(team: Team, property: Property | None, kind: str | None) -> tuple[str, list[Any]]:
    """The chunks a search may return: the team's, unexpired, in the property (or team-wide), of the kind."""
    clauses = ["team_id = %s", "(expires_on IS NULL OR expires_on >= %s)"]
    params: list[Any] = [team.pk, date.today()]
    if property is not None:
        clauses.append("(property_id = %s OR property_id IS NULL)")
        params.append(property.pk)
    if kind:
        clauses.append("kind = %s")
        params.append(kind)
    return " AND ".join(clauses), params


# Both searches are written in SQL: they run on every query, and building them through the ORM
# cost more than PostgreSQL took to answer a small team's search. The team is always a parameter.
_VECTOR_SQL = (
    "SELECT id, embedding <=> %s::vector AS distance FROM knowledge_chunk "
    "WHERE {where} AND embedder = %s ORDER BY embedding <=> %s::vector LIMIT %s"
)
# At most TEXT_POOL matches, as the GIN index yields them, are ranked: ranking every match of a
# common word on a large team costs tens of milliseconds. Normalisation 32 (rank / (rank + 1))
# keeps ranks in 0..1; ties go to the newer chunk.
_TEXT_SQL = (
    "SELECT id, ts_rank_cd(search_vector, query, 32) AS rank "
    "FROM (SELECT id, search_vector FROM knowledge_chunk "
    "      WHERE {where} AND search_vector @@ websearch_to_tsquery(%s::regconfig, %s) LIMIT %s) AS pool, "
    "     websearch_to_tsquery(%s::regconfig, %s) AS query "
    "ORDER BY rank DESC, id DESC LIMIT %s"
)


def vector_search(
    *,
    team: Team,
    embedding: list[float],
    embedder: str,
    property: Property | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[tuple[UUID, float]]:
    """The team's nearest chunks to ``embedding`` by cosine distance, nearest first: (chunk id, distance)."""
    where, params = _where(team, property, kind)
    vector = "[" + ",".join(map(str, embedding)) + "]"
    # SET LOCAL needs a transaction and ends with it; set_config(..., true) is SET LOCAL, both
    # settings in one round trip.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', %s, true)",
            [str(HNSW_EF_SEARCH)],
        )
        cursor.execute(_VECTOR_SQL.format(where=where), [vector, *params, embedder, vector, limit or VECTOR_CANDIDATES])
        rows = [(row[0], row[1]) for row in cursor.fetchall()]
    # relaxed_order may return neighbours slightly out of order: put them back in order.
    return sorted(rows, key=lambda row: row[1])


def text_search(
    *,
    team: Team,
    query: str,
    property: Property | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[tuple[UUID, float]]:
    """The team's chunks matching ``query`` as a web search, best ``ts_rank_cd`` first: (chunk id, rank)."""
    where, params = _where(team, property, kind)
    sql = _TEXT_SQL.format(where=where)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, TS_CONFIG, query, TEXT_POOL, TS_CONFIG, query, limit or TEXT_CANDIDATES])
        return [(row[0], row[1]) for row in cursor.fetchall()]


@dataclass(frozen=True)
class _Fused:
    chunk_id: UUID
    score: float
    vector_rank: int | None
    text_rank: int | None


def reciprocal_rank_fusion(vector_ids: list[UUID], text_ids: list[UUID], *, k: int = RRF_K) -> list[_Fused]:
    """Both ranked lists fused, best first; ties go to the better vector rank, then text rank."""
    vector_ranks = {chunk_id: rank for rank, chunk_id in enumerate(vector_ids, start=1)}
    text_ranks = {chunk_id: rank for rank, chunk_id in enumerate(text_ids, start=1)}
    fused = []
    for chunk_id in dict.fromkeys([*vector_ids, *text_ids]):
        vector_rank, text_rank = vector_ranks.get(chunk_id), text_ranks.get(chunk_id)
        score = sum(1.0 / (k + rank) for rank in (vector_rank, text_rank) if rank is not None)
        fused.append(_Fused(chunk_id, score, vector_rank, text_rank))
    far = len(vector_ids) + len(text_ids) + 1
    return sorted(fused, key=lambda f: (-f.score, f.vector_rank or far, f.text_rank or far))


def fused_search(
    *,
    team: Team,
    query: str,
    embedding: list[float] | None,
    embedder: str,
    property: Property | None = None,
    kind: str | None = None,
    k: int = 10,
) -> list[SearchResult]:
    """Hybrid search with the query already embedded (``None``: full text only)."""
    k = max(1, min(k, MAX_K))
    vector_ids: list[UUID] = []
    if embedding is not None:
        nearest = vector_search(
            team=team,
            embedding=embedding,
            embedder=embedder,
            property=property,
            kind=kind,
            limit=max(VECTOR_CANDIDATES, 2 * k),
        )
        vector_ids = [chunk_id for chunk_id, _ in nearest]
    matches = text_search(team=team, query=query, property=property, kind=kind, limit=max(TEXT_CANDIDATES, 2 * k))
    text_ids = [chunk_id for chunk_id, _ in matches]
    fused = reciprocal_rank_fusion(vector_ids, text_ids)[:k]
    return _results(team, query, fused)


def hybrid_search(
    *, query: str, team: Team, property: Property | None = None, kind: str | None = None, k: int = 10
) -> list[SearchResult]:
    """The team's best ``k`` chunks for ``query``: vector and full-text search fused by reciprocal rank.

    The query is embedded by the embedder the team's index was built with. When that embedder
    cannot answer (the OpenAI key was removed, or the API is down) the search falls back to
    full text rather than failing.
    """
    query = query.strip()
    if not query:
        return []
    embedder = embedder_for_team(team)
    embedding: list[float] | None
    try:
        embedding = embedder.embed([query])[0]
    except EmbeddingError as exc:
        logger.warning("Searching team %s by full text only: %s", team.pk, exc)
        embedding = None
    return fused_search(
        team=team, query=query, embedding=embedding, embedder=embedder.name, property=property, kind=kind, k=k
    )


_KIND_LABELS = {value: str(label) for value, label in DocumentKind.choices}


def _results(team: Team, query: str, fused: list[_Fused]) -> list[SearchResult]:
    if not fused:
        return []
    unmarked = Replace(Replace("text", Value(MARK_START), Value("")), Value(MARK_STOP), Value(""))
    headline = SearchHeadline(
        unmarked,
        SearchQuery(query, search_type="websearch", config=TS_CONFIG),
        config=TS_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=40,
        min_words=20,
        short_word="0",  # the default (3) drops words like "Pet" at a fragment's edges
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    with team_scope(team):
        chunks = {
            chunk.pk: chunk
            for chunk in Chunk.objects.filter(team=team, pk__in=[f.chunk_id for f in fused])
            .select_related("document", "property")
            .only("document__title", "property__name", "kind", "heading", "text")
            .annotate(headline=headline)
            .order_by()
        }
    results = []
    for hit in fused:
        chunk: Any = chunks.get(hit.chunk_id)
        if chunk is None:  # deleted between the searches and now
            continue
        results.append(
            SearchResult(
                chunk_id=chunk.pk,
                document_id=chunk.document_id,
                document_title=chunk.document.title,
                property=chunk.property,
                kind=chunk.kind,
                heading=chunk.heading,
                text=chunk.text,
                snippet_html=highlight(_with_ellipses(chunk.headline, chunk.text)),
                score=hit.score,
                vector_rank=hit.vector_rank,
                text_rank=hit.text_rank,
                kind_label=_KIND_LABELS.get(chunk.kind, chunk.kind),
            )
        )
    return results


def _with_ellipses(headline: str, text: str) -> str:
    """Mark where the snippet cuts the passage (ts_headline drops edge punctuation: compare words)."""
    plain = headline.replace(MARK_START, "").replace(MARK_STOP, "").strip()
    edge = " \n\t.,;:!?…"
    if plain and not text.strip(edge).startswith(plain.strip(edge)[:40]):
        headline = "… " + headline
    if plain and not text.strip(edge).endswith(plain.strip(edge)[-40:]):
        headline += " …"
    return headline


def highlight(marked: str) -> SafeString:
    """``marked`` escaped, with each MARK_START…MARK_STOP span wrapped in <mark>; stray markers dropped."""
    parts: list[str] = []
    position = 0
    for match in _MARKED.finditer(marked):
        parts.append(_escape(marked[position : match.start()]))
        parts.append(f"<mark>{_escape(match.group(1))}</mark>")
        position = match.end()
    parts.append(_escape(marked[position:]))
    # Every piece of text went through escape(); the only markup is the <mark> pairs added here.
    return mark_safe("".join(parts))


def _escape(text: str) -> str:
    return str(escape(text.replace(MARK_START, "").replace(MARK_STOP, "")))
