"""Scores on screen: the guest card's Rescore button and the board card's score badge."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from agents.explainers import score_explainer
from crm.leads.models import Lead
from crm.leads.permissions import CAN_WORK
from crm.leads.services.scoring import lead_rescore
from crm.leads.views.lead_page import LeadPage, active_lead, refresh, render_lead, score_factors
from crm.teams.access import team_required
from crm.teams.types import TeamRequest


@require_POST
@team_required(role=CAN_WORK)
def rescore(request: TeamRequest, lead_id: str) -> HttpResponse:
    # On demand, a configured model adds a sentence; event-driven and nightly rescoring stay rule-based.
    lead = lead_rescore(lead=active_lead(lead_id), llm=score_explainer(request.team))
    messages.success(request, f"{lead.full_name} scores {lead.score}.")
    if not request.htmx:
        return redirect(reverse("leads:detail", kwargs={"lead_id": lead.pk}) + "#lead-score")
    # The summary's score badge shows the number too.
    return refresh(render_lead(request, "leads/detail.html#score", LeadPage(lead, request)), "summary")


CARD_REASONS = 3


def score_summary(lead: Lead) -> tuple[str, str]:
    """The board card's score badge: its tooltip, and its strongest factors in words."""
    if lead.score is None:
        return "Not scored yet", ""
    points = [f for f in score_factors(lead.score_factors) if isinstance(f["points"], int) and f["points"] > 0]
    top = sorted(points, key=lambda f: -f["points"])[:CARD_REASONS]
    reasons = ", ".join(f"{f['label']} +{f['points']}" for f in top)
    return (f"Score {lead.score} of 100: {reasons}" if reasons else f"Score {lead.score} of 100"), reasons


urlpatterns = [
    path("<uuid:lead_id>/score/", rescore, name="rescore"),
]
