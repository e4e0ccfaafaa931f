"""``/api/v1/knowledge/documents/``: list and filter, multipart upload, read, delete; roles and teams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.models import Chunk, Document
from tests.conftest import TeamWorld, api_client_for
from tests.knowledge.conftest import PET_POLICY_PDF, add_file, stored_files, upload
from tests.knowledge.samples import make_docx, zip_bomb_docx

DOCUMENTS = reverse("api:knowledge-document-list")


def detail(document: Document) -> str:
    return reverse("api:knowledge-document-detail", kwargs={"pk": document.pk})


def as_role(world: TeamWorld, role: str = Role.AGENT) -> APIClient:
    return api_client_for(world.membership(role))


def test_an_agent_uploads_a_file_which_is_read_once_the_request_commits(
    team_a: TeamWorld, riverside: Property, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_role(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            DOCUMENTS,
            {"file": upload("pets.pdf", PET_POLICY_PDF), "title": "Pet policy", "property": str(riverside.pk)},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Pet policy"
    assert body["property"] == str(riverside.pk)
    assert body["status"] == "pending"  # as answered; the task ran after the commit
    assert body["source"] == "file"
    assert body["content_type"] == "application/pdf"
    assert body["original_filename"] == "pets.pdf"

    later = client.get(DOCUMENTS + f"{body['id']}/").json()
    assert (later["status"], later["progress"], later["chunk_count"], later["error"]) == ("ready", 100, 2, "")
    assert len(stored_files(media_root)) == 1


def test_the_title_defaults_to_the_file_name_and_the_kind_to_other(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(DOCUMENTS, {"file": upload("lease_terms.docx", make_docx([("", "12 months.")]))})
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["kind"], response.json()["property"]) == (
        "lease terms",
        "other",
        None,
    )


def test_a_bad_file_is_a_400_with_the_reason_and_nothing_is_stored(team_a: TeamWorld, media_root: Path) -> None:
    client = as_role(team_a)
    for name, data, reason in [
        (
            "report.pdf",
            b"MZ\x90\x00" + bytes(64),
            "This file is not a PDF, Word (.docx), HTML, Markdown or plain-text file.",
        ),
        (
            "bomb.docx",
            zip_bomb_docx(inflated_mb=4),
            "This Word file inflates to far more data than it holds, so it was refused.",
        ),
    ]:
        response = client.post(DOCUMENTS, {"file": upload(name, data)})
        assert response.status_code == 400
        assert response.json() == {"file": [reason]}
    with team_scope(team_a.team):
        assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_file_is_a_400(team_a: TeamWorld, settings: Any) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    response = as_role(team_a).post(DOCUMENTS, {"file": upload("big.txt", b"a " * 600_000)})
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 1 MB."]}


def test_an_upload_needs_a_file_and_a_property_of_the_team(team_a: TeamWorld, team_b: TeamWorld) -> None:
    client = as_role(team_a)
    assert client.post(DOCUMENTS, {"title": "No file"}).json() == {"file": ["No file was submitted."]}
    with team_scope(team_b.team):
        theirs = Property.objects.create(team=team_b.team, name="Bravo Towers")
    response = client.post(DOCUMENTS, {"file": upload("a.pdf", PET_POLICY_PDF), "property": str(theirs.pk)})
    assert response.status_code == 400
    assert response.json() == {"property": ["Property not found."]}


def test_json_is_not_accepted_for_uploads(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(DOCUMENTS, {"title": "x"}, format="json")
    assert response.status_code == 415


def test_the_list_shows_status_and_filters(team_a: TeamWorld, pet_policy: Document, maple: Property) -> None:
    waiting = add_file(team_a, "maple.docx", make_docx([("", "Cats only.")]), property=maple, kind="faq", ingest=False)
    client = as_role(team_a, Role.VIEWER)
    results = client.get(DOCUMENTS).json()["results"]
    assert [(r["title"], r["status"]) for r in results] == [("maple", "pending"), ("pet-policy", "ready")]
    assert [r["id"] for r in client.get(DOCUMENTS, {"status": "ready"}).json()["results"]] == [str(pet_policy.pk)]
    assert [r["id"] for r in client.get(DOCUMENTS, {"property": str(maple.pk)}).json()["results"]] == [str(waiting.pk)]
    assert [r["id"] for r in client.get(DOCUMENTS, {"kind": "policy"}).json()["results"]] == [str(pet_policy.pk)]
    assert client.get(DOCUMENTS, {"status": "lost"}).status_code == 400


def test_a_viewer_reads_but_cannot_upload_or_delete(team_a: TeamWorld, pet_policy: Document) -> None:
    client = as_role(team_a, Role.VIEWER)
    assert client.get(detail(pet_policy)).json()["chunk_count"] == 2
    assert client.post(DOCUMENTS, {"file": upload("a.pdf", PET_POLICY_PDF)}).status_code == 403
    assert client.delete(detail(pet_policy)).status_code == 403


def test_deleting_removes_the_document_its_chunks_and_its_file(
    team_a: TeamWorld, pet_policy: Document, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(team_a).delete(detail(pet_policy))
    assert response.status_code == 204
    with team_scope(team_a.team):
        assert not Document.objects.exists()
        assert not Chunk.objects.exists()
    assert stored_files(media_root) == []


def test_another_teams_document_is_not_found(team_a: TeamWorld, team_b: TeamWorld, pet_policy: Document) -> None:
    client = as_role(team_b, Role.OWNER)
    assert client.get(detail(pet_policy)).status_code == 404
    assert client.delete(detail(pet_policy)).status_code == 404
    assert client.get(DOCUMENTS).json()["results"] == []
    with team_scope(team_a.team):
        assert Document.objects.count() == 1


def test_the_schema_documents_the_multipart_upload(db: None) -> None:
    schema = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/api/v1/knowledge/documents/"]["post"]
    upload_schema = create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][upload_schema]["properties"]["file"]["format"] == "binary"
    status = schema["components"]["schemas"]["Document"]["properties"]["status"]
    assert status.get("readOnly") is True
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
