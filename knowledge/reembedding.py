"""Re-embed a team's chunks with another embedder (or the same one, after a model change).

Chunks are visited in id order (ids are time-ordered UUIDv7s) and each batch is written in its
own transaction, so a large team never holds one long transaction and search keeps working:
it compares only chunks built by the embedder its query was embedded with, and the team's
embedder follows the majority of its chunks (``embedder_for_team``). Chunks created while the
run goes on get later ids, so the run still reaches them.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.db import transaction

from crm.teams.models import Team
from crm.teams.scoping import team_scope
from knowledge.chunking import ChunkDraft
from knowledge.embedders import Embedder
from knowledge.models import Chunk, Document

REEMBED_BATCH = 64


def team_reembed(
    *,
    team: Team,
    embedder: Embedder,
    resume: bool = False,
    batch_size: int = REEMBED_BATCH,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Give each of the team's chunks a fresh vector from ``embedder``; returns how many changed.

    ``resume`` skips chunks that ``embedder`` already built (to finish an interrupted run).
    ``on_batch(done, total)`` is called after each batch.
    """
    with team_scope(team):
        chunks = Chunk.objects.filter(team=team).order_by("pk")
        if resume:
            chunks = chunks.exclude(embedder=embedder.name)
        total = chunks.count()
        done = 0
        last: UUID | None = None
        while True:
            page = chunks.filter(pk__gt=last) if last is not None else chunks
            batch = list(page.only("pk", "heading", "text")[:batch_size])
            if not batch:
                break
            # The same text ingestion embedded: the heading gives a passage its context.
            vectors = embedder.embed([ChunkDraft(heading=c.heading, text=c.text).embedding_text for c in batch])
            for chunk, vector in zip(batch, vectors, strict=True):
                chunk.embedding = vector
                chunk.embedder = embedder.name
            with transaction.atomic():
                Chunk.objects.bulk_update(batch, ["embedding", "embedder"])
            done += len(batch)
            last = batch[-1].pk
            if on_batch is not None:
                on_batch(done, total)
        Document.objects.filter(pk__in=Chunk.objects.filter(team=team).values("document_id")).update(
            embedder=embedder.name
        )
    return done
