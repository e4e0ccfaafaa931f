"""Fixtures for the knowledge tests: files stored under a temporary folder, a property, upload helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.ingestion import document_ingest
from knowledge.models import Document
from knowledge.services import document_create_upload
from tests.conftest import TeamWorld
from tests.factories import PropertyFactory
from tests.knowledge.samples import make_pdf

PET_POLICY_PDF = make_pdf(
    [
        [
            "# Pet Policy",
            "Dogs up to 50 lb are welcome with a $300 refundable deposit and $35 monthly pet rent.",
            "Cats are welcome too. Assistance animals are not pets and pay no pet fees.",
        ],
        ["# Parking", "Covered parking costs $40 per month. Garage spaces are $85 per month."],
    ]
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a fresh folder per test, never the developer's var/media."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def riverside(team_a: TeamWorld) -> Property:
    with scopes_disabled():
        return PropertyFactory(team=team_a.team, name="Riverside Commons")


@pytest.fixture
def maple(team_a: TeamWorld) -> Property:
    with scopes_disabled():
        return PropertyFactory(team=team_a.team, name="Maple Court")


def add_file(world: TeamWorld, name: str, data: bytes, *, ingest: bool = True, **kwargs: Any) -> Document:
    """Upload as the team's agent (the task is not run: tests hold on_commit) and ingest if asked."""
    with team_scope(world.team):
        document = document_create_upload(
            team=world.team, upload=upload(name, data), actor=world.user(Role.AGENT), **kwargs
        )
        if ingest:
            document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    return document


@pytest.fixture
def pet_policy(team_a: TeamWorld, riverside: Property) -> Document:
    return add_file(team_a, "pet-policy.pdf", PET_POLICY_PDF, property=riverside, kind="policy")
