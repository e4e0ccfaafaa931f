"""Adding a lead by hand, with duplicate detection.

The same normalised phone or email in the team offers the existing lead instead. The person can
open it, or add the new lead anyway as a separate record (and merge the two later). The form is
its own page, and is loaded into a ``<dialog>`` from other pages by ``leads/_add_lead_dialog.html``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from crm.leads.forms import LeadAddForm, add_service_errors, team_properties
from crm.leads.models import Lead
from crm.leads.permissions import CAN_WORK
from crm.leads.services.leads import find_duplicate, lead_assign, lead_create, normalize
from crm.teams.access import team_required
from crm.teams.types import TeamRequest

TEMPLATE = "leads/add.html"


def _initial(request: TeamRequest) -> dict[str, Any]:
    """Pre-fill the property: the one the calling page was filtered to, or the team's only one."""
    properties = list(team_properties().values_list("pk", flat=True)[:2])
    wanted = request.GET.get("property", "")
    chosen = next((pk for pk in properties if str(pk) == wanted), None)
    if chosen is None and len(properties) == 1:
        chosen = properties[0]
    return {"property": chosen} if chosen else {}


def _confirmed(request: TeamRequest) -> UUID | None:
    """The existing lead the person saw and chose "add anyway" for (the button's value)."""
    try:
        return UUID(request.POST.get("confirm_duplicate", ""))
    except ValueError:
        return None


def _render(request: TeamRequest, form: LeadAddForm, status: int = 200, **extra: Any) -> HttpResponse:
    in_dialog = bool(request.htmx)
    template = f"{TEMPLATE}#add-form" if in_dialog else TEMPLATE
    return render(request, template, {"form": form, "in_dialog": in_dialog, **extra}, status=status)


@require_http_methods(["GET", "POST"])
@team_required(role=CAN_WORK)
def add(request: TeamRequest) -> HttpResponse:
    if request.method == "GET":
        return _render(request, LeadAddForm(team=request.team, initial=_initial(request)))

    form = LeadAddForm(request.POST, team=request.team)
    if not form.is_valid():
        return _render(request, form, status=422)
    data = dict(form.cleaned_data)
    assignee = data.pop("assigned_to")
    try:
        contact = normalize({"email": data["email"], "phone": data["phone"]})
        duplicate = find_duplicate(email=contact["email"], phone=contact["phone"])
        if duplicate is not None and _confirmed(request) != duplicate.pk:
            return _render(request, form, status=422, duplicate=duplicate, why=_why(duplicate, contact))
        with transaction.atomic():
            lead, created = lead_create(
                team=request.team,
                data=data,
                actor=request.user,
                assign=assignee is None,
                allow_duplicate=duplicate is not None,
            )
            if assignee is not None:
                lead_assign(lead=lead, user=assignee, actor=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render(request, form, status=422)

    if created:
        messages.success(request, f"Added {lead.full_name}.")
    else:  # someone else added the same person a moment ago: the details went onto that lead
        messages.success(request, f"{lead.full_name} was already a lead; the new details were added to it.")
    if not request.htmx:
        return redirect("leads:detail", lead_id=lead.pk)
    response = render(request, f"{TEMPLATE}#added", {"lead": lead, "created": created})
    return trigger_client_event(response, "lead-created", {"id": str(lead.pk), "stage": lead.stage})


def _why(duplicate: Lead, contact: dict[str, str]) -> str:
    if contact["email"] and duplicate.email == contact["email"]:
        return "this email"
    return "this phone number"


@require_GET
@team_required(role=CAN_WORK)
def duplicates(request: TeamRequest) -> HttpResponse:
    """The live hint under the add form: who already has the email or phone being typed."""
    email = request.GET.get("email", "")[:254]
    phone = request.GET.get("phone", "")[:40]
    try:
        contact = normalize({"email": email, "phone": phone})
    except ValidationError:  # a half-typed phone number: check the email alone
        contact = normalize({"email": email, "phone": ""})
    matches: list[tuple[Lead, str]] = []
    if contact["email"] and (by_email := find_duplicate(email=contact["email"])) is not None:
        matches.append((by_email, "this email"))
    if contact["phone"] and (by_phone := find_duplicate(phone=contact["phone"])) is not None:
        if not matches or matches[0][0].pk != by_phone.pk:
            matches.append((by_phone, "this phone number"))
        else:
            matches[0] = (by_phone, "this email and phone number")
    return render(request, f"{TEMPLATE}#duplicate-hint", {"matches": matches})
