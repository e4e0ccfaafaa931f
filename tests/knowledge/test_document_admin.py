"""The operators' admin for documents: read-only, and deleting cleans up like the app does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from django_scopes import scopes_disabled

from knowledge.models import Chunk, Document
from tests.conftest import login
from tests.factories import UserFactory
from tests.knowledge.conftest import stored_files


def test_an_operator_reads_a_document_and_deleting_it_removes_chunks_and_file(
    pet_policy: Document, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    operator = login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))
    assert operator.get(reverse("admin:knowledge_document_changelist")).status_code == 200
    page = operator.get(reverse("admin:knowledge_document_change", args=[pet_policy.pk]))
    assert page.status_code == 200
    assert "pet-policy.pdf" in page.content.decode()
    assert operator.get(reverse("admin:knowledge_document_add")).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(reverse("admin:knowledge_document_delete", args=[pet_policy.pk]), {"post": "yes"})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Document.objects.exists()
        assert not Chunk.objects.exists()
    assert stored_files(media_root) == []
