from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from crm.leads.models import OPEN_STAGES, Lead, Task, Tour, TourStatus
from crm.teams.access import team_required
from crm.teams.models import Invitation, Membership
from crm.teams.types import TeamRequest


def _greeting() -> str:
    hour = timezone.localtime().hour
    return "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"


@team_required
def home(request: TeamRequest) -> HttpResponse:
    team = request.team
    member_count = Membership.objects.count()
    setup_steps = [
        {
            "label": "Invite your leasing team",
            "url": reverse("teams:members"),
            "done": member_count > 1 or Invitation.objects.exists(),
        },
        {
            "label": "Add your postal address (required in marketing email)",
            "url": reverse("teams:settings"),
            "done": bool(team.postal_address),
        },
        {
            "label": "Connect SMS, email and your AI model",
            "url": reverse("teams:settings") + "#integrations-title",
            "done": False,
        },
        {"label": "Secure your account with two-factor authentication", "url": reverse("mfa_index"), "done": False},
    ]
    now = timezone.now()
    leads = Lead.objects.active()
    figures = leads.aggregate(
        new=Count("id", filter=Q(created_at__gte=now - timedelta(days=7))),
        open=Count("id", filter=Q(stage__in=OPEN_STAGES)),
    )
    tours = Tour.objects.filter(status=TourStatus.SCHEDULED, starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
    overdue = Task.objects.filter(completed_at__isnull=True, due_at__lt=now, assigned_to=request.user).count()
    kpis = [
        {"label": "New leads (7 days)", "value": figures["new"], "note": f"{figures['open']} open in the pipeline"},
        {"label": "Tours in the next 7 days", "value": tours.count(), "note": "Scheduled"},
        {"label": "Your overdue tasks", "value": overdue, "note": "Follow-ups past due"},
        {"label": "Team members", "value": member_count, "note": team.name},
    ]
    return render(request, "dashboard/home.html", {"greeting": _greeting(), "kpis": kpis, "setup_steps": setup_steps})


@team_required
def analytics(request: TeamRequest) -> HttpResponse:
    return render(request, "dashboard/analytics.html")
