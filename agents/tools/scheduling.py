"""Tour tools: open slots (office hours, closed dates, busy agents) and booking a tour (with approval).

Booking goes through ``crm.leads.services.tours.tour_schedule``, which checks office hours in the
property's time zone and refuses double bookings (down to a database constraint).
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone
from pydantic import Field

from agents.tools.base import Proposal, ToolArgs, ToolContext, ToolError, ToolRefused, get_in_team, parse_id, tool
from agents.tools.lead import active_leads, moment
from crm.accounts.models import User
from crm.leads.models import Lead, Tour, TourStatus
from crm.leads.permissions import CAN_VIEW, CAN_WORK
from crm.leads.services.tours import available_slots, tour_schedule
from crm.properties.models import Property, PropertyAgent
from crm.teams.models import Membership
from crm.teams.roles import Role, role_at_least

MAX_SLOTS = 24
MAX_AGENTS = 3
MAX_DAYS_AHEAD = 120


def _property(ctx: ToolContext, raw_id: str | None, lead: Lead | None = None) -> Property:
    if raw_id:
        return get_in_team(Property, raw_id, ctx, label="Property")
    if lead is not None and lead.property is not None:
        return lead.property
    if ctx.property_id:
        return get_in_team(Property, ctx.property_id, ctx, label="Property")
    raise ToolError("Which property? Give its property_id.")


def tour_agents(prop: Property, ctx: ToolContext, lead: Lead | None = None) -> list[User]:
    """Who may give a tour here: the lead's agent, the property's round-robin agents, else the asker."""
    working = {Role.OWNER, Role.ADMIN, Role.MANAGER, Role.AGENT}
    members = Membership.objects.filter(role__in=working, user__is_active=True)
    agents: list[User] = []
    if lead is not None and lead.assigned_to_id:
        agents.extend(User.objects.filter(pk=lead.assigned_to_id, pk__in=members.values("user_id")))
    agents.extend(
        slot.user
        for slot in PropertyAgent.objects.filter(property=prop, is_active=True, user__in=members.values("user_id"))
        .select_related("user")
        .order_by("created_at")[:MAX_AGENTS]
    )
    if ctx.user is not None and role_at_least(ctx.role, Role.AGENT):
        agents.append(ctx.user)
    unique = list({agent.pk: agent for agent in agents}.values())
    return unique[:MAX_AGENTS]


class SlotsArgs(ToolArgs):
    property_id: str = Field(max_length=64, description="The property's id.")
    date: dt.date = Field(description="The day, in the property's local calendar (YYYY-MM-DD).")


@tool(
    "available_tour_slots",
    group="scheduling",
    args_model=SlotsArgs,
    min_role=CAN_VIEW,
    description="Open tour start times at a property on one day, in its time zone: inside office hours, not on "
    "closed dates, when an agent is free.",
)
def available_tour_slots(ctx: ToolContext, args: SlotsArgs) -> dict[str, Any]:
    prop = _property(ctx, args.property_id)
    today = timezone.localtime(timezone.now(), prop.tz).date()
    if not today <= args.date <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise ToolError(f"Pick a day between today and {MAX_DAYS_AHEAD} days ahead.")
    agents = tour_agents(prop, ctx)
    if not agents:
        raise ToolError(f"Nobody is set up to give tours at {prop.name} yet.")
    starts: set[datetime] = set()
    for agent in agents:
        starts.update(available_slots(property=prop, agent=agent, day=args.date))
    slots = sorted(starts)
    return {
        "property": {"id": str(prop.pk), "name": prop.name},
        "date": args.date.isoformat(),
        "timezone": prop.timezone,
        "closed": not prop.opening_spans(args.date),
        "slots": [slot.astimezone(prop.tz).isoformat() for slot in slots[:MAX_SLOTS]],
        "more": max(0, len(slots) - MAX_SLOTS),
        "tour_minutes": prop.tour_minutes,
    }


class ScheduleTourArgs(ToolArgs):
    lead_id: str = Field(max_length=64, description="The lead's id.")
    starts_at: datetime = Field(description="Start time (ISO 8601; without an offset, the property's local time).")
    property_id: str | None = Field(None, max_length=64, description="The property; default: the lead's.")


@tool(
    "schedule_tour",
    group="scheduling",
    args_model=ScheduleTourArgs,
    side_effect=True,
    min_role=CAN_WORK,
    description="Book a tour for a lead. A teammate approves it unless the team's policy allows it without approval.",
)
def schedule_tour(ctx: ToolContext, args: ScheduleTourArgs) -> Proposal:
    lead_pk = parse_id(args.lead_id)
    if ctx.untrusted and (lead_pk is None or lead_pk != ctx.lead_id):
        raise ToolRefused("A tour can be booked only for the prospect in this conversation.")
    lead = get_in_team(active_leads(), args.lead_id, ctx, label="Lead")
    prop = _property(ctx, args.property_id, lead)
    starts_at = args.starts_at
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, prop.tz)
    ends_at = starts_at + prop.tour_length()
    busy_until = ends_at + timedelta(minutes=prop.tour_buffer_minutes)
    local = starts_at.astimezone(prop.tz)
    if starts_at < timezone.now():
        raise ToolError("Pick a time in the future.")
    if not prop.is_open(starts_at, ends_at):
        raise ToolError(f"{prop.name} is closed at {local:%a %b %-d, %-I:%M %p} ({prop.timezone}).")
    agents = tour_agents(prop, ctx, lead)
    if not agents:
        raise ToolError(f"Nobody is set up to give tours at {prop.name} yet.")
    busy = set(
        Tour.objects.filter(
            agent__in=agents, status=TourStatus.SCHEDULED, starts_at__lt=busy_until, busy_until__gt=starts_at
        ).values_list("agent_id", flat=True)
    )
    agent = next((agent for agent in agents if agent.pk not in busy), None)
    if agent is None:
        raise ToolError("No agent is free then; pick another time (see available_tour_slots).")
    # A prospect's turn reads this summary too: a first name, never a teammate's email address.
    host = (agent.name.split()[0] if agent.name else "our leasing team") if ctx.untrusted else agent.display_name
    return Proposal(
        summary=f"Book a tour of {prop.name} for {lead.full_name} on {local:%a %b %-d at %-I:%M %p} "
        f"({prop.timezone}) with {host}",
        arguments={
            "lead_id": str(lead.pk),
            "property_id": str(prop.pk),
            "starts_at": starts_at.isoformat(),
            "agent_id": str(agent.pk),
        },
        lead=lead,
        property_id=prop.pk,
    )


@schedule_tour.perform
def _book(ctx: ToolContext, arguments: dict[str, Any]) -> dict[str, Any]:
    lead = get_in_team(active_leads(), arguments["lead_id"], ctx, label="Lead")
    prop = get_in_team(Property, arguments["property_id"], ctx, label="Property")
    members = Membership.objects.filter(user_id=UUID(arguments["agent_id"])).values("user_id")
    agent = User.objects.filter(pk__in=members).first()
    if agent is None:
        raise ToolError("The agent for this tour is no longer in the team.")
    tour = tour_schedule(
        lead=lead,
        property=prop,
        agent=agent,
        starts_at=datetime.fromisoformat(arguments["starts_at"]),
        actor=ctx.user,
        notes=f"Booked by the {ctx.agent} agent.",
    )
    return {
        "tour_id": str(tour.pk),
        "lead_id": str(lead.pk),
        "property": prop.name,
        "starts_at": moment(tour.starts_at.astimezone(prop.tz)),
        "agent": agent.display_name,
    }
