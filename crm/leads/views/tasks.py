"""Follow-up tasks: adding one on a guest card, ticking it off, and "my tasks".

"My tasks" groups the open tasks into Overdue, Today and Upcoming, each due time shown (and
"today" decided) in the zone of the lead's property, so nothing falls through the cracks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from crm.leads.forms import TaskForm, add_service_errors
from crm.leads.models import Task
from crm.leads.permissions import CAN_MANAGE, CAN_VIEW, CAN_WORK
from crm.leads.services.followups import task_complete, task_create, task_reopen
from crm.leads.views.lead_page import LeadPage, active_lead, lead_tz, refresh, render_lead, with_local_tz
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

MY_TASKS_LIMIT = 500


@require_POST
@team_required(role=CAN_WORK)
def task_add(request: TeamRequest, lead_id: str) -> HttpResponse:
    lead = active_lead(lead_id)
    form = TaskForm(request.POST, team=request.team)
    # The due time is typed as a wall-clock time where the lead's property is.
    with timezone.override(lead_tz(lead)):
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            task_create(
                lead=lead,
                title=data["title"],
                due_at=data["due_at"],
                kind=data["kind"],
                assigned_to=data["assigned_to"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Task added: {data['title']}.")
            if not request.htmx:
                return redirect(reverse("leads:detail", kwargs={"lead_id": lead.pk}) + "#lead-tasks")
            response = render_lead(request, "leads/detail.html#task-form", LeadPage(lead, request))
            return refresh(response, "tasks", "timeline", "summary")
    template = "leads/detail.html#task-form" if request.htmx else "leads/detail.html"
    return render_lead(request, template, LeadPage(lead, request), status=422, task_form=form)


def _after_task_change(request: TeamRequest, task: Task) -> HttpResponse:
    if not request.htmx:
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        if task.lead_id:
            return redirect(reverse("leads:detail", kwargs={"lead_id": task.lead_id}) + "#lead-tasks")
        return redirect("leads:my-tasks")
    context = {
        "task": with_local_tz([task])[0],
        "can_work": True,
        "show_lead": request.POST.get("show_lead") == "1",
        "show_assignee": request.POST.get("show_assignee") == "1",
        "next_url": request.POST.get("next", ""),
    }
    return refresh(render(request, "leads/_task.html", context), "timeline", "summary")


@require_POST
@team_required(role=CAN_WORK)
def task_done(request: TeamRequest, task_id: str) -> HttpResponse:
    task = get_team_object(Task, pk=task_id)
    task_complete(task=task, actor=request.user)
    messages.success(request, f"Done: {task.title}.")
    return _after_task_change(request, task)


@require_POST
@team_required(role=CAN_WORK)
def task_reopen_view(request: TeamRequest, task_id: str) -> HttpResponse:
    task = get_team_object(Task, pk=task_id)
    task_reopen(task=task, actor=request.user)
    messages.success(request, f"Reopened: {task.title}.")
    return _after_task_change(request, task)


@dataclass
class TaskGroup:
    key: str
    title: str
    empty: str
    tasks: list[Task] = field(default_factory=list)


def group_tasks(tasks: list[Task], now: datetime) -> list[TaskGroup]:
    """Overdue (past due), Today (due later today where the lead is) and Upcoming, each by due time."""
    overdue = TaskGroup("overdue", "Overdue", "Nothing overdue.")
    today = TaskGroup("today", "Today", "Nothing else due today.")
    upcoming = TaskGroup("upcoming", "Upcoming", "Nothing scheduled after today.")
    for task in with_local_tz(sorted(tasks, key=lambda t: t.due_at)):
        zone = task.local_tz  # type: ignore[attr-defined]
        if task.due_at < now:
            overdue.tasks.append(task)
        elif timezone.localtime(task.due_at, zone).date() == timezone.localtime(now, zone).date():
            today.tasks.append(task)
        else:
            upcoming.tasks.append(task)
    return [overdue, today, upcoming]


@require_GET
@team_required(role=CAN_VIEW)
def my_tasks(request: TeamRequest) -> HttpResponse:
    can_see_team = request.membership.has_role(CAN_MANAGE)
    team_view = request.GET.get("scope") == "team"
    if team_view and not can_see_team:
        raise PermissionDenied("Only managers and up can see the whole team's tasks.")
    tasks = Task.objects.filter(completed_at__isnull=True).select_related("lead__property", "assigned_to")
    if not team_view:
        tasks = tasks.filter(assigned_to=request.user)
    found = list(tasks.order_by("due_at")[: MY_TASKS_LIMIT + 1])
    context = {
        "groups": group_tasks(found[:MY_TASKS_LIMIT], timezone.now()),
        "total": min(len(found), MY_TASKS_LIMIT),
        "truncated": len(found) > MY_TASKS_LIMIT,
        "team_view": team_view,
        "can_see_team": can_see_team,
        "can_work": request.membership.has_role(CAN_WORK),
        "next_url": request.get_full_path(),
    }
    return render(request, "leads/tasks.html", context)


urlpatterns = [
    path("tasks/", my_tasks, name="my-tasks"),
    path("<uuid:lead_id>/tasks/new/", task_add, name="task-add"),
    path("tasks/<uuid:task_id>/done/", task_done, name="task-done"),
    path("tasks/<uuid:task_id>/reopen/", task_reopen_view, name="task-reopen"),
]
