"""How far the agents may go without a person: per property, else per team, else the defaults.

Only an admin changes a policy (``policy_update``); nothing an agent or a model does can, since
no tool touches this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from agents.models import DEFAULT_MAX_STEPS, AgentPolicy, AutoReply
from crm.teams.roles import Role

if TYPE_CHECKING:
    from agents.tools.base import ToolContext
    from crm.properties.models import Property
    from crm.teams.models import Membership, Team

# The tools whose effect reaches outside the app's own records; only these can be made autonomous.
SIDE_EFFECT_TOOLS = frozenset({"update_lead_stage", "schedule_tour", "send_message"})
MAX_STEPS_LIMIT = 12
CAN_SET_POLICY = Role.ADMIN


@dataclass(frozen=True)
class ResolvedPolicy:
    auto_reply: str = AutoReply.DRAFT
    autonomous_tools: frozenset[str] = frozenset()
    max_steps: int = DEFAULT_MAX_STEPS


def _resolve(row: AgentPolicy | None) -> ResolvedPolicy:
    if row is None:
        return ResolvedPolicy()
    tools = frozenset(name for name in row.autonomous_tools or [] if name in SIDE_EFFECT_TOOLS)
    return ResolvedPolicy(
        auto_reply=row.auto_reply, autonomous_tools=tools, max_steps=max(1, min(row.max_steps, MAX_STEPS_LIMIT))
    )


def policy_for(team: Team, property_id: UUID | None = None) -> ResolvedPolicy:
    """The property's own policy if it has one, else the team's, else the defaults (one query)."""
    match = Q(property__isnull=True)
    if property_id is not None:
        match |= Q(property_id=property_id)
    rows = list(AgentPolicy.objects.filter(match, team=team))
    own = next((row for row in rows if property_id is not None and row.property_id == property_id), None)
    team_wide = next((row for row in rows if row.property_id is None), None)
    return _resolve(own or team_wide)


def cached_policy(ctx: ToolContext, property_id: UUID | None = None) -> ResolvedPolicy:
    key = f"policy:{property_id}"
    if key not in ctx.memo:
        ctx.memo[key] = policy_for(ctx.team, property_id)
    policy: ResolvedPolicy = ctx.memo[key]
    return policy


def allows_autonomously(ctx: ToolContext, *, tool: str, property_id: UUID | None) -> bool:
    return tool in cached_policy(ctx, property_id or ctx.property_id).autonomous_tools


def policy_update(*, membership: Membership, property: Property | None = None, **fields: Any) -> AgentPolicy:
    """Create or change the team's (or one property's) policy. Admins and owners only."""
    if not membership.has_role(CAN_SET_POLICY):
        raise PermissionDenied("Only admins and owners change what the AI agents may do on their own.")
    if property is not None and property.team_id != membership.team_id:
        raise ValidationError({"property": ["Property not found."]})
    unknown = set(fields) - {"auto_reply", "autonomous_tools", "max_steps"}
    if unknown:
        raise ValidationError(f"Unknown policy settings: {', '.join(sorted(unknown))}.")
    if "autonomous_tools" in fields:
        tools = list(dict.fromkeys(fields["autonomous_tools"] or []))
        bad = [name for name in tools if name not in SIDE_EFFECT_TOOLS]
        if bad:
            raise ValidationError({"autonomous_tools": [f"Not a tool with side effects: {', '.join(bad)}."]})
        fields["autonomous_tools"] = tools
    if "auto_reply" in fields and fields["auto_reply"] not in AutoReply.values:
        raise ValidationError({"auto_reply": [f"Unknown setting “{fields['auto_reply']}”."]})
    if "max_steps" in fields and not 1 <= int(fields["max_steps"]) <= MAX_STEPS_LIMIT:
        raise ValidationError({"max_steps": [f"Between 1 and {MAX_STEPS_LIMIT}."]})
    policy, _ = AgentPolicy.objects.update_or_create(team_id=membership.team_id, property=property, defaults=fields)
    return policy
