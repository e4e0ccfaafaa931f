"""The knowledge pages: list with live status, uploading (several files), quick facts, one document's
page, edit, re-upload, retry and delete, by role, with and without htmx."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.models import Chunk, Document, DocumentStatus
from tests.conftest import TeamWorld, login
from tests.knowledge.conftest import PET_POLICY_PDF, add_file, stored_files, upload
from tests.knowledge.samples import make_docx, zip_bomb_docx

HTMX = {"HTTP_HX_REQUEST": "true"}


def triggers(response: Any) -> dict[str, Any]:
    return json.loads(response.get("HX-Trigger", "{}"))


def toasts(response: Any) -> list[str]:
    return [toast["message"] for toast in triggers(response).get("toasts", [])]


def documents(world: TeamWorld) -> list[Document]:
    with team_scope(world.team):
        return list(Document.objects.order_by("created_at"))


# --- The list ------------------------------------------------------------------------------------


def test_a_viewer_reads_the_list_but_gets_no_forms_to_change_it(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.VIEWER)).get(reverse("knowledge:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "pet-policy" in body
    assert "Riverside Commons" in body
    assert "Ready" in body
    assert "Upload documents" not in body
    assert reverse("knowledge:delete", args=[pet_policy.pk]) not in body


def test_an_agent_gets_the_upload_paste_and_qa_forms(team_a: TeamWorld) -> None:
    body = login(team_a.user(Role.AGENT)).get(reverse("knowledge:index")).content.decode()
    assert 'type="file" name="file"' in body
    assert "multiple" in body
    assert 'enctype="multipart/form-data"' in body
    assert "Paste text" in body
    assert "Add a question and answer" in body
    assert "No documents yet" in body


def test_a_document_being_read_polls_its_row_and_a_finished_one_does_not(
    team_a: TeamWorld, pet_policy: Document
) -> None:
    waiting = add_file(team_a, "other.docx", make_docx([("", "Rooftop deck.")]), ingest=False)
    client = login(team_a.user(Role.VIEWER))
    body = client.get(reverse("knowledge:index")).content.decode()
    assert f'hx-get="{reverse("knowledge:document-row", args=[waiting.pk])}" hx-trigger="every 1s"' in body
    assert reverse("knowledge:document-row", args=[pet_policy.pk]) not in body
    assert '<progress class="kb-progress" max="100" value="0"' in body

    with team_scope(team_a.team):
        Document.objects.filter(pk=waiting.pk).update(status=DocumentStatus.PROCESSING, progress=55)
    row = client.get(reverse("knowledge:document-row", args=[waiting.pk]), **HTMX).content.decode()
    assert row.startswith(f'<tr id="document-{waiting.pk}"')
    assert 'value="55"' in row
    assert "every 1s" in row

    with team_scope(team_a.team):
        Document.objects.filter(pk=waiting.pk).update(status=DocumentStatus.FAILED, error="This Word file is damaged.")
    row = client.get(reverse("knowledge:document-row", args=[waiting.pk]), **HTMX).content.decode()
    assert "every 1s" not in row
    assert "This Word file is damaged." in row


def test_the_row_without_htmx_leads_to_the_document(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.VIEWER)).get(reverse("knowledge:document-row", args=[pet_policy.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:document", args=[pet_policy.pk])


def test_the_list_filters_by_property_kind_and_status(team_a: TeamWorld, pet_policy: Document, maple: Property) -> None:
    add_file(team_a, "maple.docx", make_docx([("", "Cats only at Maple Court.")]), property=maple, kind="faq")
    add_file(team_a, "all.docx", make_docx([("", "Rent is due on the first.")]), kind="lease_terms", ingest=False)
    client = login(team_a.user(Role.VIEWER))

    def titles(**query: str) -> list[str]:
        response = client.get(reverse("knowledge:index"), query)
        return [document.title for document in response.context["documents"]]

    assert titles() == ["all", "maple", "pet-policy"]
    assert titles(property=str(maple.pk)) == ["maple"]
    assert titles(property="none") == ["all"]
    assert titles(kind="policy") == ["pet-policy"]
    assert titles(status="pending") == ["all"]
    assert titles(kind="not-a-kind") == ["all", "maple", "pet-policy"]  # a bad filter is ignored
    assert "No documents match" in client.get(reverse("knowledge:index"), {"kind": "specials"}).content.decode()


def test_filtering_with_htmx_returns_just_the_list(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.VIEWER)).get(
        reverse("knowledge:index"), {"kind": "policy"}, HTTP_HX_TARGET="document-list", **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="document-list"')
    assert "pet-policy" in body
    assert "<html" not in body


# --- Uploading -----------------------------------------------------------------------------------


def test_several_files_upload_at_once_and_a_bad_one_is_reported_without_stopping_the_rest(
    team_a: TeamWorld, riverside: Property, media_root: Path
) -> None:
    client = login(team_a.user(Role.AGENT))
    files = [
        upload("pets.pdf", PET_POLICY_PDF),
        upload("amenities.docx", make_docx([("Heading 1", "Amenities"), ("", "Saltwater pool.")])),
        upload("../../etc/passwd.pdf", b"MZ\x90\x00" + bytes(64)),
        upload("bomb.docx", zip_bomb_docx(inflated_mb=4)),
    ]
    response = client.post(
        reverse("knowledge:upload"), {"file": files, "property": str(riverside.pk), "kind": "policy"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert triggers(response)["documentsChanged"] == {}
    assert toasts(response) == ["Added “pets”, “amenities”. Reading them now."]
    assert "These files were not added" in body
    assert (
        "<strong>passwd.pdf</strong>: This file is not a PDF, Word (.docx), HTML, Markdown or plain-text file." in body
    )
    assert "<strong>bomb.docx</strong>: This Word file inflates" in body
    assert [(d.title, d.property_id, d.kind) for d in documents(team_a)] == [
        ("pets", riverside.pk, "policy"),
        ("amenities", riverside.pk, "policy"),
    ]
    assert len(stored_files(media_root)) == 2


def test_an_upload_without_javascript_redirects_to_the_list(
    team_a: TeamWorld, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(team_a.user(Role.AGENT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:upload"), {"file": [upload("pets.pdf", PET_POLICY_PDF)], "kind": "faq"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:index")
    page = client.get(reverse("knowledge:index")).content.decode()
    assert "Added “pets”. Reading it now." in page
    assert [(d.status, d.chunk_count) for d in documents(team_a)] == [("ready", 2)]


def test_an_upload_without_javascript_and_only_bad_files_shows_the_errors_on_its_own_page(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:upload"), {"file": [upload("x.pdf", b"\x00\x01")], "kind": "faq"}
    )
    assert response.status_code == 422
    assert "This file was not added" in response.content.decode()
    assert "Add to the knowledge base" in response.content.decode()


def test_an_upload_without_files_asks_for_one(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("knowledge:upload"), {"kind": "faq"}, **HTMX)
    assert response.status_code == 422
    assert "Choose at least one file." in response.content.decode()


def test_a_viewer_cannot_upload(team_a: TeamWorld, media_root: Path) -> None:
    response = login(team_a.user(Role.VIEWER)).post(
        reverse("knowledge:upload"), {"file": [upload("p.pdf", PET_POLICY_PDF)]}
    )
    assert response.status_code == 403
    assert documents(team_a) == []
    assert stored_files(media_root) == []


def test_another_teams_property_cannot_be_chosen(team_a: TeamWorld, team_b: TeamWorld) -> None:
    from tests.factories import PropertyFactory

    with scopes_disabled():
        theirs = PropertyFactory(team=team_b.team)
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:upload"), {"file": [upload("p.pdf", PET_POLICY_PDF)], "property": str(theirs.pk)}, **HTMX
    )
    assert response.status_code == 422
    assert documents(team_a) == []


def test_pasting_text_adds_a_document_and_refreshes_the_list(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:add-text"),
        {"title": "Spring special", "text": "One month free.", "kind": "specials", "expires_on": "2030-05-31"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "documentsChanged" in triggers(response)
    assert toasts(response) == ["Added “Spring special”."]
    assert 'id="text-panel"' in response.content.decode()
    [document] = documents(team_a)
    assert (document.source, document.kind, document.expires_on) == ("text", "specials", date(2030, 5, 31))


def test_a_qa_entry_is_added_with_its_question_as_title(team_a: TeamWorld, riverside: Property) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:add-qa"),
        {"question": "Is there a dog park?", "answer": "Yes, fenced.", "property": str(riverside.pk), "kind": "faq"},
    )
    assert response.status_code == 302
    [document] = documents(team_a)
    assert (document.title, document.question, document.text) == (
        "Is there a dog park?",
        "Is there a dog park?",
        "Yes, fenced.",
    )


def test_an_empty_qa_entry_shows_its_errors(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("knowledge:add-qa"), {"question": "", "kind": "faq"}, **HTMX)
    assert response.status_code == 422
    assert response.content.decode().count("This field is required.") == 2


# --- One document --------------------------------------------------------------------------------


def test_the_document_page_shows_its_passages_and_file(team_a: TeamWorld, pet_policy: Document) -> None:
    body = login(team_a.user(Role.VIEWER)).get(reverse("knowledge:document", args=[pet_policy.pk])).content.decode()
    assert "Pet Policy (page 1)" in body
    assert "$300 refundable deposit" in body
    assert "2 passages" in body
    assert reverse("knowledge:download", args=[pet_policy.pk]) in body
    assert reverse("knowledge:edit", args=[pet_policy.pk]) not in body  # a viewer


def test_the_original_file_downloads_under_its_cleaned_name(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.VIEWER)).get(reverse("knowledge:download", args=[pet_policy.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pet-policy.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PET_POLICY_PDF


def test_editing_the_expiry_updates_the_document_and_its_chunks(team_a: TeamWorld, pet_policy: Document) -> None:
    client = login(team_a.user(Role.AGENT))
    url = reverse("knowledge:edit", args=[pet_policy.pk])
    assert 'name="expires_on"' in client.get(url).content.decode()
    yesterday = date.today() - timedelta(days=1)
    response = client.post(
        url,
        {"title": "Pet policy", "kind": "policy", "property": str(pet_policy.property_id), "expires_on": yesterday},
    )
    assert response.status_code == 302
    with team_scope(team_a.team):
        assert set(Chunk.objects.filter(document=pet_policy).values_list("expires_on", flat=True)) == {yesterday}
    assert "Expired" in client.get(reverse("knowledge:index")).content.decode()


def test_uploading_a_new_version_from_the_document_page(
    team_a: TeamWorld, pet_policy: Document, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(team_a.user(Role.AGENT))
    url = reverse("knowledge:replace", args=[pet_policy.pk])
    new = make_docx([("Heading 1", "Pets"), ("", "Dogs up to 30 lb from 2027.")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload("pets-2027.docx", new)}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("knowledge:document", args=[pet_policy.pk])
    with team_scope(team_a.team):
        assert list(Chunk.objects.filter(document=pet_policy).values_list("text", flat=True)) == [
            "Dogs up to 30 lb from 2027."
        ]


def test_a_bad_new_version_is_refused_on_the_form(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:replace", args=[pet_policy.pk]), {"file": upload("new.pdf", b"MZ" + bytes(9))}, **HTMX
    )
    assert response.status_code == 422
    assert "This file is not a PDF" in response.content.decode()


def test_a_failed_document_can_be_tried_again_from_its_row(team_a: TeamWorld, pet_policy: Document) -> None:
    with team_scope(team_a.team):
        Document.objects.filter(pk=pet_policy.pk).update(status=DocumentStatus.FAILED, error="Timed out.")
    response = login(team_a.user(Role.AGENT)).post(reverse("knowledge:retry", args=[pet_policy.pk]), **HTMX)
    assert response.status_code == 200
    assert "every 1s" in response.content.decode()  # pending again: the row polls
    assert documents(team_a)[0].status == DocumentStatus.PENDING


def test_delete_asks_first_without_javascript_then_removes_document_chunks_and_file(
    team_a: TeamWorld, pet_policy: Document, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(team_a.user(Role.AGENT))
    url = reverse("knowledge:delete", args=[pet_policy.pk])
    confirm = client.get(url).content.decode()
    assert "Delete “pet-policy”?" in confirm
    assert "Its 2 passages leave search" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert documents(team_a) == []
    assert stored_files(media_root) == []


def test_deleting_from_the_list_with_htmx_removes_the_row(team_a: TeamWorld, pet_policy: Document) -> None:
    response = login(team_a.user(Role.AGENT)).post(
        reverse("knowledge:delete", args=[pet_policy.pk]), HTTP_HX_TARGET=f"document-{pet_policy.pk}", **HTMX
    )
    assert response.status_code == 200
    assert response.content == b""
    assert toasts(response) == ["Deleted “pet-policy”."]


@pytest.mark.parametrize("name", ["edit", "replace", "retry", "delete"])
def test_a_viewer_cannot_change_a_document(team_a: TeamWorld, pet_policy: Document, name: str) -> None:
    client = login(team_a.user(Role.VIEWER))
    url = reverse(f"knowledge:{name}", args=[pet_policy.pk])
    assert client.post(url).status_code == 403
    assert len(documents(team_a)) == 1


@pytest.mark.parametrize("name", ["document", "document-row", "download", "edit", "replace", "retry", "delete"])
def test_an_outsider_gets_404_for_a_document(
    team_a: TeamWorld, team_b: TeamWorld, pet_policy: Document, name: str
) -> None:
    client = login(team_b.user(Role.OWNER))
    url = reverse(f"knowledge:{name}", args=[pet_policy.pk])
    assert client.get(url, **HTMX).status_code in {404, 405}
    assert client.post(url, **HTMX).status_code in {404, 405}
    assert len(documents(team_a)) == 1
