"""Template helpers for the agents' pages and the lead page's "AI activity" section."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from agents.models import AgentActivity, PendingAction
from agents.services.activity import activity_for
from agents.services.approvals import CAN_DECIDE, pending_actions
from agents.views import present
from crm.leads.models import Lead

register = template.Library()

LEAD_ACTIVITY = 8


@dataclass(frozen=True)
class LeadAI:
    pending: list[PendingAction]
    recent: list[AgentActivity]
    can_decide: bool


@register.simple_tag(takes_context=True)
def lead_ai(context: template.Context, lead: Lead) -> LeadAI:
    """What the agents proposed and did for ``lead`` (two queries)."""
    membership = getattr(context.get("request"), "membership", None)
    return LeadAI(
        pending=list(pending_actions(lead=lead)),
        recent=list(activity_for(lead=lead)[:LEAD_ACTIVITY]),
        can_decide=bool(membership and membership.has_role(CAN_DECIDE)),
    )


@register.filter
def decision_text(action: PendingAction) -> str:
    return present.decision_text(action)


@register.filter
def tool_label(name: str) -> str:
    return present.tool_label(name) if name else ""


@register.filter
def agent_title(name: str) -> str:
    return present.agent_title(name)


@register.filter
def engine_label(engine: str) -> str:
    return present.engine_label(engine)


@register.filter
def activity_what(row: AgentActivity) -> str:
    """One audit row in a few words: the tool it ran, or what kind of entry it is."""
    if row.kind == "turn":
        return "Answered a request"
    label = present.tool_label(row.tool) if row.tool else row.get_kind_display()
    return f"Decision: {label}" if row.kind == "approval" else label


@register.filter
def activity_status(row: AgentActivity) -> str:
    # The log is history: a call that asked for approval stays that way; the decision is its own row.
    return "Asked for approval" if row.status == "pending_approval" else str(row.get_status_display())
