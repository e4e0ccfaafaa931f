"""Celery tasks for the knowledge base: each takes ids, runs inside the team's scope and calls a service."""

from __future__ import annotations

from celery import shared_task

from crm.teams.models import Team
from crm.teams.tasks import TeamTask
from knowledge.ingestion import document_ingest


@shared_task(base=TeamTask)
def ingest_document(*, team: Team, document_id: str) -> str | None:
    """Extract, chunk, embed and index one document; a failed attempt schedules the next one."""
    result = document_ingest(document_id=document_id)
    if result is None:
        return None
    if result.retry_in is not None:
        ingest_document.apply_async(
            kwargs={"team_id": str(team.id), "document_id": document_id}, countdown=result.retry_in
        )
    return result.status


@shared_task
def requeue_stale_documents() -> int:
    """Beat, every 10 minutes: put stalled ingestions back on the queue (knowledge/sweeps.py)."""
    from knowledge.sweeps import requeue_stale_documents as sweep

    return sweep()
