"""The ingestion pipeline: extract → chunk → embed in batches → index, with progress and retries.

``document_ingest`` is what the Celery task runs. It claims a pending document, and works on it
outside any long transaction so the page can follow its progress; the chunks are swapped in at
the end in one transaction (``index_chunks``), so search sees the old chunks or the new ones,
never a mix. Every write a run makes is conditional on the document's ``content_hash`` being the
one it started from: a run overtaken by a re-upload leaves the newer version alone.

Errors in the file itself fail the document at once. Anything else (storage, network, the
embedding service) is retried with a growing delay, ``MAX_ATTEMPTS`` times in all; then the
document is failed with the reason shown. A failed document has no chunks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from knowledge.chunking import ChunkDraft, chunk_blocks
from knowledge.embedders import Embedder, embedder_for_team
from knowledge.extraction import ExtractionError, checked_blocks, extract
from knowledge.models import Chunk, Document, DocumentSource, DocumentStatus
from knowledge.parsing import Block, markdown_blocks, text_blocks

logger = logging.getLogger(__name__)

__all__ = ["SEARCH_VECTOR_SQL", "ChunkDraft", "IngestResult", "document_blocks", "document_ingest", "index_chunks"]

MAX_ATTEMPTS = 3
RETRY_DELAY = 15  # seconds before the second attempt; doubled for the third
EMBED_BATCH = 32
# Search ranks and matches against exactly this expression (knowledge.search).
SEARCH_VECTOR_SQL = "to_tsvector('english', heading || ' ' || text)"
IN_PROGRESS = (DocumentStatus.PENDING, DocumentStatus.PROCESSING)
# Progress: extraction and chunking take the first 15%, embedding the next 80%, writing the last 5%.
EXTRACTED, CHUNKED, EMBEDDED = 10, 15, 95


class StaleDocument(Exception):
    """The document changed (or went away) while it was being ingested."""


@dataclass(frozen=True)
class IngestResult:
    status: str
    retry_in: int | None = None  # seconds; set when another attempt should follow


def document_blocks(document: Document) -> list[Block]:
    """The document's text as headings and paragraphs, from its stored file or its own text."""
    if document.source == DocumentSource.FILE:
        with document.file.open("rb") as stored:
            data = stored.read()
        return extract(data, document.original_filename).blocks
    if document.source == DocumentSource.QA:
        answer = [Block(part.strip()) for part in re.split(r"\n\s*\n", document.text) if part.strip()]
        return checked_blocks([Block(document.question, level=1), *answer])
    parse = markdown_blocks if re.search(r"^#{1,6} \S", document.text, re.M) else text_blocks
    return checked_blocks(parse(document.text))


def index_chunks(
    document: Document,
    chunks: Sequence[ChunkDraft],
    *,
    embedder: Embedder | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Embed ``chunks`` in batches and make them the document's chunks, which makes it ready.

    Also the way to re-embed a ready document with another embedder (pass ``embedder``). Raises
    ``StaleDocument`` if the document's content changed meanwhile; nothing is written then.
    """
    embedder = embedder or embedder_for_team(document.team)
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), EMBED_BATCH):
        vectors.extend(embedder.embed([chunk.embedding_text for chunk in chunks[start : start + EMBED_BATCH]]))
        if on_batch is not None:
            on_batch(len(vectors), len(chunks))
    if len(vectors) != len(chunks):
        raise ValueError(f"The embedder returned {len(vectors)} vectors for {len(chunks)} chunks.")
    with transaction.atomic():
        current = Document.objects.select_for_update().filter(pk=document.pk).first()
        if current is None or current.content_hash != document.content_hash:
            raise StaleDocument(str(document.pk))
        Chunk.objects.filter(document=current).delete()
        Chunk.objects.bulk_create(
            Chunk(
                team_id=current.team_id,
                document=current,
                property_id=current.property_id,
                kind=current.kind,
                expires_on=current.expires_on,
                ordinal=ordinal,
                heading=chunk.heading[:300],
                text=chunk.text,
                embedding=vector,
                embedder=embedder.name,
            )
            for ordinal, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True))
        )
        Chunk.objects.filter(document=current).update(search_vector=RawSQL(SEARCH_VECTOR_SQL, []))  # noqa: S611 - constant SQL
        Document.objects.filter(pk=current.pk).update(
            status=DocumentStatus.READY, progress=100, error="", chunk_count=len(chunks), embedder=embedder.name
        )
    return len(chunks)


def document_ingest(*, document_id: str) -> IngestResult | None:
    """Run the pipeline for one document; ``None`` when there was nothing to do.

    A ready or failed document is left alone (re-uploading, editing or "Try again" makes it
    pending again), so a repeated task changes nothing.
    """
    claimed = Document.objects.filter(pk=document_id, status__in=IN_PROGRESS).update(
        status=DocumentStatus.PROCESSING, progress=1, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return None
    document = Document.objects.select_related("team").get(pk=document_id)
    mine = Document.objects.filter(pk=document.pk, content_hash=document.content_hash)

    def progress(value: int) -> None:
        # updated_at doubles as a heartbeat: the stale-document sweep leaves a live ingestion alone.
        mine.filter(status=DocumentStatus.PROCESSING).update(progress=value, updated_at=timezone.now())

    try:
        blocks = document_blocks(document)
        progress(EXTRACTED)
        chunks = chunk_blocks(blocks, default_heading=document.title)
        progress(CHUNKED)
        index_chunks(
            document,
            chunks,
            on_batch=lambda done, total: progress(CHUNKED + (EMBEDDED - CHUNKED) * done // total),
        )
    except StaleDocument:
        logger.info("ingestion overtaken by a newer version", extra={"document_id": document_id})
        return None
    except ExtractionError as exc:
        _fail(mine, str(exc))
        return IngestResult(DocumentStatus.FAILED)
    except Exception as exc:  # storage, network, embedder: each worth another attempt
        logger.exception("ingestion attempt failed", extra={"document_id": document_id, "attempt": document.attempts})
        reason = _describe(exc)
        if document.attempts < MAX_ATTEMPTS:
            delay = RETRY_DELAY * 2 ** (document.attempts - 1)
            mine.update(
                status=DocumentStatus.PENDING,
                progress=0,
                error=f"Attempt {document.attempts} of {MAX_ATTEMPTS} failed ({reason}). Trying again shortly.",
            )
            return IngestResult(DocumentStatus.PENDING, retry_in=delay)
        _fail(mine, f"Processing failed {MAX_ATTEMPTS} times ({reason}). Try again later, or upload the file again.")
        return IngestResult(DocumentStatus.FAILED)
    logger.info("document ingested", extra={"document_id": document_id, "chunks": len(chunks)})
    return IngestResult(DocumentStatus.READY)


def _fail(mine: QuerySet[Document], error: str) -> None:
    with transaction.atomic():
        for document in mine.select_for_update():
            Chunk.objects.filter(document=document).delete()
            Document.objects.filter(pk=document.pk).update(
                status=DocumentStatus.FAILED, progress=0, error=error, chunk_count=0
            )


def _describe(exc: Exception) -> str:
    # Shown to the team: say what kind of thing went wrong, not the internals.
    if isinstance(exc, FileNotFoundError):
        return "the stored file is missing"
    if isinstance(exc, OSError | ConnectionError | TimeoutError):
        return "the file storage or the network did not answer"
    module = type(exc).__module__.split(".", 1)[0]
    if module in {"openai", "httpx", "httpcore", "requests", "urllib3", "google"}:
        return "an outside service did not answer"
    return "an unexpected error"
