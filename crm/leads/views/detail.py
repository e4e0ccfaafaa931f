"""The guest card: one lead's details, stage, assignee, timeline, duplicates and merges.

Tours (``views/tours.py``) and adding a lead (``views/add.py``) are screens of their own whose
routes are listed here too; tasks have their own module (``views/tasks.py``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from crm.leads.forms import AssignForm, LeadForm, MergeForm, NoteForm, StageForm, add_service_errors
from crm.leads.models import Lead, LeadMerge, Stage
from crm.leads.permissions import CAN_MANAGE, CAN_VIEW, CAN_WORK
from crm.leads.services.leads import lead_add_note, lead_assign, lead_delete, lead_move_stage, lead_update
from crm.leads.services.merges import lead_merge, lead_merge_undo
from crm.leads.views import add, tours
from crm.leads.views.lead_page import PANELS, LeadPage, active_lead, parse_shown, refresh, render_lead
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest


def _to_lead(lead: Lead, anchor: str = "") -> HttpResponse:
    return redirect(reverse("leads:detail", kwargs={"lead_id": lead.pk}) + (f"#{anchor}" if anchor else ""))


def _saved(request: TeamRequest, lead: Lead, panel: str, *others: str) -> HttpResponse:
    """After a write: the changed panel (htmx) plus refresh events, or back to the page."""
    if not request.htmx:
        return _to_lead(lead, f"lead-{panel}")
    return refresh(render_lead(request, f"leads/detail.html#{panel}", LeadPage(lead, request)), *others)


def _invalid(request: TeamRequest, lead: Lead, panel: str, **forms: object) -> HttpResponse:
    """The panel (htmx) or the whole page with the submitted form and its errors, as 422."""
    template = f"leads/detail.html#{panel}" if request.htmx else "leads/detail.html"
    return render_lead(request, template, LeadPage(lead, request), status=422, **forms)


@require_GET
@team_required(role=CAN_VIEW)
def detail(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = get_team_object(Lead, pk=lead_id)
    primary = lead.merged_into
    if primary is not None:
        messages.info(request, f"{lead.full_name} was merged into {primary.full_name}.")
        return _to_lead(primary)
    page = LeadPage(lead, request, shown=parse_shown(request.GET.get("shown")))
    panel = request.GET.get("panel", "")
    if request.htmx and panel in PANELS:
        return render_lead(request, f"leads/detail.html#{panel}", page)
    return render_lead(request, "leads/detail.html", page)


@require_POST
@team_required(role=CAN_WORK)
def update(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    form = LeadForm(request.POST, lead=lead)
    if form.is_valid():
        try:
            lead_update(lead=lead, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the guest card of {lead.full_name}.")
            return _saved(request, lead, "card", "summary", "timeline", "duplicates")
    lead.refresh_from_db()
    return _invalid(request, lead, "card", card_form=form)


@require_POST
@team_required(role=CAN_WORK)
def stage(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            lead_move_stage(
                lead=lead,
                stage=form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = Stage(lead.stage).label
            if lead.stage == Stage.LOST:
                label += f" ({lead.get_lost_reason_display()})"
            messages.success(request, f"{lead.full_name} is now {label}.")
            return _saved(request, lead, "summary", "timeline")
    return _invalid(request, lead, "summary", stage_form=form)


@require_POST
@team_required(role=CAN_WORK)
def assign(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    form = AssignForm(request.POST, team=request.team)
    if form.is_valid():
        user = form.cleaned_data["assigned_to"]
        try:
            lead_assign(lead=lead, user=user, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            who = user.display_name if user else "nobody"
            messages.success(request, f"{lead.full_name} is assigned to {who}.")
            return _saved(request, lead, "summary", "timeline")
    return _invalid(request, lead, "summary", assign_form=form)


@require_POST
@team_required(role=CAN_WORK)
def note(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            lead_add_note(lead=lead, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Note added.")
            return _saved(request, lead, "note-form", "timeline")
    return _invalid(request, lead, "note-form", note_form=form)


@require_POST
@team_required(role=CAN_MANAGE)
def delete(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = get_team_object(Lead, pk=lead_id)
    name = lead.full_name
    lead_delete(lead=lead, actor=request.user)
    messages.success(request, f"Deleted {name}.")
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("leads:index")})
    return redirect("leads:index")


@require_POST
@team_required(role=CAN_MANAGE)
def merge(request: TeamRequest, lead_id: str) -> HttpResponse:
    primary = active_lead(lead_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _merge_problem(request, primary, "Choose which lead to merge into this one.")
    duplicate = get_team_object(Lead, pk=form.cleaned_data["duplicate"])
    try:
        lead_merge(primary=primary, duplicate=duplicate, actor=request.user)
    except ValidationError as exc:
        return _merge_problem(request, primary, " ".join(exc.messages))
    messages.success(request, f"Merged {duplicate.full_name} into {primary.full_name}. You can undo this below.")
    return _to_lead(primary, "lead-duplicates")


@require_POST
@team_required(role=CAN_MANAGE)
def merge_undo(request: TeamRequest, merge_id: str) -> HttpResponse:
    merge = get_team_object(LeadMerge, pk=merge_id)
    primary = merge.primary
    try:
        duplicate = lead_merge_undo(merge=merge, actor=request.user)
    except ValidationError as exc:
        return _merge_problem(request, primary, " ".join(exc.messages))
    messages.success(request, f"Split {duplicate.full_name} back out of {primary.full_name}.")
    return _to_lead(primary, "lead-duplicates")


def _merge_problem(request: TeamRequest, lead: Lead, message: str) -> HttpResponse:
    page = LeadPage(lead, request, merge_error=message)
    return render_lead(request, "leads/detail.html", page, status=422)


urlpatterns = [
    path("new/", add.add, name="add"),
    path("duplicates/", add.duplicates, name="duplicates"),
    path("<uuid:lead_id>/", detail, name="detail"),
    path("<uuid:lead_id>/edit/", update, name="update"),
    path("<uuid:lead_id>/stage/", stage, name="stage"),
    path("<uuid:lead_id>/assign/", assign, name="assign"),
    path("<uuid:lead_id>/notes/", note, name="note"),
    path("<uuid:lead_id>/delete/", delete, name="delete"),
    path("<uuid:lead_id>/merge/", merge, name="merge"),
    path("merges/<uuid:merge_id>/undo/", merge_undo, name="merge-undo"),
    path("<uuid:lead_id>/tours/new/", tours.tour_add, name="tour-add"),
    path("tours/<uuid:tour_id>/status/", tours.tour_status, name="tour-status"),
]
