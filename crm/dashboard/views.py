from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

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
    kpis = [
        {"label": "New leads (7 days)", "value": None, "note": "Leads pipeline not set up yet"},
        {"label": "Median first response", "value": None, "note": "From the inbox"},
        {"label": "Tours this week", "value": None, "note": "From scheduled tours"},
        {"label": "Team members", "value": member_count, "note": team.name},
    ]
    return render(request, "dashboard/home.html", {"greeting": _greeting(), "kpis": kpis, "setup_steps": setup_steps})


@team_required
def analytics(request: TeamRequest) -> HttpResponse:
    return render(request, "dashboard/analytics.html")
