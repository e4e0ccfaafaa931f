"""Approving or rejecting what an agent proposed, wherever it is shown (chat, overview, lead page).

With htmx the answer is the action's own fragment, now showing what happened, plus events that
make the lead page refresh its tours, timeline and AI activity. Without JavaScript: a message
and a redirect back to where the button was.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from agents.models import PendingAction, PendingStatus
from agents.services.approvals import CAN_DECIDE, approve, reject
from agents.views.present import decision_level, decision_text
from crm.leads.views.lead_page import refresh
from crm.teams.access import get_team_object, team_required
from crm.teams.types import TeamRequest

ACTION_TEMPLATE = "agents/_action.html"


def _back(request: TeamRequest) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("agents:index")


def _decide(request: TeamRequest, action_id: UUID, decide: Callable[[PendingAction], PendingAction]) -> HttpResponse:
    action = get_team_object(PendingAction, pk=action_id)
    was_pending = action.status == PendingStatus.PENDING
    action = decide(action)  # ApprovalRefused is a PermissionDenied: a 403
    outcome = decision_text(action)
    notice = outcome if was_pending else f"This was already decided. {outcome}"
    if not request.htmx:
        messages.add_message(request, _LEVELS[decision_level(action)], notice)
        return redirect(_back(request))
    context = {"action": action, "can_decide": True, "notice": notice, "next_url": _back(request)}
    response = render(request, ACTION_TEMPLATE, context)
    trigger_client_event(response, "agent-activity-changed")
    if action.lead_id:
        refresh(response, "tours", "timeline", "summary", "tasks")
    return response


_LEVELS = {"success": messages.SUCCESS, "info": messages.INFO, "warning": messages.WARNING}


@require_POST
@team_required(role=CAN_DECIDE)
def action_approve(request: TeamRequest, action_id: UUID) -> HttpResponse:
    return _decide(request, action_id, lambda action: approve(action, request.user))


@require_POST
@team_required(role=CAN_DECIDE)
def action_reject(request: TeamRequest, action_id: UUID) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _decide(request, action_id, lambda action: reject(action, request.user, reason))
