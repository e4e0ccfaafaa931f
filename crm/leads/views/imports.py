"""CSV in and out, and bulk changes: import (upload → map → progress and report), export of the
board's current filter, and bulk assign / stage change for the leads ticked on the board.

All of it needs CAN_MANAGE. The work itself lives in ``crm.leads.services.imports``.
"""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from crm.leads.forms import add_service_errors, team_properties, working_members
from crm.leads.models import ImportStatus, LeadImport, LostReason, Source, Stage
from crm.leads.permissions import CAN_MANAGE
from crm.leads.selectors import LeadFilters, filter_leads, leads_for_team
from crm.leads.services.import_parsing import IMPORT_FIELDS, MAX_ROWS, MAX_UPLOAD_BYTES, guess_mapping
from crm.leads.services.imports import (
    import_failure,
    import_report,
    lead_import_create,
    lead_import_preview,
    lead_import_start,
    leads_export_rows,
)
from crm.leads.services.leads import leads_bulk_assign, leads_bulk_move
from crm.properties.models import Property
from crm.teams.access import get_team_object, team_required
from crm.teams.scoping import team_scope
from crm.teams.types import TeamRequest

MAX_BULK = 1000
UNASSIGN = "none"

# --- Forms ---------------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"Up to {MAX_UPLOAD_BYTES // 2**20} MB and {MAX_ROWS:,} rows. The first row names the columns.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
    default_property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Property",
        empty_label="None",
        help_text="For rows that do not name a property.",
    )
    default_source = forms.ChoiceField(
        choices=Source.choices, initial=Source.OTHER, label="Source", help_text="For rows that do not name a source."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_property"].queryset = team_properties()  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
        return upload


class ImportMappingForm(forms.Form):
    """One select per CSV column: which lead field the column becomes, if any."""

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_column = {index: field for field, index in mapping.items()}
        choices = [("", "Don't import"), *IMPORT_FIELDS.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=by_column.get(index, "")
            )
        self.mapping: dict[str, int] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        columns: dict[str, list[str]] = {}
        for name, field in cleaned.items():
            if field:
                columns.setdefault(field, []).append(name)
        for field, names in columns.items():
            if len(names) > 1:
                for name in names:
                    self.add_error(name, f"{IMPORT_FIELDS[field]} is chosen for {len(names)} columns; choose one.")
        self.mapping = {field: int(names[0].removeprefix("column_")) for field, names in columns.items()}
        return cleaned


class LeadIdsField(forms.Field):
    """The ticked leads' ids. Malformed ids are dropped like ids that match no lead."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[UUID]:
        ids = []
        for raw in value or []:
            try:
                ids.append(UUID(str(raw)))
            except ValueError:
                continue
        return list(dict.fromkeys(ids))

    def validate(self, value: list[UUID]) -> None:
        if not value:
            raise ValidationError("Select at least one lead.")
        if len(value) > MAX_BULK:
            raise ValidationError(f"Select at most {MAX_BULK} leads at a time.")


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("assign", "Assign"), ("stage", "Move")])
    lead = LeadIdsField()
    assigned_to = forms.ChoiceField(label="Assign selected to", required=False)
    stage = forms.ChoiceField(
        label="Move selected to", required=False, choices=[("", "Choose a stage"), *Stage.choices]
    )
    lost_reason = forms.ChoiceField(label="Reason, if lost", required=False, choices=[("", "—"), *LostReason.choices])

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in working_members(team)}
        people = [(pk, user.display_name) for pk, user in self.members.items()]
        self.fields["assigned_to"].choices = [("", "Choose a person"), (UNASSIGN, "Nobody (unassign)"), *people]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "assign" and not cleaned.get("assigned_to"):
            self.add_error("assigned_to", "Choose who gets the selected leads.")
        if cleaned.get("action") == "stage" and not cleaned.get("stage"):
            self.add_error("stage", "Choose a stage.")
        return cleaned


def bulk_bar_context(request: TeamRequest) -> dict[str, Any]:
    """What ``leads/_bulk_bar.html`` needs; empty (so the bar renders nothing) for non-managers."""
    if not request.membership.has_role(CAN_MANAGE):
        return {}
    return {"bulk_form": BulkActionForm(team=request.team), "bulk_next": request.get_full_path()}


# --- Import --------------------------------------------------------------------------------------


def _team_import(import_id: UUID) -> LeadImport:
    # Like get_team_object, without loading the file itself: the progress page is polled every second.
    lead_import = LeadImport.objects.defer("content").select_related("created_by").filter(pk=import_id).first()
    if lead_import is None:
        raise Http404("No import found.")
    return lead_import


def _go(request: TeamRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@team_required(role=CAN_MANAGE)
def import_list(request: TeamRequest) -> HttpResponse:
    imports = LeadImport.objects.defer("content", "errors").select_related("created_by")[:100]
    return render(request, "leads/import_list.html", {"imports": imports})


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def import_upload(request: TeamRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lead_import = lead_import_create(
                team=request.team,
                filename=upload.name,
                raw=upload.read(),
                default_property=form.cleaned_data["default_property"],
                default_source=form.cleaned_data["default_source"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return _go(request, reverse("leads:import-map", kwargs={"import_id": lead_import.pk}))
    template = "leads/import_upload.html#upload-form" if request.htmx else "leads/import_upload.html"
    return render(request, template, {"form": form}, status=422 if posted else 200)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_MANAGE)
def import_map(request: TeamRequest, import_id: UUID) -> HttpResponse:
    lead_import = get_team_object(LeadImport, pk=import_id)
    detail_url = reverse("leads:import-detail", kwargs={"import_id": lead_import.pk})
    if lead_import.mapping or lead_import.status != ImportStatus.PENDING:
        return _go(request, detail_url)
    preview = lead_import_preview(lead_import)
    posted = request.method == "POST"
    form = ImportMappingForm(
        request.POST if posted else None, headers=preview.headers, mapping=guess_mapping(preview.headers)
    )
    if posted and form.is_valid():
        try:
            lead_import_start(lead_import=lead_import, mapping=form.mapping)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _go(request, detail_url)
    columns = [
        (form[f"column_{index}"], [row.cell(index) for row in preview.rows[:3]])
        for index in range(len(preview.headers))
    ]
    preview_rows = [(row.number, [row.cell(index) for index in range(len(preview.headers))]) for row in preview.rows]
    context = {
        "lead_import": lead_import,
        "form": form,
        "columns": columns,
        "preview": preview,
        "preview_rows": preview_rows,
    }
    template = "leads/import_map.html#mapping-form" if request.htmx else "leads/import_map.html"
    return render(request, template, context, status=422 if posted else 200)


@require_GET
@team_required(role=CAN_MANAGE)
def import_detail(request: TeamRequest, import_id: UUID) -> HttpResponse:
    lead_import = _team_import(import_id)
    if lead_import.status == ImportStatus.PENDING and not lead_import.mapping:
        return redirect("leads:import-map", import_id=lead_import.pk)
    running = lead_import.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    context = {
        "lead_import": lead_import,
        "running": running,
        "imported": lead_import.created_count + lead_import.duplicate_count,
        "report": [] if running else import_report(lead_import),
        "failure": import_failure(lead_import) if lead_import.status == ImportStatus.FAILED else "",
    }
    template = "leads/import_detail.html#import-status" if request.htmx else "leads/import_detail.html"
    return render(request, template, context)


# --- Export and bulk -----------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` hands the line back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


@require_GET
@team_required(role=CAN_MANAGE)
def export(request: TeamRequest) -> StreamingHttpResponse:
    team = request.team
    leads = filter_leads(leads_for_team(), LeadFilters.from_query(request.GET), user_id=request.user.pk)

    def lines() -> Any:
        # The body is written after the middleware has left the team's scope: enter it again.
        with team_scope(team):
            writer = csv.writer(_Echo())
            yield "\ufeff"  # a BOM, so Excel reads the file as UTF-8
            for row in leads_export_rows(leads):
                yield writer.writerow(row)

    filename = f"leads-{team.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _safe_next(request: TeamRequest) -> str:
    for candidate in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("leads:index")


def _plural(count: int) -> str:
    return f"{count} lead{'s' if count != 1 else ''}"


@require_POST
@team_required(role=CAN_MANAGE)
def bulk(request: TeamRequest) -> HttpResponse:
    """Assign, or move to a stage, the ticked leads of this team; other ids are simply not found."""
    next_url = _safe_next(request)
    form = BulkActionForm(request.POST, team=request.team)
    if form.is_valid():
        data = form.cleaned_data
        leads = list(leads_for_team().filter(pk__in=data["lead"]))
        try:
            if data["action"] == "assign":
                user = form.members.get(data["assigned_to"])
                changed = leads_bulk_assign(leads=leads, user=user, actor=request.user)
                whom = f"assigned to {user.display_name}" if user else "unassigned"
                done, already = whom, whom
            else:
                stage = Stage(data["stage"])
                lost_reason = data["lost_reason"] if stage == Stage.LOST else ""
                changed = leads_bulk_move(leads=leads, stage=stage, actor=request.user, lost_reason=lost_reason)
                done, already = f"moved to {stage.label}", f"in {stage.label}"
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            missing = len(data["lead"]) - len(leads)
            note = f" {_plural(missing)} could not be found." if missing else ""
            if changed:
                messages.success(request, f"{_plural(changed)} {done}.{note}")
            else:
                messages.info(request, f"Nothing changed: the selected leads were already {already}.{note}")
            if not request.htmx:
                return redirect(next_url)
            event = {"action": data["action"], "changed": changed, "leads": [str(lead.pk) for lead in leads]}
            return trigger_client_event(HttpResponse(status=204), "leadsChanged", event)
    if request.htmx:
        return render(request, "leads/_bulk_bar.html", {"bulk_form": form, "bulk_next": next_url}, status=422)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(next_url)


urlpatterns = [
    path("imports/", import_list, name="imports"),
    path("imports/new/", import_upload, name="import-upload"),
    path("imports/<uuid:import_id>/", import_detail, name="import-detail"),
    path("imports/<uuid:import_id>/map/", import_map, name="import-map"),
    path("export.csv", export, name="export"),
    path("bulk/", bulk, name="bulk"),
]
