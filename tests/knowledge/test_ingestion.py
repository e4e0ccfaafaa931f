"""The services and the pipeline: storing, ingesting, retries, idempotency, replace, delete, expiry."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge import ingestion
from knowledge.embedders import Embedder, get_embedder
from knowledge.ingestion import MAX_ATTEMPTS, document_ingest, index_chunks
from knowledge.models import Chunk, Document, DocumentSource, DocumentStatus
from knowledge.services import (
    document_create_qa,
    document_create_text,
    document_create_upload,
    document_delete,
    document_replace,
    document_retry,
    document_update,
)
from knowledge.tasks import ingest_document
from tests.conftest import TeamWorld
from tests.knowledge.conftest import PET_POLICY_PDF, add_file, stored_files, upload
from tests.knowledge.samples import encrypt_pdf, make_docx, make_pdf, zip_bomb_docx


class FlakyEmbedder(Embedder):
    """Fails the first ``failures`` calls, then embeds like the real one; records each call."""

    name = "flaky-test"

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or ConnectionError("embedding service unreachable")
        self.calls = 0
        self.real = get_embedder()

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return self.real.embed(texts)


def use_embedder(monkeypatch: Any, embedder: Embedder) -> None:
    monkeypatch.setattr(ingestion, "embedder_for_team", lambda team: embedder)


# --- Storing -------------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_generated_key_and_ingested_into_chunks(
    team_a: TeamWorld, riverside: Property, media_root: Path
) -> None:
    document = add_file(team_a, "../../etc/passwd.pdf", PET_POLICY_PDF, property=riverside, kind="policy")

    assert document.status == DocumentStatus.READY
    assert document.progress == 100
    assert document.original_filename == "passwd.pdf"
    assert document.title == "passwd"
    assert document.content_type == "application/pdf"
    assert document.size == len(PET_POLICY_PDF)
    assert document.embedder == get_embedder().name
    assert document.file.name.startswith(f"knowledge/{team_a.team.id}/")
    assert "passwd" not in document.file.name
    assert document.file.name.endswith(".pdf")
    assert stored_files(media_root) == [media_root / document.file.name]

    with team_scope(team_a.team):
        chunks = list(Chunk.objects.filter(document=document).order_by("ordinal"))
    assert document.chunk_count == len(chunks) == 2
    assert [chunk.heading for chunk in chunks] == ["Pet Policy (page 1)", "Parking (page 2)"]
    assert "$300 refundable deposit" in chunks[0].text
    assert all(len(chunk.embedding) == 384 for chunk in chunks)
    assert {(chunk.property_id, chunk.kind, chunk.team_id) for chunk in chunks} == {
        (riverside.pk, "policy", team_a.team.pk)
    }


def test_chunks_are_indexed_for_full_text_search_in_sql(team_a: TeamWorld, pet_policy: Document) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT heading FROM knowledge_chunk WHERE document_id = %s "
            "AND search_vector @@ plainto_tsquery('english', 'deposits dogs') ",
            [pet_policy.pk],
        )
        assert cursor.fetchall() == [("Pet Policy (page 1)",)]
        cursor.execute(
            "SELECT count(*) FROM knowledge_chunk WHERE document_id = %s "
            "AND search_vector @@ plainto_tsquery('english', 'parking')",  # found in the heading too
            [pet_policy.pk],
        )
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("policy.pdf", b"MZ\x90\x00" + bytes(100), "not a PDF, Word"),
        ("bomb.docx", zip_bomb_docx(inflated_mb=4), "inflates"),
        ("scan.pdf", make_pdf([[]]), "No text"),
    ],
    ids=["exe-named-pdf", "zip-bomb", "no-text"],
)
def test_a_bad_file_is_refused_and_leaves_nothing_stored(
    team_a: TeamWorld, media_root: Path, name: str, data: bytes, message: str
) -> None:
    with team_scope(team_a.team), pytest.raises(ValidationError, match=message):
        document_create_upload(team=team_a.team, upload=upload(name, data))
    with team_scope(team_a.team):
        assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_upload_is_refused_by_its_declared_size_before_it_is_read(
    team_a: TeamWorld, settings: Any, media_root: Path
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1

    class Huge:
        name, size = "huge.pdf", 50 * 1024 * 1024

        def read(self, *args: Any) -> bytes:
            raise AssertionError("read before the size was checked")

        def seek(self, offset: int) -> None:
            pass

    with team_scope(team_a.team), pytest.raises(ValidationError, match="larger than 1 MB"):
        document_create_upload(team=team_a.team, upload=Huge())  # type: ignore[arg-type]
    assert stored_files(media_root) == []


def test_a_failure_after_the_file_is_stored_deletes_it_again(
    team_a: TeamWorld, media_root: Path, monkeypatch: Any
) -> None:
    def broken(self: Document, *args: Any, **kwargs: Any) -> None:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(Document, "save", broken)
    with team_scope(team_a.team), pytest.raises(DatabaseError):
        document_create_upload(team=team_a.team, upload=upload("fees.pdf", PET_POLICY_PDF))
    monkeypatch.undo()
    with team_scope(team_a.team):
        assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_the_same_file_twice_for_the_same_property_is_refused(team_a: TeamWorld, pet_policy: Document) -> None:
    with team_scope(team_a.team), pytest.raises(ValidationError, match="already in the knowledge base"):
        document_create_upload(
            team=team_a.team, upload=upload("copy.pdf", PET_POLICY_PDF), property=pet_policy.property
        )


def test_pasted_text_is_split_at_its_markdown_headings(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        document = document_create_text(
            team=team_a.team, title="Parking", text="# Garage\n\n$85 a month.\n\n# Guests\n\nVisitor spaces only."
        )
        document_ingest(document_id=str(document.pk))
        assert list(Chunk.objects.filter(document=document).values_list("heading", "text")) == [
            ("Garage", "$85 a month."),
            ("Guests", "Visitor spaces only."),
        ]


def test_a_qa_entry_is_one_chunk_headed_by_its_question(team_a: TeamWorld, riverside: Property) -> None:
    with team_scope(team_a.team):
        document = document_create_qa(
            team=team_a.team, question="Do you allow cats?", answer="Yes, two per home.", property=riverside
        )
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
        assert document.source == DocumentSource.QA
        assert document.title == "Do you allow cats?"
        assert document.kind == "faq"
        assert list(Chunk.objects.filter(document=document).values_list("heading", "text")) == [
            ("Do you allow cats?", "Yes, two per home.")
        ]


@pytest.mark.parametrize(("question", "answer"), [("", "Yes."), ("Cats?", "  "), ("Cats?", "x" * 5001)])
def test_a_qa_entry_needs_a_question_and_a_reasonable_answer(team_a: TeamWorld, question: str, answer: str) -> None:
    with team_scope(team_a.team), pytest.raises(ValidationError):
        document_create_qa(team=team_a.team, question=question, answer=answer)


# --- The pipeline --------------------------------------------------------------------------------


def test_ingesting_a_ready_document_again_changes_nothing(team_a: TeamWorld, pet_policy: Document) -> None:
    with team_scope(team_a.team):
        before = list(Chunk.objects.filter(document=pet_policy).values_list("id", flat=True))
        assert document_ingest(document_id=str(pet_policy.pk)) is None
        assert ingest_document.delay(team_id=str(team_a.team.id), document_id=str(pet_policy.pk)).get() is None
        assert list(Chunk.objects.filter(document=pet_policy).values_list("id", flat=True)) == before
        pet_policy.refresh_from_db()
        assert pet_policy.attempts == 1


def test_progress_moves_with_each_embedding_batch(team_a: TeamWorld, monkeypatch: Any) -> None:
    seen: list[tuple[str, int]] = []

    class Watching(Embedder):
        name = "watching-test"

        def embed(self, texts: list[str]) -> list[list[float]]:
            document = Document.objects.get(title="Long guide")
            seen.append((document.status, document.progress))
            return [[1.0] + [0.0] * 383 for _ in texts]

    use_embedder(monkeypatch, Watching())
    monkeypatch.setattr(ingestion, "EMBED_BATCH", 2)
    text = "\n\n".join(f"# Section {n}\n\nRule number {n} of the house." for n in range(6))
    with team_scope(team_a.team):
        document = document_create_text(team=team_a.team, title="Long guide", text=text)
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    assert seen == [("processing", 15), ("processing", 41), ("processing", 68)]
    assert (document.status, document.progress, document.chunk_count) == ("ready", 100, 6)


def test_a_failing_embedder_is_retried_then_the_document_fails_with_the_reason_shown(
    team_a: TeamWorld, monkeypatch: Any
) -> None:
    flaky = FlakyEmbedder(failures=99)
    use_embedder(monkeypatch, flaky)
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)

    with team_scope(team_a.team):
        result = document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    assert result is not None
    assert (result.status, result.retry_in) == ("pending", 15)
    assert document.status == DocumentStatus.PENDING
    assert (
        document.error
        == "Attempt 1 of 3 failed (the file storage or the network did not answer). Trying again shortly."
    )

    # The task schedules the next attempt itself (eager here: at once, within this call).
    ingest_document.delay(team_id=str(team_a.team.id), document_id=str(document.pk))
    with team_scope(team_a.team):
        document.refresh_from_db()
        assert not Chunk.objects.filter(document=document).exists()
    assert flaky.calls == MAX_ATTEMPTS
    assert document.attempts == MAX_ATTEMPTS
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith("Processing failed 3 times (the file storage or the network did not answer).")


def test_the_retry_delay_doubles(team_a: TeamWorld, monkeypatch: Any) -> None:
    use_embedder(monkeypatch, FlakyEmbedder(failures=99, error=RuntimeError("boom")))
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)
    with team_scope(team_a.team):
        delays = [document_ingest(document_id=str(document.pk)).retry_in for _ in range(3)]  # type: ignore[union-attr]
        document.refresh_from_db()
    assert delays == [15, 30, None]
    assert "an unexpected error" in document.error


def test_a_document_recovers_when_a_later_attempt_succeeds(team_a: TeamWorld, monkeypatch: Any) -> None:
    use_embedder(monkeypatch, FlakyEmbedder(failures=1))
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)
    first = ingest_document.delay(team_id=str(team_a.team.id), document_id=str(document.pk)).get()
    assert first == "pending"  # this attempt failed; the one it scheduled succeeded
    with team_scope(team_a.team):
        document.refresh_from_db()
    assert (document.status, document.attempts, document.error, document.chunk_count) == ("ready", 2, "", 2)
    assert document.embedder == "flaky-test"


def test_a_stored_file_that_no_longer_reads_fails_at_once_without_retries(team_a: TeamWorld, media_root: Path) -> None:
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)
    (media_root / document.file.name).write_bytes(b"%PDF-1.4 overwritten")
    with team_scope(team_a.team):
        result = document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    assert result is not None
    assert result.status == "failed"
    assert (document.status, document.attempts) == ("failed", 1)
    assert document.error == "This PDF could not be read; it may be damaged."


def test_a_failed_document_can_be_tried_again_from_the_first_attempt(team_a: TeamWorld, monkeypatch: Any) -> None:
    use_embedder(monkeypatch, FlakyEmbedder(failures=3))
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)
    ingest_document.delay(team_id=str(team_a.team.id), document_id=str(document.pk))
    with team_scope(team_a.team):
        document.refresh_from_db()
        assert document.status == DocumentStatus.FAILED
        document_retry(document=document)
        assert (document.status, document.attempts, document.error) == ("pending", 0, "")
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    assert document.status == DocumentStatus.READY


def test_a_run_overtaken_by_a_new_version_writes_nothing(team_a: TeamWorld, monkeypatch: Any) -> None:
    document = add_file(team_a, "fees.pdf", PET_POLICY_PDF, ingest=False)

    class Overtaken(Embedder):
        name = "overtaken-test"

        def embed(self, texts: list[str]) -> list[list[float]]:
            Document.objects.filter(pk=document.pk).update(content_hash="a-newer-upload", status="pending")
            return [[1.0] + [0.0] * 383 for _ in texts]

    use_embedder(monkeypatch, Overtaken())
    with team_scope(team_a.team):
        assert document_ingest(document_id=str(document.pk)) is None
        document.refresh_from_db()
        assert (document.status, document.chunk_count) == ("pending", 0)
        assert not Chunk.objects.filter(document=document).exists()


def test_index_chunks_can_re_embed_a_ready_document(team_a: TeamWorld, pet_policy: Document) -> None:
    class Other(Embedder):
        name = "other-test"

        def embed(self, texts: list[str]) -> list[list[float]]:
            return [[0.0, 1.0] + [0.0] * 382 for _ in texts]

    with team_scope(team_a.team):
        drafts = [
            ingestion.ChunkDraft(heading=chunk.heading, text=chunk.text)
            for chunk in Chunk.objects.filter(document=pet_policy).order_by("ordinal")
        ]
        assert index_chunks(pet_policy, drafts, embedder=Other()) == 2
        assert set(Chunk.objects.filter(document=pet_policy).values_list("embedder", flat=True)) == {"other-test"}
        pet_policy.refresh_from_db()
    assert (pet_policy.status, pet_policy.embedder) == ("ready", "other-test")


# --- Replace, delete, expiry ---------------------------------------------------------------------


def test_re_uploading_replaces_the_file_and_the_chunks(
    team_a: TeamWorld, pet_policy: Document, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    old_key = pet_policy.file.name
    new_pdf = make_pdf([["# Pet Policy", "Riverside Commons no longer accepts dogs over 30 lb."]])
    with team_scope(team_a.team), django_capture_on_commit_callbacks(execute=True):
        document_replace(document=pet_policy, upload=upload("pets-2027.pdf", new_pdf), actor=team_a.user(Role.AGENT))
    with team_scope(team_a.team):
        pet_policy.refresh_from_db()
        texts = list(Chunk.objects.filter(document=pet_policy).values_list("text", flat=True))
    assert pet_policy.status == DocumentStatus.READY  # the task ran after the commit
    assert pet_policy.original_filename == "pets-2027.pdf"
    assert pet_policy.title == "pet-policy"  # the title stays
    assert texts == ["Riverside Commons no longer accepts dogs over 30 lb."]
    assert pet_policy.file.name != old_key
    assert stored_files(media_root) == [media_root / pet_policy.file.name]


def test_re_uploading_the_same_file_changes_nothing(team_a: TeamWorld, pet_policy: Document) -> None:
    key = pet_policy.file.name
    with team_scope(team_a.team):
        document_replace(document=pet_policy, upload=upload("again.pdf", PET_POLICY_PDF))
        pet_policy.refresh_from_db()
    assert (pet_policy.file.name, pet_policy.status, pet_policy.original_filename) == (key, "ready", "pet-policy.pdf")


def test_a_bad_replacement_keeps_the_current_version(team_a: TeamWorld, pet_policy: Document, media_root: Path) -> None:
    locked = upload("locked.pdf", encrypt_pdf(PET_POLICY_PDF, user_password="x"))
    with team_scope(team_a.team), pytest.raises(ValidationError, match="password"):
        document_replace(document=pet_policy, upload=locked)
    with team_scope(team_a.team):
        pet_policy.refresh_from_db()
        assert Chunk.objects.filter(document=pet_policy).count() == 2
    assert pet_policy.status == DocumentStatus.READY
    assert stored_files(media_root) == [media_root / pet_policy.file.name]


def test_deleting_removes_the_chunks_and_the_file(
    team_a: TeamWorld, pet_policy: Document, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with team_scope(team_a.team), django_capture_on_commit_callbacks(execute=True):
        document_delete(document=pet_policy)
    with team_scope(team_a.team):
        assert not Document.objects.exists()
        assert not Chunk.objects.exists()
    assert stored_files(media_root) == []


def test_changing_expiry_property_and_kind_updates_the_chunks_without_reading_again(
    team_a: TeamWorld, pet_policy: Document, maple: Property
) -> None:
    yesterday = date.today() - timedelta(days=1)
    with team_scope(team_a.team):
        before = list(Chunk.objects.filter(document=pet_policy).values_list("id", flat=True))
        document_update(document=pet_policy, title=pet_policy.title, kind="fees", property=maple, expires_on=yesterday)
        pet_policy.refresh_from_db()
        chunks = Chunk.objects.filter(document=pet_policy)
        assert set(chunks.values_list("expires_on", "property", "kind")) == {(yesterday, maple.pk, "fees")}
        assert list(chunks.values_list("id", flat=True)) == before
    assert pet_policy.is_expired
    assert (pet_policy.status, pet_policy.attempts) == ("ready", 1)


def test_clearing_the_expiry_makes_the_document_current_again(team_a: TeamWorld, riverside: Property) -> None:
    with team_scope(team_a.team):
        special = document_create_text(
            team=team_a.team,
            title="Spring special",
            text="One month free on 12-month leases.",
            kind="specials",
            expires_on=date.today() - timedelta(days=3),
        )
        document_ingest(document_id=str(special.pk))
        special.refresh_from_db()
        assert special.is_expired
        document_update(document=special, title=special.title, kind="specials", property=riverside, expires_on=None)
        assert not special.is_expired
        assert list(Chunk.objects.filter(document=special).values_list("expires_on", flat=True)) == [None]


def test_changing_the_words_of_a_text_or_qa_entry_reads_it_again(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        qa = document_create_qa(team=team_a.team, question="Parking?", answer="Free.")
        document_ingest(document_id=str(qa.pk))
        document_update(
            document=qa, title="Parking?", kind="faq", property=None, expires_on=None, answer="$40 a month."
        )
        qa.refresh_from_db()
        assert (qa.status, qa.text) == ("pending", "$40 a month.")
        document_ingest(document_id=str(qa.pk))
        assert list(Chunk.objects.filter(document=qa).values_list("text", flat=True)) == ["$40 a month."]


def test_a_docx_upload_is_ingested_with_its_headings(team_a: TeamWorld) -> None:
    data = make_docx([("Heading 1", "Amenities"), ("", "Rooftop deck with grills.")])
    document = add_file(team_a, "amenities.docx", data)
    with team_scope(team_a.team):
        assert list(Chunk.objects.filter(document=document).values_list("heading", "text")) == [
            ("Amenities", "Rooftop deck with grills.")
        ]
