"""Booking a tour for a lead, and recording how it went.

The form works in the property's own time zone: the agent types (or picks) the local wall-clock
time, and the free slots for the chosen day and agent are listed beside it. The service checks
office hours, holidays, buffers and double booking; its errors come back onto the form.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from crm.leads.forms import TourForm, TourStatusForm, add_service_errors, team_properties, working_members
from crm.leads.models import Lead, Tour, TourStatus
from crm.leads.permissions import CAN_WORK
from crm.leads.services.tours import available_slots, tour_schedule, tour_set_status
from crm.leads.views.lead_page import LeadPage, active_lead, refresh, render_lead
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

TEMPLATE = "leads/tour_form.html"
QUERY_FIELDS = ("property", "agent", "date", "time", "notes")


def _initial(request: TeamRequest, lead: Lead) -> dict[str, Any]:
    """Defaults (the lead's property and agent, today there), overridden by the query string.

    The query string is how a slot link or "Show free times" keeps working without JavaScript.
    """
    place = lead.property or team_properties().first()
    agents = working_members(request.team)
    agent = next(
        (user for user in (lead.assigned_to, request.user) if user and agents.filter(pk=user.pk).exists()), None
    )
    initial: dict[str, Any] = {
        "property": place,
        "agent": agent,
        "date": timezone.localtime(timezone.now(), place.tz).date() if place else timezone.localdate(),
    }
    initial.update({name: request.GET[name] for name in QUERY_FIELDS if request.GET.get(name)})
    return initial


def _slots_context(form: TourForm) -> dict[str, Any]:
    place, agent, day = form.chosen("property"), form.chosen("agent"), form.chosen("date")
    if not (place and agent and day):
        return {"slots": None, "slot_property": place}
    chosen_time = form.chosen("time")
    slots = [
        {"at": start, "value": f"{start:%H:%M}", "chosen": chosen_time is not None and start.time() == chosen_time}
        for start in (s.astimezone(place.tz) for s in available_slots(property=place, agent=agent, day=day))
    ]
    return {
        "slots": slots,
        "slot_property": place,
        "slot_agent": agent,
        "slot_day": day,
        "next_day": day + timedelta(days=1),
    }


def _render(request: TeamRequest, lead: Lead, form: TourForm, in_dialog: bool, status: int = 200) -> HttpResponse:
    context = {"lead": lead, "form": form, "in_dialog": in_dialog, **_slots_context(form)}
    if request.htmx and request.GET.get("panel") == "slots":
        template = f"{TEMPLATE}#slots"
    elif request.htmx:
        template = f"{TEMPLATE}#tour-form"
    else:
        template = TEMPLATE
    zone = context["slot_property"].tz if context["slot_property"] else timezone.get_default_timezone()
    with timezone.override(zone):
        return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_WORK)
def tour_add(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    in_dialog = bool(request.htmx) and bool(request.GET.get("dialog") or request.POST.get("dialog"))
    if request.method == "GET":
        form = TourForm(team=request.team, lead=lead, initial=_initial(request, lead))
        return _render(request, lead, form, in_dialog)

    if request.POST.get("show_slots"):  # "Show free times" without JavaScript: redisplay, book nothing
        shown = {name: request.POST[name] for name in QUERY_FIELDS if request.POST.get(name)}
        return _render(request, lead, TourForm(team=request.team, lead=lead, initial=shown), in_dialog)
    form = TourForm(request.POST, team=request.team, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            tour = tour_schedule(
                lead=lead,
                property=data["property"],
                agent=data["agent"],
                starts_at=form.starts_at(),
                actor=request.user,
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"starts_at": "time"})
        else:
            local = timezone.localtime(tour.starts_at, tour.property.tz)
            messages.success(
                request,
                f"Tour booked at {tour.property.name} for {local:%a %b %-d, %-I:%M %p} {local:%Z}"
                f" with {tour.agent.display_name}.",
            )
            if not in_dialog:
                return redirect(reverse("leads:detail", kwargs={"lead_id": lead.pk}) + "#lead-tours")
            response = trigger_client_event(HttpResponse(status=204), "dialog-close")
            return refresh(response, "tours", "tasks", "timeline", "summary")
    return _render(request, lead, form, in_dialog, status=422)


@require_POST
@team_required(role=CAN_WORK)
def tour_status(request: TeamRequest, tour_id: str) -> HttpResponse:
    tour = get_team_object(Tour, pk=tour_id)
    form = TourStatusForm(request.POST)
    page = LeadPage(tour.lead, request, extra={"tour": tour, "tour_status_form": form, "error_tour_id": tour.pk})
    if not form.is_valid():
        template = "leads/detail.html#tour-row" if request.htmx else "leads/detail.html"
        return render_lead(request, template, page, status=422)
    tour_set_status(tour=tour, status=form.cleaned_data["status"], actor=request.user)
    messages.success(request, f"Tour marked {TourStatus(tour.status).label.lower()}.")
    if not request.htmx:
        return redirect(reverse("leads:detail", kwargs={"lead_id": tour.lead_id}) + "#lead-tours")
    return refresh(render_lead(request, "leads/detail.html#tour-row", page), "tasks", "timeline", "summary")
