"""Documents whose ingestion stopped without an answer: a worker killed mid-task, a message lost
with a broker restart, or a broker that was down when the document was saved.

Ingestion claims a document atomically and is idempotent, so enqueueing it again is always safe;
a live ingestion refreshes ``updated_at`` with every progress step and is left alone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from knowledge.models import Document, DocumentStatus

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)


def stale_documents(*, older_than: timedelta = STALE_AFTER) -> list[tuple[str, str]]:
    """(team id, document id) of documents pending or processing with no sign of life for a while."""
    cutoff = timezone.now() - older_than
    # Across teams on purpose: this is the operator's housekeeping, and it only hands ids back
    # to tasks that re-enter each document's own team scope.
    with scopes_disabled():
        rows = Document.objects.filter(
            status__in=[DocumentStatus.PENDING, DocumentStatus.PROCESSING], updated_at__lt=cutoff
        ).values_list("team_id", "pk")
        return [(str(team_id), str(pk)) for team_id, pk in rows[:500]]


def requeue_stale_documents(*, older_than: timedelta = STALE_AFTER) -> int:
    from knowledge.tasks import ingest_document

    stale = stale_documents(older_than=older_than)
    for team_id, document_id in stale:
        ingest_document.delay(team_id=team_id, document_id=document_id)
    if stale:
        logger.warning("re-enqueued stalled document ingestion", extra={"documents": len(stale)})
    return len(stale)
