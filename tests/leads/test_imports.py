"""CSV import: the service (row errors, duplicates, progress, idempotency) and its pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.leads import tasks
from crm.leads.models import ActivityKind, ImportStatus, Lead, LeadActivity, LeadImport
from crm.leads.services import imports
from crm.leads.services.import_parsing import guess_mapping
from crm.leads.services.imports import lead_import_create, lead_import_preview, lead_import_run, lead_import_start
from crm.leads.services.leads import lead_create
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import PropertyFactory

HTMX = {"HTTP_HX_REQUEST": "true"}

GOOD_AND_BAD = """First Name,Last Name,Email,Phone,Move-in,Budget Min,Budget Max,Notes
Ana,Ruiz,ana@example.com,(512) 555-0101,03/01/2026,"$1,200","$1,500",corner unit
Bo,Chen,not-an-email,512-555-0102,,,,
Cy,Diaz,cy@example.com,555,,,,
Di,Evans,di@example.com,,someday,,,
Ed,Fox,ed@example.com,,,"$2,000","$1,500",
,,,,,,,just a note
Flo,Gray,flo@example.com,+1 512 555 0107,2026-04-15,,1.6k,
"""


def make_import(world: TeamWorld, text: str, *, filename: str = "leads.csv", **kwargs: Any) -> LeadImport:
    with team_scope(world.team):
        return lead_import_create(
            team=world.team, filename=filename, raw=text.encode(), actor=world.user(Role.MANAGER), **kwargs
        )


def run(world: TeamWorld, lead_import: LeadImport, mapping: dict[str, int] | None = None, **kwargs: Any) -> LeadImport:
    """Map (by the guess unless told) and run an import to the end, the way the task does."""
    with team_scope(world.team):
        if not lead_import.mapping:
            lead_import.mapping = mapping or guess_mapping(lead_import_preview(lead_import).headers)
            lead_import.save(update_fields=["mapping"])
        lead_import_run(team=world.team, import_id=str(lead_import.pk), **kwargs)
        lead_import.refresh_from_db()
    return lead_import


def errors_by_row(lead_import: LeadImport) -> dict[int, dict[str, list[str]]]:
    return {entry["row"]: entry["errors"] for entry in lead_import.errors}


# --- The service ---------------------------------------------------------------------------------


def test_bad_rows_are_reported_per_field_and_the_rest_are_imported(team_a: TeamWorld) -> None:
    done = run(team_a, make_import(team_a, GOOD_AND_BAD))

    assert done.status == ImportStatus.DONE
    assert (done.total_rows, done.processed_rows) == (7, 7)
    assert (done.created_count, done.duplicate_count, done.error_count) == (2, 0, 5)
    errors = errors_by_row(done)
    assert errors[3] == {"email": ["“not-an-email” is not a valid email address."]}
    assert errors[4] == {"phone": ["“555” is not a valid phone number."]}
    assert errors[5] == {"move_in_date": ["“someday” is not a date. Use e.g. 2025-03-01 or 03/01/2025."]}
    assert errors[6] == {"budget_max": ["The budget's maximum is below its minimum."]}
    assert errors[7] == {"__all__": ["A lead needs a name, an email or a phone number."]}
    assert ["Email", "not-an-email"] in done.errors[0]["values"]
    with team_scope(team_a.team):
        ana = Lead.objects.get(email="ana@example.com")
        flo = Lead.objects.get(email="flo@example.com")
    assert (ana.phone, str(ana.move_in_date), ana.budget_min, ana.budget_max) == (
        "+15125550101",
        "2026-03-01",
        1200,
        1500,
    )
    assert ana.notes == "corner unit"
    assert (flo.phone, str(flo.move_in_date), flo.budget_max) == ("+15125550107", "2026-04-15", 1600)


def test_several_problems_in_one_row_are_all_reported(team_a: TeamWorld) -> None:
    done = run(team_a, make_import(team_a, "Name,Email,Phone,Beds\nAna Ruiz,ana@,12,lots\n"))
    assert errors_by_row(done)[2] == {
        "email": ["“ana@” is not a valid email address."],
        "desired_beds": ["“lots” is not a number of bedrooms."],
        "phone": ["“12” is not a valid phone number."],
    }


def test_duplicates_within_the_file_and_against_existing_leads_are_merged_and_counted(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        existing, _ = lead_create(team=team_a.team, data={"first_name": "Old", "email": "old@example.com"})
    text = (
        "Name,Email,Phone,Notes\n"
        "Ana Ruiz,ana@example.com,,first\n"
        "Old Timer,OLD@example.com,512-555-0199,came back\n"
        "Ana R.,,,\n"
        "Ana Ruiz,ana@example.com,512-555-0101,second\n"
    )
    done = run(team_a, make_import(team_a, text, filename="open-house.csv"))

    assert (done.created_count, done.duplicate_count, done.error_count) == (2, 2, 0)
    with team_scope(team_a.team):
        assert Lead.objects.filter(email="ana@example.com").count() == 1
        ana = Lead.objects.get(email="ana@example.com")
        existing.refresh_from_db()
        repeat = LeadActivity.objects.get(lead=existing, kind=ActivityKind.DUPLICATE_SUBMITTED)
    assert (ana.phone, ana.notes) == ("+15125550101", "second")  # the later row's values fold in
    assert (existing.last_name, existing.phone, existing.notes) == ("Timer", "+15125550199", "came back")
    assert "(import open-house.csv)" in repeat.summary


def test_properties_by_name_and_defaults_for_rows_without_one(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        oaks = PropertyFactory(team=team_a.team, name="The Oaks")
        pines = PropertyFactory(team=team_a.team, name="Pine Court")
    text = (
        "Email,Property,Source\n"
        "a@example.com,the oaks,Zillow\n"
        "b@example.com,,\n"
        "c@example.com,Nowhere Towers,Craigslist\n"
    )
    done = run(team_a, make_import(team_a, text, default_property=pines, default_source="walk_in"))

    assert errors_by_row(done) == {4: {"property": ["No property is named “Nowhere Towers”."]}}
    with team_scope(team_a.team):
        a = Lead.objects.get(email="a@example.com")
        b = Lead.objects.get(email="b@example.com")
    assert (a.property, a.source) == (oaks, "zillow")
    assert (b.property, b.source) == (pines, "walk_in")


def test_an_unknown_source_is_kept_as_the_source_detail(team_a: TeamWorld) -> None:
    run(team_a, make_import(team_a, "Email,Source\na@example.com,Craigslist\n"))
    with team_scope(team_a.team):
        lead = Lead.objects.get(email="a@example.com")
    assert (lead.source, lead.source_detail) == ("other", "Craigslist")


def test_the_import_creates_leads_in_its_own_team_only(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_b.team):
        theirs, _ = lead_create(team=team_b.team, data={"email": "shared@example.com", "first_name": "Bravo"})
    done = run(team_a, make_import(team_a, "Email,First Name\nshared@example.com,Alpha\n"))

    assert (done.created_count, done.duplicate_count) == (1, 0)  # B's lead with the same email is not "found"
    with scopes_disabled():
        assert Lead.objects.get(team=team_a.team).first_name == "Alpha"
        assert Lead.objects.get(pk=theirs.pk).first_name == "Bravo"
        assert Lead.objects.filter(team=team_b.team).count() == 1


def test_a_finished_import_does_nothing_when_run_again(team_a: TeamWorld) -> None:
    done = run(team_a, make_import(team_a, GOOD_AND_BAD))
    before = (done.created_count, done.error_count, done.finished_at, len(done.errors))
    with team_scope(team_a.team):
        count = Lead.objects.count()
        tasks.import_leads(team_id=str(team_a.team.id), import_id=str(done.pk))
        done.refresh_from_db()
        assert Lead.objects.count() == count
    assert (done.created_count, done.error_count, done.finished_at, len(done.errors)) == before


def test_a_long_file_moves_the_progress_in_chunks_and_resumes_where_it_stopped(
    team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    text = "Email\n" + "".join(f"p{n}@example.com\n" for n in range(5))
    lead_import = make_import(team_a, text)

    with CaptureQueriesContext(connection) as queries:
        partial = run(team_a, lead_import, time_budget=0)  # one chunk, then the time slice is over
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "leads_leadimport"')]
    assert writes
    assert not [sql for sql in writes if '"content"' in sql]  # progress never rewrites the file
    assert (partial.status, partial.processed_rows, partial.created_count) == (ImportStatus.RUNNING, 2, 2)
    again = run(team_a, partial, time_budget=0)
    assert (again.status, again.processed_rows, again.created_count) == (ImportStatus.RUNNING, 4, 4)
    done = run(team_a, again)
    assert (done.status, done.processed_rows, done.created_count, done.percent) == (ImportStatus.DONE, 5, 5, 100)


def test_the_task_continues_a_long_file_in_a_fresh_task(team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(imports, "SLICE_SECONDS", 0)
    lead_import = make_import(team_a, "Email\n" + "".join(f"p{n}@example.com\n" for n in range(5)))
    calls: list[str] = []
    original: Callable[..., Any] = imports.lead_import_run

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["import_id"])
        return original(**kwargs, time_budget=0)

    monkeypatch.setattr(tasks, "lead_import_run", counting)
    with team_scope(team_a.team):
        lead_import.mapping = {"email": 0}
        lead_import.save()
    # The first task's slice ends after a chunk; it enqueues the next (run eagerly here), and so on.
    assert tasks.import_leads(team_id=str(team_a.team.id), import_id=str(lead_import.pk)) == ImportStatus.RUNNING
    lead_import.refresh_from_db()
    assert len(calls) == 3
    assert (lead_import.status, lead_import.created_count) == (ImportStatus.DONE, 5)


def test_an_unexpected_error_marks_the_import_failed_and_keeps_earlier_chunks(
    team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    real_create = imports.lead_create

    def flaky(**kwargs: Any) -> Any:
        if kwargs["data"]["email"] == "p3@example.com":
            raise RuntimeError("disk on fire")
        return real_create(**kwargs)

    monkeypatch.setattr(imports, "lead_create", flaky)
    failed = run(team_a, make_import(team_a, "Email\n" + "".join(f"p{n}@example.com\n" for n in range(5))))

    assert failed.status == ImportStatus.FAILED
    assert failed.finished_at is not None
    assert (failed.processed_rows, failed.created_count) == (2, 2)  # the chunk with the bad row rolled back
    assert imports.import_failure(failed) == "The import stopped after 2 rows (RuntimeError)."
    with team_scope(team_a.team):
        assert Lead.objects.count() == 2
    assert run(team_a, failed).status == ImportStatus.FAILED  # and it is not retried into a half-state


def test_starting_an_import_twice_is_refused(team_a: TeamWorld, django_capture_on_commit_callbacks: Any) -> None:
    lead_import = make_import(team_a, "Email\na@example.com\n")
    with team_scope(team_a.team), django_capture_on_commit_callbacks(execute=True):
        lead_import_start(lead_import=lead_import, mapping={"email": 0})
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.DONE
    with team_scope(team_a.team), pytest.raises(Exception, match="already started"):
        lead_import_start(lead_import=lead_import, mapping={"email": 0})


def test_only_the_report_keeps_a_bounded_number_of_rows(team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 2)
    done = run(team_a, make_import(team_a, "Email\nx\ny\nz\n"))
    assert (done.error_count, len(done.errors)) == (3, 2)


# --- The pages -----------------------------------------------------------------------------------


def upload(client: Any, raw: str | bytes, name: str = "leads.csv", **headers: Any) -> Any:
    content = raw.encode() if isinstance(raw, str) else raw
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "default_source": "other"}
    return client.post(reverse("leads:import-upload"), data, **headers)


def test_uploading_a_csv_stores_it_and_opens_the_mapping(team_a: TeamWorld) -> None:
    response = upload(login(team_a.user(Role.MANAGER)), GOOD_AND_BAD)
    with team_scope(team_a.team):
        lead_import = LeadImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:import-map", kwargs={"import_id": lead_import.pk})
    assert (lead_import.filename, lead_import.total_rows, lead_import.status) == ("leads.csv", 7, ImportStatus.PENDING)
    assert lead_import.created_by == team_a.user(Role.MANAGER)


def test_uploading_through_htmx_redirects_the_page(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.MANAGER))
    data = {"file": SimpleUploadedFile("a.csv", b"Email\na@example.com\n"), "default_source": "other"}
    response = client.post(reverse("leads:import-upload"), data, **HTMX)
    assert response.status_code == 200
    assert "/map/" in response["HX-Redirect"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04\x14\x00junk", "Excel workbook"),
        (b"Email\n", "no rows of leads"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_the_reason(team_a: TeamWorld, raw: bytes, message: str) -> None:
    client = login(team_a.user(Role.MANAGER))
    data = {"file": SimpleUploadedFile("x.csv", raw), "default_source": "other"}
    response = client.post(reverse("leads:import-upload"), data, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "<html" not in response.content.decode()
    with team_scope(team_a.team):
        assert not LeadImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm.leads.views import imports as views

    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 10)
    data = {"file": SimpleUploadedFile("x.csv", b"Email\na@example.com\n"), "default_source": "other"}
    response = login(team_a.user(Role.MANAGER)).post(reverse("leads:import-upload"), data)
    assert response.status_code == 422
    assert "larger than" in response.content.decode()


def test_the_mapping_page_shows_guesses_and_a_preview(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, GOOD_AND_BAD)
    response = login(team_a.user(Role.MANAGER)).get(reverse("leads:import-map", kwargs={"import_id": lead_import.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="email" selected>Email</option>' in body
    assert '<option value="move_in_date" selected>Move-in date</option>' in body
    assert "The first 5 rows" in body
    assert "corner unit" in body
    assert "just a note" not in body  # row 8 is past the preview


def test_confirming_the_mapping_runs_the_import_and_shows_the_report(
    team_a: TeamWorld, django_capture_on_commit_callbacks: Any
) -> None:
    lead_import = make_import(team_a, GOOD_AND_BAD)
    client = login(team_a.user(Role.MANAGER))
    mapping = {f"column_{i}": field for i, field in enumerate(["first_name", "last_name", "email", "phone"])}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("leads:import-map", kwargs={"import_id": lead_import.pk}), mapping)
    detail = reverse("leads:import-detail", kwargs={"import_id": lead_import.pk})
    assert response.status_code == 302
    assert response["Location"] == detail

    body = client.get(detail).content.decode()
    assert "Import finished" in body
    assert "4 imported, 3 errors" in body
    assert "“not-an-email” is not a valid email address." in body
    assert 'hx-trigger="every 1s"' not in body
    lead_import.refresh_from_db()
    assert lead_import.mapping == {"first_name": 0, "last_name": 1, "email": 2, "phone": 3}


def test_a_field_chosen_for_two_columns_is_refused(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, "E-mail,Work email\na@example.com,b@example.com\n")
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:import-map", kwargs={"import_id": lead_import.pk}),
        {"column_0": "email", "column_1": "email"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Email is chosen for 2 columns; choose one." in response.content.decode()
    lead_import.refresh_from_db()
    assert lead_import.mapping == {}


def test_a_mapping_without_a_name_email_or_phone_is_refused(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, "Email,Notes\na@example.com,hi\n")
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:import-map", kwargs={"import_id": lead_import.pk}), {"column_0": "", "column_1": "notes"}
    )
    assert response.status_code == 422
    assert "Choose a column for the name, the email or the phone number" in response.content.decode()


def test_the_progress_partial_polls_while_running_and_stops_when_done(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, "Email\na@example.com\nb@example.com\n")
    with team_scope(team_a.team):
        lead_import.mapping = {"email": 0}
        lead_import.status, lead_import.processed_rows, lead_import.created_count = ImportStatus.RUNNING, 1, 1
        lead_import.save()
    client = login(team_a.user(Role.MANAGER))
    url = reverse("leads:import-detail", kwargs={"import_id": lead_import.pk})

    running = client.get(url, **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert '<progress id="import-progress" max="2" value="1">50%</progress>' in running
    assert "<html" not in running
    assert '<meta http-equiv="refresh"' in client.get(url).content.decode()  # the no-JS fallback

    run(team_a, lead_import)
    finished = client.get(url, **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' not in finished
    assert "2 imported, 0 errors" in finished
    assert "Every row was imported." in finished
    assert '<meta http-equiv="refresh"' not in client.get(url).content.decode()


def test_an_unmapped_import_sends_the_detail_page_to_the_mapping(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, "Email\na@example.com\n")
    response = login(team_a.user(Role.MANAGER)).get(
        reverse("leads:import-detail", kwargs={"import_id": lead_import.pk})
    )
    assert response["Location"] == reverse("leads:import-map", kwargs={"import_id": lead_import.pk})


def test_a_started_import_sends_the_mapping_page_to_the_progress(team_a: TeamWorld) -> None:
    done = run(team_a, make_import(team_a, "Email\na@example.com\n"))
    response = login(team_a.user(Role.MANAGER)).post(
        reverse("leads:import-map", kwargs={"import_id": done.pk}), {"column_0": "email"}
    )
    assert response["Location"] == reverse("leads:import-detail", kwargs={"import_id": done.pk})


def test_the_imports_page_lists_the_teams_imports(team_a: TeamWorld, team_b: TeamWorld) -> None:
    run(team_a, make_import(team_a, "Email\na@example.com\n", filename="alpha-list.csv"))
    make_import(team_b, "Email\nb@example.com\n", filename="bravo-list.csv")
    body = login(team_a.user(Role.MANAGER)).get(reverse("leads:imports")).content.decode()
    assert "alpha-list.csv" in body
    assert "bravo-list.csv" not in body


def test_the_failure_is_shown_on_the_progress_page(team_a: TeamWorld) -> None:
    lead_import = make_import(team_a, "Email\na@example.com\n")
    with team_scope(team_a.team):
        lead_import.mapping = {"email": 0}
        lead_import.save()
        imports._mark_failed(str(lead_import.pk), RuntimeError("boom"))
    body = login(team_a.user(Role.MANAGER)).get(reverse("leads:import-detail", kwargs={"import_id": lead_import.pk}))
    assert "Import stopped" in body.content.decode()
    assert "The import stopped after 0 rows (RuntimeError)." in body.content.decode()


@pytest.mark.parametrize("name", ["leads:import-detail", "leads:import-map"])
def test_another_teams_import_is_not_found(team_a: TeamWorld, team_b: TeamWorld, name: str) -> None:
    theirs = make_import(team_b, "Email\nb@example.com\n")
    client = login(team_a.user(Role.OWNER))
    url = reverse(name, kwargs={"import_id": theirs.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"column_0": "email"}).status_code in (404, 405)
    theirs.refresh_from_db()
    assert theirs.mapping == {}


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_members_below_manager_cannot_import(team_a: TeamWorld, role: str) -> None:
    lead_import = make_import(team_a, "Email\na@example.com\n")
    client = login(team_a.user(role))
    assert client.get(reverse("leads:imports")).status_code == 403
    assert upload(client, "Email\nb@example.com\n").status_code == 403
    assert client.get(reverse("leads:import-map", kwargs={"import_id": lead_import.pk})).status_code == 403
    response = client.post(reverse("leads:import-map", kwargs={"import_id": lead_import.pk}), {"column_0": "email"})
    assert response.status_code == 403
    assert client.get(reverse("leads:import-detail", kwargs={"import_id": lead_import.pk})).status_code == 403
    lead_import.refresh_from_db()
    assert lead_import.mapping == {}
