"""Answers quoted from the team's knowledge base, with their sources; None when nothing fits.

Without a model nothing may be paraphrased, so the answer is the best sentence or two of the best
passage or two, quoted verbatim with the document it came from:

    From "Do you allow pets?" (Maple Court): "Each pet needs a $300 refundable pet deposit."

The passages come from the knowledge base's hybrid search (team-filtered, so another team's
documents cannot appear; the property's own passages and the team-wide ones). Fused ranks only
say which passage is best, not whether it is any good, so each candidate is also measured: the
cosine similarity of its vector to the question's, and how many of the question's content words
it contains. A passage needs both to count as relevant (or a high similarity on its own), which
keeps "what's the capital of France" from being answered with the pet policy. Within the passage
the sentences are ranked by the question's words they contain, and a question about an amount
prefers a sentence with one.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.offline.text import normalise, stem
from crm.teams.scoping import team_scope
from knowledge.embedders import EmbeddingError, embedder_for_team
from knowledge.models import Chunk
from knowledge.search import SearchResult, fused_search

if TYPE_CHECKING:
    from crm.properties.models import Property
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

CANDIDATES = 6  # passages looked at
MAX_PASSAGES = 2
MAX_SENTENCES = 2  # per passage
# Measured with all-MiniLM-L6-v2 on the demo knowledge base: on-topic questions scored 0.45 to
# 0.75 against their passage, unrelated ones ("capital of France", "tell me a joke") below 0.2.
MIN_SIMILARITY = 0.3  # with at least one of the question's content words in the passage
LOW_SIMILARITY = 0.18  # with two of them ("is the gym open 24 hours" against "a 24-hour fitness center")
SURE_SIMILARITY = 0.6  # enough on its own
SECOND_PASSAGE_RATIO = 0.9  # a second passage only when it is nearly as relevant as the first
MIN_TERMS_TEXT_ONLY = 2  # without vectors (the embedder is unavailable), words must carry it

STOPWORDS = frozenset(
    """a about an and any are as at be been but by can could do does did for from get got have has how
    i if in is it its me much my need no not of on or our please so some tell than that the their them
    then there these they this to us was we what when where which who why will with would you your yours
    hi hello hey thanks thank ok okay just know want like also still really""".split()  # noqa: SIM905
)
_AMOUNT_QUESTION = re.compile(r"\b(?:how much|cost|costs|price|fee|fees|charge|rent|deposit|pay|\$)")
_AMOUNT = re.compile(r"\$\s?\d|\b\d+(?:\.\d+)? ?(?:percent|%|dollars)")
# A sentence ends at . ! or ? followed by a space and a capital, a digit, a quote or a "$"; not
# inside "$1.5k", "St. Louis" is rare enough in a policy to accept.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'$(])")


@dataclass(frozen=True)
class Source:
    document_id: str
    title: str
    chunk_id: str
    excerpt: str


@dataclass(frozen=True)
class KBAnswer:
    text: str
    sources: list[Source]
    confidence: float


@dataclass(frozen=True)
class _Passage:
    result: SearchResult
    similarity: float | None  # None: no comparable vector (full-text match only)
    terms: int  # the question's content words found in the passage (heading included)
    relevance: float
    quote: str
    specific: bool  # the quote contains the question's words (not just the passage's opening)


def content_terms(text: str) -> set[str]:
    """The stems of the words that carry meaning (no stopwords, no single letters)."""
    return {stem(word) for word in normalise(text).split() if word not in STOPWORDS and len(word) > 1}


def answer_from_knowledge(*, team: Team, question: str, property: Property | None = None) -> KBAnswer | None:
    """The most relevant passages for ``question``, quoted, or None when nothing is relevant enough."""
    question = question.strip()
    terms = content_terms(question)
    if not question or not terms:
        return None
    embedder = embedder_for_team(team)
    embedding: list[float] | None
    try:
        embedding = embedder.embed([question])[0]
    except EmbeddingError as exc:
        logger.warning("Answering from team %s's knowledge by full text only: %s", team.pk, exc)
        embedding = None
    # fused_search is hybrid_search with the question embedded once here: its vector is needed
    # below to judge the passages as well.
    results = fused_search(
        team=team,
        query=question,
        embedding=embedding,
        embedder=embedder.name,
        property=property,
        k=CANDIDATES,
    )
    similarities = _similarities(team, results, embedding, embedder.name)
    passages = [
        passage
        for result in results
        if (passage := _measure(result, similarities.get(result.chunk_id), terms, question)) is not None
    ]
    if not passages:
        return None
    passages.sort(key=lambda p: -p.relevance)
    chosen = [passages[0]]
    for passage in passages[1:]:
        if len(chosen) == MAX_PASSAGES:
            break
        close = passage.relevance >= SECOND_PASSAGE_RATIO * chosen[0].relevance
        if close and passage.specific and passage.quote not in {c.quote for c in chosen}:
            chosen.append(passage)
    return KBAnswer(
        text="\n".join(_cite(p) for p in chosen),
        sources=[
            Source(
                document_id=str(p.result.document_id),
                title=p.result.document_title,
                chunk_id=str(p.result.chunk_id),
                excerpt=p.quote,
            )
            for p in chosen
        ],
        confidence=round(min(1.0, chosen[0].relevance), 3),
    )


def _similarities(
    team: Team, results: list[SearchResult], embedding: list[float] | None, embedder: str
) -> dict[Any, float]:
    """Cosine similarity of each result's vector to the question's (vectors are L2-normalised)."""
    if embedding is None or not results:
        return {}
    with team_scope(team):
        vectors = Chunk.objects.filter(
            team=team, pk__in=[r.chunk_id for r in results], embedder=embedder, embedding__isnull=False
        ).values_list("pk", "embedding")
        query = np.asarray(embedding, dtype=np.float32)
        return {pk: float(np.dot(query, np.asarray(vector, dtype=np.float32))) for pk, vector in vectors}


def _measure(result: SearchResult, similarity: float | None, terms: set[str], question: str) -> _Passage | None:
    found = len(terms & content_terms(f"{result.heading} {result.text}"))
    if similarity is None:
        relevant = found >= min(MIN_TERMS_TEXT_ONLY, len(terms))
        relevance = 0.3 + 0.1 * found
    else:
        relevant = (
            similarity >= SURE_SIMILARITY
            or (similarity >= MIN_SIMILARITY and found >= 1)
            or (similarity >= LOW_SIMILARITY and found >= 2)
        )
        relevance = similarity + 0.05 * found
    if not relevant:
        return None
    quote, specific = best_sentences(result.text, terms, wants_amount=bool(_AMOUNT_QUESTION.search(question.lower())))
    return _Passage(result, similarity, found, relevance, quote, specific)


def sentences(text: str) -> list[str]:
    """The passage's sentences; lines wrapped inside a paragraph are joined with a space."""
    paragraphs = (" ".join(block.split()) for block in re.split(r"\n\s*\n|\n(?=#|[-*] )", text))
    return [part for paragraph in paragraphs for part in _SENTENCE_END.split(paragraph) if part]


def best_sentences(text: str, terms: set[str], *, wants_amount: bool = False) -> tuple[str, bool]:
    """The passage's most relevant sentence(s), verbatim and in order, and whether any holds a question word.

    When none does (the passage matched by its heading, as a Q&A entry's answer does), the
    passage's opening sentences are the answer.
    """
    parts = sentences(text)
    if not parts:
        return " ".join(text.split()), False
    scored = []
    for index, sentence in enumerate(parts):
        score = float(len(terms & content_terms(sentence)))
        if wants_amount and _AMOUNT.search(sentence):
            score += 1.0
        scored.append((score, -index, index))
    scored.sort(reverse=True)
    best_score = scored[0][0]
    if best_score == 0:
        return " ".join(parts[:MAX_SENTENCES]), False
    picked = [scored[0][2]]
    for score, _, index in scored[1:MAX_SENTENCES]:
        if score >= max(1.0, 0.75 * best_score):
            picked.append(index)
    return " ".join(parts[i] for i in sorted(picked)), True


def _cite(passage: _Passage) -> str:
    where = f" ({passage.result.property.name})" if passage.result.property is not None else ""
    return f'From "{passage.result.document_title}"{where}: "{passage.quote}"'
