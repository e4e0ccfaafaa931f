"""Documents stored in Google Cloud Storage, against the ``gcp-storage-emulator`` on a loopback port.

Production sets GCS_BUCKET and STORAGES' default becomes django-storages' GoogleCloudStorage;
here the same backend talks to the emulator (STORAGE_EMULATOR_HOST, anonymous credentials).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs

from crm.teams.scoping import team_scope
from knowledge.models import Chunk
from knowledge.services import document_create_upload, document_delete, document_replace
from tests.conftest import TeamWorld
from tests.knowledge.conftest import PET_POLICY_PDF, add_file, upload
from tests.knowledge.samples import make_docx

BUCKET = "loriaa-test-documents"
PROJECT = "loriaa-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bucket(monkeypatch: Any, settings: Any) -> Iterator[gcs.Bucket]:
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    client = gcs.Client(project=PROJECT, credentials=AnonymousCredentials())
    created = client.create_bucket(BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "project_id": PROJECT,
                "credentials": AnonymousCredentials(),
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    try:
        yield created
    finally:
        server.stop()


def keys(bucket: gcs.Bucket) -> list[str]:
    return sorted(blob.name for blob in bucket.client.list_blobs(BUCKET))


def test_an_upload_is_stored_in_the_bucket_read_back_by_ingestion_and_deleted_with_the_document(
    team_a: TeamWorld, bucket: gcs.Bucket, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_file(team_a, "../../etc/pet policy.pdf", PET_POLICY_PDF)

    assert keys(bucket) == [document.file.name]
    assert document.file.name.startswith(f"knowledge/{team_a.team.id}/")
    assert "pet" not in document.file.name
    assert bucket.blob(document.file.name).download_as_bytes() == PET_POLICY_PDF
    assert document.status == "ready"  # the pipeline read the file back from the bucket
    with team_scope(team_a.team):
        assert Chunk.objects.filter(document=document).count() == 2

    with team_scope(team_a.team), django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document)
    assert keys(bucket) == []


def test_a_replacement_swaps_the_object_in_the_bucket(
    team_a: TeamWorld, bucket: gcs.Bucket, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_file(team_a, "pets.pdf", PET_POLICY_PDF)
    old = document.file.name
    with team_scope(team_a.team), django_capture_on_commit_callbacks(execute=True):
        document_replace(document=document, upload=upload("pets.docx", make_docx([("", "Cats only from May.")])))
    assert keys(bucket) == [document.file.name]
    assert document.file.name != old
    assert document.file.name.endswith(".docx")


def test_a_refused_file_never_reaches_the_bucket(team_a: TeamWorld, bucket: gcs.Bucket) -> None:
    with team_scope(team_a.team), pytest.raises(ValidationError):
        document_create_upload(team=team_a.team, upload=upload("tool.pdf", b"MZ\x90\x00" + bytes(100)))
    assert keys(bucket) == []
