"""What the guest-card views share: the page's panels, its time zone, and htmx refresh events.

The detail page is a set of panels (``PANELS``), each a partial of ``leads/detail.html`` that
refreshes itself when the server fires ``lead-<panel>-changed``. A write answers with the panel
it changed and names the others that need a refresh, so one action never reloads the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import trigger_client_event

from crm.leads.forms import AssignForm, LeadForm, NoteForm, StageForm, TaskForm
from crm.leads.models import Lead, LeadActivity, LeadMerge, Task, Tour, TourStatus
from crm.leads.permissions import CAN_MANAGE, CAN_WORK
from crm.teams.access import get_team_object
from crm.teams.types import TeamRequest

PANELS = ("summary", "card", "timeline", "tasks", "tours", "duplicates", "score")
TIMELINE_STEP = 25
TIMELINE_MAX = 1000
RECENTLY_DONE = 5


def lead_tz(lead: Lead | None) -> tzinfo:
    """Where the lead's times are shown and entered: its property's zone, else the server's."""
    if lead is not None and lead.property is not None:
        return lead.property.tz
    return timezone.get_default_timezone()


def with_local_tz(tasks: list[Task]) -> list[Task]:
    """Give each task the zone its due time is shown in (``leads/_task.html`` reads it)."""
    for task in tasks:
        task.local_tz = lead_tz(task.lead)  # type: ignore[attr-defined]
    return tasks


def active_lead(lead_id: object) -> Lead:
    """A lead that can be written to: the team's, and not folded into another by a merge (else 404)."""
    return get_team_object(Lead, pk=lead_id, merged_into__isnull=True)


def parse_shown(raw: str | None) -> int:
    try:
        shown = int(raw or TIMELINE_STEP)
    except ValueError:
        shown = TIMELINE_STEP
    return min(max(shown, TIMELINE_STEP), TIMELINE_MAX)


@dataclass
class Duplicate:
    lead: Lead
    reasons: list[str]


@dataclass
class LeadPage:
    """Everything the detail page shows, computed only when a (partial) template asks for it."""

    lead: Lead
    request: TeamRequest
    shown: int = TIMELINE_STEP
    merge_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def can_work(self) -> bool:
        return self.request.membership.has_role(CAN_WORK)

    @cached_property
    def can_manage(self) -> bool:
        return self.request.membership.has_role(CAN_MANAGE)

    @cached_property
    def tz(self) -> tzinfo:
        return lead_tz(self.lead)

    @cached_property
    def tz_name(self) -> str:
        return str(self.tz)

    @cached_property
    def _timeline(self) -> list[LeadActivity]:
        return list(self.lead.activities.select_related("actor")[: self.shown + 1])

    @property
    def activities(self) -> list[LeadActivity]:
        return self._timeline[: self.shown]

    @property
    def has_more(self) -> bool:
        return len(self._timeline) > self.shown and self.shown < TIMELINE_MAX

    @property
    def next_shown(self) -> int:
        return min(self.shown + TIMELINE_STEP * 2, TIMELINE_MAX)

    @cached_property
    def open_tasks(self) -> list[Task]:
        tasks = self.lead.tasks.filter(completed_at__isnull=True).select_related("assigned_to").order_by("due_at")
        return self._localise(list(tasks))

    @cached_property
    def done_tasks(self) -> list[Task]:
        tasks = self.lead.tasks.filter(completed_at__isnull=False).select_related("assigned_to")
        return self._localise(list(tasks.order_by("-completed_at")[:RECENTLY_DONE]))

    def _localise(self, tasks: list[Task]) -> list[Task]:
        for task in tasks:
            task.local_tz = self.tz  # type: ignore[attr-defined]
        return tasks

    @cached_property
    def tours(self) -> list[Tour]:
        tours = list(self.lead.tours.select_related("property", "agent"))
        # Upcoming scheduled tours first (soonest first), then the rest, latest first.
        scheduled = [t for t in tours if t.status == TourStatus.SCHEDULED]
        others = sorted((t for t in tours if t.status != TourStatus.SCHEDULED), key=lambda t: t.starts_at, reverse=True)
        return scheduled + others

    @cached_property
    def duplicates(self) -> list[Duplicate]:
        return possible_duplicates(self.lead)

    @cached_property
    def merges(self) -> list[LeadMerge]:
        return list(self.lead.merges.filter(undone_at__isnull=True).select_related("duplicate", "merged_by"))

    @cached_property
    def score_factors(self) -> list[dict[str, Any]]:
        return score_factors(self.lead.score_factors)


def possible_duplicates(lead: Lead, limit: int = 5) -> list[Duplicate]:
    """Other active leads with this lead's email, phone, or first and last name."""
    match = Q()
    if lead.email:
        match |= Q(email__iexact=lead.email)
    if lead.phone:
        match |= Q(phone=lead.phone)
    if lead.first_name and lead.last_name:
        match |= Q(first_name__iexact=lead.first_name, last_name__iexact=lead.last_name)
    if not match:
        return []
    found = Lead.objects.active().exclude(pk=lead.pk).filter(match).select_related("property").order_by("created_at")
    duplicates = []
    for other in found[:limit]:
        reasons = []
        if lead.email and other.email.lower() == lead.email.lower():
            reasons.append("same email")
        if lead.phone and other.phone == lead.phone:
            reasons.append("same phone")
        if lead.first_name and other.full_name.lower() == lead.full_name.lower():
            reasons.append("same name")
        duplicates.append(Duplicate(lead=other, reasons=reasons))
    return duplicates


def score_factors(raw: Any) -> list[dict[str, Any]]:
    """The scoring service's factors as ``{label, detail, points, weight}``, whatever shape each one was stored in."""
    factors = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and "contribution" in item:  # crm.leads.scoring.Factor
            label = item.get("label") or item.get("name") or ""
            detail, weight = str(item.get("detail", "")), item.get("weight")
            factors.append({"label": str(label), "detail": detail, "points": item["contribution"], "weight": weight})
        elif isinstance(item, dict):
            label = item.get("label") or item.get("name") or item.get("factor") or item.get("reason") or ""
            points = next((item[key] for key in ("points", "weight", "impact", "value") if key in item), None)
            factors.append({"label": str(label), "detail": "", "points": points, "weight": None})
        elif item not in (None, ""):
            factors.append({"label": str(item), "detail": "", "points": None, "weight": None})
    return factors


def lead_context(page: LeadPage, **forms: Any) -> dict[str, Any]:
    request, lead = page.request, page.lead
    return {
        "lead": lead,
        "lead_url": reverse("leads:detail", kwargs={"lead_id": lead.pk}),
        "page": page,
        "card_form": forms.get("card_form") or LeadForm(lead=lead),
        "stage_form": forms.get("stage_form")
        or StageForm(initial={"stage": lead.stage, "lost_reason": lead.lost_reason}),
        "assign_form": forms.get("assign_form")
        or AssignForm(team=request.team, initial={"assigned_to": lead.assigned_to_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "task_form": forms.get("task_form") or TaskForm(team=request.team, initial=task_initial(page)),
        **page.extra,
    }


def task_initial(page: LeadPage) -> dict[str, Any]:
    # Tomorrow at 10:00 where the lead is, as a wall-clock value the datetime-local input shows.
    tomorrow = timezone.localtime(timezone.now(), page.tz).date() + timedelta(days=1)
    return {"due_at": datetime.combine(tomorrow, time(10))}


def render_lead(request: TeamRequest, template: str, page: LeadPage, status: int = 200, **forms: Any) -> HttpResponse:
    """Render the page or one of its panels with times in the lead's zone."""
    with timezone.override(page.tz):
        return render(request, template, lead_context(page, **forms), status=status)


def refresh(response: HttpResponse, *panels: str) -> HttpResponse:
    """Ask the page to reload these panels (each listens for ``lead-<panel>-changed``)."""
    for panel in panels:
        trigger_client_event(response, f"lead-{panel}-changed")
    return response
