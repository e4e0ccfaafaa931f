"""Lead tools: find and read leads, move a lead's stage (with approval), add a follow-up task."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.utils import timezone
from pydantic import Field

from agents.tools.base import Proposal, ToolArgs, ToolContext, ToolError, get_in_team, tool
from crm.leads.models import Lead, LeadActivity, LostReason, Stage, Tour, TourStatus
from crm.leads.permissions import CAN_VIEW, CAN_WORK
from crm.leads.selectors import LeadFilters, filter_leads
from crm.leads.services.followups import task_create
from crm.leads.services.leads import lead_move_stage
from crm.properties.models import Property

StageName = Literal["new", "contacted", "tour_scheduled", "toured", "applied", "leased", "lost"]
LostReasonName = Literal[
    "price", "location", "leased_elsewhere", "unresponsive", "not_qualified", "no_availability", "spam", "other"
]
DEFAULT_LIMIT = 10
RECENT_TIMELINE = 5


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def lead_summary(lead: Lead) -> dict[str, Any]:
    return {
        "id": str(lead.pk),
        "name": lead.full_name,
        "stage": lead.stage,
        "property": {"id": str(lead.property_id), "name": lead.property.name} if lead.property is not None else None,
        "source": lead.source,
        "email": lead.email,
        "phone": lead.phone,
        "score": lead.score,
        "assigned_to": lead.assigned_to.display_name if lead.assigned_to_id and lead.assigned_to else None,
        "next_follow_up_at": moment(lead.next_follow_up_at),
        "created_at": moment(lead.created_at),
    }


def active_leads() -> Any:
    return Lead.objects.active().select_related("property", "assigned_to")


# --- search_leads ------------------------------------------------------------------------------


class SearchLeadsArgs(ToolArgs):
    query: str | None = Field(None, max_length=100, description="Part of a name, email or phone number.")
    stage: StageName | None = Field(None, description="Only leads at this pipeline stage.")
    property_id: str | None = Field(None, max_length=64, description="Only leads of this property (its id).")
    limit: int | None = Field(None, ge=1, le=25, description="How many leads, at most (default 10).")


@tool(
    "search_leads",
    group="lead",
    args_model=SearchLeadsArgs,
    min_role=CAN_VIEW,
    description="Find the team's leads by name, email or phone, stage and property. Newest first.",
)
def search_leads(ctx: ToolContext, args: SearchLeadsArgs) -> dict[str, Any]:
    property_id = ""
    if args.property_id:
        property_id = str(get_in_team(Property, args.property_id, ctx, label="Property").pk)
    filters = LeadFilters(q=args.query or "", property=property_id, stage=args.stage or "")
    limit = args.limit or DEFAULT_LIMIT
    leads = list(filter_leads(active_leads(), filters).order_by("-created_at", "-id")[:limit])
    return {"count": len(leads), "leads": [lead_summary(lead) for lead in leads]}


# --- get_lead ----------------------------------------------------------------------------------


class LeadIdArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead's id.")


@tool(
    "get_lead",
    group="lead",
    args_model=LeadIdArgs,
    min_role=CAN_VIEW,
    description="One lead's guest card: contact, preferences, notes, recent timeline and upcoming tours.",
)
def get_lead(ctx: ToolContext, args: LeadIdArgs) -> dict[str, Any]:
    lead = get_in_team(active_leads(), args.lead_id, ctx, label="Lead")
    timeline = LeadActivity.objects.filter(lead=lead).order_by("-created_at", "-id")[:RECENT_TIMELINE]
    tours = (
        Tour.objects.filter(lead=lead, status=TourStatus.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("property")
        .order_by("starts_at")[:3]
    )
    return {
        **lead_summary(lead),
        "lost_reason": lead.lost_reason,
        "desired_beds": lead.desired_beds,
        "budget_min": lead.budget_min,
        "budget_max": lead.budget_max,
        "move_in_date": lead.move_in_date.isoformat() if lead.move_in_date else None,
        "pets": lead.pets,
        "notes": lead.notes[:600],
        "recent_activity": [{"at": moment(entry.created_at), "summary": entry.summary} for entry in timeline],
        "upcoming_tours": [
            {"id": str(tour.pk), "starts_at": moment(tour.starts_at), "property": tour.property.name} for tour in tours
        ],
    }


# --- update_lead_stage -------------------------------------------------------------------------


class UpdateStageArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead's id.")
    stage: StageName = Field(description="The pipeline stage to move the lead to.")
    lost_reason: LostReasonName | None = Field(None, description="Why the lead was lost (only with stage lost).")


@tool(
    "update_lead_stage",
    group="lead",
    args_model=UpdateStageArgs,
    side_effect=True,
    min_role=CAN_WORK,
    description="Move a lead to another pipeline stage. A teammate approves it unless the team's policy allows "
    "it without approval.",
)
def update_lead_stage(ctx: ToolContext, args: UpdateStageArgs) -> Proposal:
    lead = get_in_team(active_leads(), args.lead_id, ctx, label="Lead")
    if args.lost_reason and args.stage != Stage.LOST:
        raise ToolError("A lost reason goes only with the stage “lost”.")
    if args.stage == lead.stage and not args.lost_reason:
        raise ToolError(f"{lead.full_name} is already at {Stage(lead.stage).label}.")
    summary = f"Move {lead.full_name} from {Stage(lead.stage).label} to {Stage(args.stage).label}"
    if args.lost_reason:
        summary += f" ({LostReason(args.lost_reason).label})"
    return Proposal(
        summary=summary,
        arguments={"lead_id": str(lead.pk), "stage": args.stage, "lost_reason": args.lost_reason or ""},
        lead=lead,
        property_id=lead.property_id,
    )


@update_lead_stage.perform
def _move(ctx: ToolContext, arguments: dict[str, Any]) -> dict[str, Any]:
    lead = get_in_team(active_leads(), arguments["lead_id"], ctx, label="Lead")
    lead_move_stage(lead=lead, stage=arguments["stage"], actor=ctx.user, lost_reason=arguments.get("lost_reason", ""))
    return {"lead_id": str(lead.pk), "stage": lead.stage, "lost_reason": lead.lost_reason}


# --- create_follow_up --------------------------------------------------------------------------


class FollowUpArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead's id.")
    title: str = Field(min_length=1, max_length=200, description="What needs doing, e.g. “Call about the 2-bed”.")
    due_at: datetime = Field(description="When it is due (ISO 8601; without an offset, the property's local time).")


MAX_FOLLOW_UP_AHEAD = timedelta(days=366)


@tool(
    "create_follow_up",
    group="lead",
    args_model=FollowUpArgs,
    min_role=CAN_WORK,
    description="Add a follow-up task on a lead for the team (internal; nothing is sent to the prospect).",
)
def create_follow_up(ctx: ToolContext, args: FollowUpArgs) -> dict[str, Any]:
    lead = get_in_team(active_leads(), args.lead_id, ctx, label="Lead")
    due_at = args.due_at
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at, lead.property.tz if lead.property_id else None)
    now = timezone.now()
    if due_at < now - timedelta(minutes=5):
        raise ToolError("Pick a due time in the future.")
    if due_at > now + MAX_FOLLOW_UP_AHEAD:
        raise ToolError("Pick a due time within the next year.")
    task = task_create(lead=lead, title=args.title, due_at=due_at, actor=ctx.user)
    return {"task_id": str(task.pk), "lead_id": str(lead.pk), "title": task.title, "due_at": moment(task.due_at)}
