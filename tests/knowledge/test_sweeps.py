"""Stalled ingestion is picked up again; live and finished documents are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from knowledge import sweeps
from knowledge.models import Document, DocumentStatus
from tests.conftest import TeamWorld


def make(world: TeamWorld, title: str, status: str, minutes_ago: int) -> Document:
    with scopes_disabled():
        document = Document.objects.create(
            team=world.team, title=title, source="text", text="Dogs welcome.", status=status
        )
        Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return document


def test_only_documents_with_no_sign_of_life_are_stale(team_a: TeamWorld, team_b: TeamWorld) -> None:
    stuck = make(team_a, "stuck", DocumentStatus.PROCESSING, 60)
    never_started = make(team_b, "lost message", DocumentStatus.PENDING, 30)
    make(team_a, "live", DocumentStatus.PROCESSING, 1)
    make(team_a, "done", DocumentStatus.READY, 600)
    make(team_a, "failed", DocumentStatus.FAILED, 600)
    found = sweeps.stale_documents()
    assert sorted(found) == sorted([(str(team_a.team.id), str(stuck.pk)), (str(team_b.team.id), str(never_started.pk))])


def test_the_sweep_finishes_a_stuck_document_in_its_own_team(
    team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = make(team_a, "Pet policy", DocumentStatus.PROCESSING, 60)
    assert sweeps.requeue_stale_documents() == 1  # eager here: the ingestion runs now
    with scopes_disabled():
        stuck.refresh_from_db()
    assert stuck.status == DocumentStatus.READY
    assert stuck.chunk_count >= 1
    assert sweeps.requeue_stale_documents() == 0  # nothing left to pick up


def test_the_sweep_is_scheduled_in_beat(db: None) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="knowledge.tasks.requeue_stale_documents")
    assert task.enabled
    assert task.crontab.minute == "*/10"
