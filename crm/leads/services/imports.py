"""CSV import and export of leads.

An import is uploaded (``lead_import_create``), mapped (``lead_import_start``, which enqueues the
task) and run (``lead_import_run``) in chunks. Each chunk is one transaction holding its rows,
their counts and the progress, so a worker that dies mid-file resumes where the last chunk ended
and a finished import never runs again. Each row has its own savepoint: a bad row is reported
and the others go in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import ImportStatus, Lead, LeadImport, Source
from crm.leads.services.import_parsing import (
    CONTACT_FIELDS,
    IMPORT_FIELDS,
    MAX_UPLOAD_BYTES,
    PREVIEW_ROWS,
    ParsedCsv,
    Row,
    decode_csv,
    parse_beds,
    parse_csv,
    parse_date,
    parse_email,
    parse_money,
    parse_source,
    split_full_name,
)
from crm.leads.services.leads import lead_create, normalize
from crm.properties.models import Property
from crm.teams.models import Team

logger = logging.getLogger(__name__)

CHUNK_ROWS = 50  # rows per transaction, and how often the progress bar moves
SLICE_SECONDS = 60.0  # one task's share of a long file; the rest continues in a fresh task
MAX_REPORTED_ERRORS = 1000  # rows kept in the report; the error count keeps counting
FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}
# What a chunk writes back: never the file itself, which may be megabytes.
PROGRESS_FIELDS = [
    "status",
    "total_rows",
    "processed_rows",
    "created_count",
    "duplicate_count",
    "error_count",
    "errors",
    "finished_at",
]
REPORT_LABELS = {**IMPORT_FIELDS, "full_name": "Full name", "__all__": "Row"}


# --- Upload and mapping ------------------------------------------------------------------------


def lead_import_create(
    *,
    team: Team,
    filename: str,
    raw: bytes,
    default_property: Property | None = None,
    default_source: str = Source.OTHER,
    actor: User | None = None,
) -> LeadImport:
    """Check and store an uploaded CSV; a ValidationError says what is wrong with the file."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    text = decode_csv(raw)
    parsed = parse_csv(text)
    return LeadImport.objects.create(
        team=team,
        filename=filename[:200],
        content=text,
        default_property=default_property,
        default_source=default_source,
        total_rows=len(parsed.rows),
        created_by=actor,
    )


def lead_import_preview(lead_import: LeadImport) -> ParsedCsv:
    """The headers and the first few rows, for the mapping page."""
    return parse_csv(lead_import.content, limit=PREVIEW_ROWS)


def check_mapping(mapping: dict[str, int], *, columns: int) -> None:
    if any(field not in IMPORT_FIELDS for field in mapping):
        raise ValidationError("Unknown lead field in the mapping.")
    if any(not isinstance(index, int) or not 0 <= index < columns for index in mapping.values()):
        raise ValidationError("The mapping names a column the file does not have.")
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError("Each column can be imported as one field only.")
    if not CONTACT_FIELDS & mapping.keys():
        raise ValidationError("Choose a column for the name, the email or the phone number: leads need one of them.")


def lead_import_start(*, lead_import: LeadImport, mapping: dict[str, int]) -> LeadImport:
    """Save the confirmed mapping and enqueue the import once this transaction commits."""
    from crm.leads.tasks import import_leads

    check_mapping(mapping, columns=len(lead_import_preview(lead_import).headers))
    with transaction.atomic():
        locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
        if locked.status != ImportStatus.PENDING or locked.mapping:
            raise ValidationError("This import has already started.")
        locked.mapping = mapping
        locked.save(update_fields=["mapping"])
        import_leads.delay_on_commit(team_id=str(locked.team_id), import_id=str(locked.pk))
    return locked


# --- Running -----------------------------------------------------------------------------------


class RowReader:
    """Turns one CSV row into lead data through the mapping, or a ValidationError per field."""

    def __init__(
        self,
        *,
        headers: list[str],
        mapping: dict[str, int],
        properties: list[Property],
        default_property: Property | None,
        default_source: str,
    ) -> None:
        self.headers = headers
        self.mapping = mapping
        self.properties = {prop.name.casefold(): prop for prop in properties}
        self.default_property = default_property
        self.default_source = default_source

    def values(self, row: Row) -> list[list[str]]:
        """The mapped cells with their headers, for the report."""
        return [[self.headers[index], row.cell(index)] for index in sorted(self.mapping.values())]

    def lead_data(self, row: Row) -> dict[str, Any]:
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for field, index in self.mapping.items():
            raw = row.cell(index)
            if not raw:
                continue
            try:
                self._read(field, raw, data)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
        first, last = data.pop("full_name", ("", ""))
        data.setdefault("first_name", first)
        data.setdefault("last_name", last)
        unknown_source = data.pop("unknown_source", "")
        if unknown_source and not data.get("source_detail"):
            data["source_detail"] = unknown_source[: _max_length("source_detail")]
        data.setdefault("source", self.default_source)
        data.setdefault("property", self.default_property)
        if not any(data.get(name) for name in ("first_name", "last_name", "email", "phone")) and not (
            errors.keys() & CONTACT_FIELDS
        ):
            errors["__all__"] = ["A lead needs a name, an email or a phone number."]
        try:
            data = normalize(data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return data

    def _read(self, field: str, raw: str, data: dict[str, Any]) -> None:
        if field in ("first_name", "last_name", "pets", "source_detail", "notes"):
            data[field] = _text(field, raw)
        elif field == "full_name":
            first, last = split_full_name(raw)
            data["full_name"] = (_text("first_name", first), _text("last_name", last))
        elif field == "email":
            data["email"] = _text("email", parse_email(raw))
        elif field == "phone":
            data["phone"] = raw  # normalize() checks it and writes E.164
        elif field == "source":
            data["source"], data["unknown_source"] = parse_source(raw)
        elif field == "property":
            prop = self.properties.get(raw.casefold())
            if prop is None:
                raise ValidationError(f"No property is named “{raw}”.")
            data["property"] = prop
        elif field == "desired_beds":
            data["desired_beds"] = parse_beds(raw)
        elif field in ("budget_min", "budget_max"):
            data[field] = parse_money(raw)
        elif field == "move_in_date":
            data["move_in_date"] = parse_date(raw)


def _max_length(field: str) -> int | None:
    return getattr(Lead._meta.get_field(field), "max_length", None)


def _text(field: str, value: str) -> str:
    limit = _max_length(field)
    if limit is not None and len(value) > limit:
        raise ValidationError(f"Longer than {limit} characters.")
    return value


def lead_import_run(*, team: Team, import_id: str, time_budget: float = SLICE_SECONDS) -> LeadImport | None:
    """Import rows until the file or the time budget ends; ``RUNNING`` afterwards means "continue".

    Running a finished (or not yet mapped) import does nothing. An unexpected error stops the
    import and marks it failed; the chunks before it stay imported.
    """
    lead_import = LeadImport.objects.select_related("created_by", "default_property").filter(pk=import_id).first()
    if lead_import is None or lead_import.status in FINISHED or not lead_import.mapping:
        return lead_import
    try:
        parsed = parse_csv(lead_import.content)
        reader = RowReader(
            headers=parsed.headers,
            mapping=lead_import.mapping,
            properties=list(Property.objects.all()),
            default_property=lead_import.default_property,
            default_source=lead_import.default_source,
        )
        deadline = time.monotonic() + time_budget
        while _run_chunk(team, lead_import, parsed.rows, reader) == ImportStatus.RUNNING:
            if time.monotonic() >= deadline:
                break
    except Exception as exc:
        logger.exception("lead import failed", extra={"import_id": import_id, "team_id": str(team.id)})
        _mark_failed(import_id, exc)
    return LeadImport.objects.defer("content").get(pk=import_id)


@transaction.atomic
def _run_chunk(team: Team, lead_import: LeadImport, rows: list[Row], reader: RowReader) -> str:
    # The row lock makes a second worker on the same import (a redelivered message) wait, then
    # carry on from the progress this chunk commits, instead of importing the same rows again.
    progress = LeadImport.objects.select_for_update().defer("content").get(pk=lead_import.pk)
    if progress.status in FINISHED:
        return progress.status
    start = progress.processed_rows
    for row in rows[start : start + CHUNK_ROWS]:
        _import_row(team, lead_import, progress, row, reader)
    progress.processed_rows = min(start + CHUNK_ROWS, len(rows))
    progress.total_rows = len(rows)
    progress.status = ImportStatus.RUNNING
    if progress.processed_rows >= len(rows):
        progress.status = ImportStatus.DONE
        progress.finished_at = timezone.now()
    progress.save(update_fields=PROGRESS_FIELDS)
    return progress.status


def _import_row(team: Team, lead_import: LeadImport, progress: LeadImport, row: Row, reader: RowReader) -> None:
    try:
        with transaction.atomic():
            data = reader.lead_data(row)
            _, created = lead_create(
                team=team, data=data, actor=lead_import.created_by, via=f"import {lead_import.filename}"
            )
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        _report(progress, row, reader, messages)
    except (DataError, IntegrityError):
        logger.exception("lead import row refused by the database", extra={"import_id": str(lead_import.pk)})
        _report(progress, row, reader, {"__all__": ["This row could not be saved."]})
    else:
        if created:
            progress.created_count += 1
        else:
            progress.duplicate_count += 1


def _report(progress: LeadImport, row: Row, reader: RowReader, errors: dict[str, list[str]]) -> None:
    progress.error_count += 1
    if len(progress.errors) < MAX_REPORTED_ERRORS:
        progress.errors.append({"row": row.number, "values": reader.values(row), "errors": errors})


def _mark_failed(import_id: str, exc: Exception) -> None:
    with transaction.atomic():
        failed = LeadImport.objects.select_for_update().defer("content").filter(pk=import_id).first()
        if failed is None or failed.status in FINISHED:
            return
        failed.status = ImportStatus.FAILED
        failed.finished_at = timezone.now()
        message = f"The import stopped after {failed.processed_rows} rows ({type(exc).__name__})."
        failed.errors = [{"row": None, "values": [], "errors": {"__all__": [message]}}, *failed.errors]
        failed.save(update_fields=["status", "finished_at", "errors"])


def import_report(lead_import: LeadImport) -> list[dict[str, Any]]:
    """The rows that were not imported, with each error under its field's label."""
    return [
        {
            "row": entry.get("row"),
            "values": entry.get("values", []),
            "errors": [(REPORT_LABELS.get(field, field), messages) for field, messages in entry["errors"].items()],
        }
        for entry in lead_import.errors
        if entry.get("row") is not None
    ]


def import_failure(lead_import: LeadImport) -> str:
    """Why a failed import stopped."""
    for entry in lead_import.errors:
        if entry.get("row") is None:
            return " ".join(entry["errors"].get("__all__", []))
    return ""


# --- Export ------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _datetime(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else ""


def _phone(value: str) -> str:
    """US numbers as people write them; others in international form."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return value
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.NATIONAL if number.country_code == 1 else style.INTERNATIONAL)


EXPORT_COLUMNS: list[tuple[str, Callable[[Lead], Any]]] = [
    ("ID", lambda lead: lead.pk),
    ("First name", lambda lead: lead.first_name),
    ("Last name", lambda lead: lead.last_name),
    ("Email", lambda lead: lead.email),
    ("Phone", lambda lead: _phone(lead.phone)),
    ("Stage", lambda lead: lead.get_stage_display()),
    ("Lost reason", lambda lead: lead.get_lost_reason_display() if lead.lost_reason else ""),
    ("Source", lambda lead: lead.get_source_display()),
    ("Source detail", lambda lead: lead.source_detail),
    ("Property", lambda lead: lead.property.name if lead.property else ""),
    ("Assigned to", lambda lead: lead.assigned_to.display_name if lead.assigned_to else ""),
    ("Bedrooms", lambda lead: lead.desired_beds),
    ("Budget min", lambda lead: lead.budget_min),
    ("Budget max", lambda lead: lead.budget_max),
    ("Move-in date", lambda lead: lead.move_in_date.isoformat() if lead.move_in_date else ""),
    ("Pets", lambda lead: lead.pets),
    ("Notes", lambda lead: lead.notes),
    ("Score", lambda lead: lead.score),
    ("Next follow-up", lambda lead: _datetime(lead.next_follow_up_at)),
    ("Created", lambda lead: _datetime(lead.created_at)),
    ("Last activity", lambda lead: _datetime(lead.last_activity_at)),
]


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def leads_export_rows(leads: QuerySet[Lead]) -> Iterator[list[str]]:
    """The header, then one row per lead, read from the database in chunks."""
    yield [title for title, _ in EXPORT_COLUMNS]
    queryset = leads.select_related("property", "assigned_to").order_by("created_at", "id")
    for lead in queryset.iterator(chunk_size=2000):
        yield [csv_safe(value(lead)) for _, value in EXPORT_COLUMNS]
