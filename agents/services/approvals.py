"""Pending actions: what an agent proposed and a person approves or rejects.

Approving re-checks everything at that moment (the approver's role in the action's team, expiry,
the lead's consent for a message) and then runs the tool's effect exactly once: the row is
locked, and an action that is no longer pending is returned unchanged. Call these inside the
team's scope, as views and API views are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agents.models import ActivityKind, ActivityStatus, Engine, PendingAction, PendingStatus
from agents.services import activity
from agents.tools.base import ToolContext, ToolError, cap, get_tool, validation_message
from crm.leads.permissions import CAN_WORK
from crm.teams.models import Membership
from crm.teams.roles import Role, role_at_least

if TYPE_CHECKING:
    from agents.tools.base import Proposal
    from crm.accounts.models import User
    from crm.leads.models import Lead

CAN_DECIDE = CAN_WORK
MAX_REASON_CHARS = 500


class ApprovalRefused(PermissionDenied):
    """The user may not decide on this action; the message says why."""


def create_pending_action(*, ctx: ToolContext, tool: str, proposal: Proposal) -> PendingAction:
    action: PendingAction = PendingAction.objects.create(
        team=ctx.team,
        agent=ctx.agent,
        tool=tool,
        arguments=proposal.arguments,
        summary=proposal.summary[:500],
        lead=proposal.lead,
        requested_by=ctx.user,
        conversation_id=ctx.conversation_id,
        turn_id=ctx.turn_id,
    )
    if proposal.lead is not None:
        # On the lead's timeline, so whoever opens the guest card sees what the AI wants to do.
        timeline(proposal.lead, f"AI ({ctx.agent}) proposed: {action.summary} — waiting for approval", action)
    return action


def timeline(lead: Lead, summary: str, action: PendingAction, actor: User | None = None) -> None:
    from crm.leads.models import ActivityKind
    from crm.leads.services.activity import record

    record(
        lead=lead, kind=ActivityKind.NOTE, actor=actor, summary=summary,
        data={"agent": action.agent, "pending_action": str(action.pk), "tool": action.tool},
    )  # fmt: skip


def pending_actions(*, lead: Lead | None = None) -> QuerySet[PendingAction]:
    """The current team's actions waiting for a decision (not expired), newest first."""
    rows = PendingAction.objects.filter(status=PendingStatus.PENDING, expires_at__gt=timezone.now())
    rows = rows.select_related("lead", "requested_by")
    return rows.filter(lead=lead) if lead is not None else rows


def _decider(action: PendingAction, user: User) -> Membership:
    membership: Membership | None = (
        Membership.objects.filter(team_id=action.team_id, user=user, user__is_active=True)
        .select_related("team")
        .first()
    )
    if membership is None:
        raise ApprovalRefused("Only a member of the team can decide on its agents' actions.")
    spec = get_tool(action.tool)
    needed = spec.min_role if spec is not None and role_at_least(spec.min_role, CAN_DECIDE) else CAN_DECIDE
    if not membership.has_role(needed):
        raise ApprovalRefused(f"Deciding on this needs the {Role(needed).label} role or higher.")
    return membership


def _record(action: PendingAction, membership: Membership, *, status: str, error: str = "") -> None:
    ctx = _context(action, membership)
    activity.save(
        [
            activity.row(
                ctx=ctx,
                kind=ActivityKind.APPROVAL,
                status=status,
                engine=Engine.OFFLINE,
                tool=action.tool,
                arguments={"pending_action": str(action.pk), **action.arguments},
                result={"decision": action.status, **(action.result or {})},
                error=error,
                lead_id=action.lead_id,
            )
        ]
    )


def _context(action: PendingAction, membership: Membership) -> ToolContext:
    # The approver acts, within the action's own team and lead: nothing from the original
    # turn (let alone the model) decides who or what the effect reaches.
    return ToolContext(
        team=membership.team,
        user=membership.user,
        role=membership.role,
        agent=action.agent,
        turn_id=action.turn_id,
        lead_id=action.lead_id,
        conversation_id=action.conversation_id,
    )


def approve(action: PendingAction, user: User) -> PendingAction:
    """Run the action's effect once, as ``user``; an action already decided is returned as it is."""
    membership = _decider(action, user)
    spec = get_tool(action.tool)
    with transaction.atomic():
        locked: PendingAction = PendingAction.objects.select_for_update().get(pk=action.pk, team_id=membership.team_id)
        if locked.status != PendingStatus.PENDING:
            return locked
        now = timezone.now()
        if locked.is_expired:
            locked.status = PendingStatus.EXPIRED
            locked.error = "It waited too long for approval; ask the agent again."
            locked.save(update_fields=["status", "error"])
            _record(locked, membership, status=ActivityStatus.REFUSED, error=locked.error)
            return locked
        error = ""
        if spec is None or spec.performer is None:
            error = "This kind of action can no longer be done."
        else:
            ctx = _context(locked, membership)
            try:
                with transaction.atomic():
                    if spec.recheck is not None:
                        spec.recheck(ctx, locked.arguments)
                    locked.result = cap(spec.performer(ctx, locked.arguments))
            except ToolError as exc:
                error = str(exc)
            except ValidationError as exc:
                error = validation_message(exc)
        locked.status = PendingStatus.FAILED if error else PendingStatus.APPROVED
        locked.error = error
        locked.decided_by = user
        locked.decided_at = now
        locked.save(update_fields=["status", "error", "result", "decided_by", "decided_at"])
        _record(
            locked,
            membership,
            status=ActivityStatus.FAILED if error else ActivityStatus.EXECUTED,
            error=error,
        )
    return locked


def reject(action: PendingAction, user: User, reason: str = "") -> PendingAction:
    """Decline the action; nothing happens. An action already decided is returned as it is."""
    membership = _decider(action, user)
    with transaction.atomic():
        locked: PendingAction = PendingAction.objects.select_for_update().get(pk=action.pk, team_id=membership.team_id)
        if locked.status != PendingStatus.PENDING:
            return locked
        locked.status = PendingStatus.REJECTED
        locked.error = reason.strip()[:MAX_REASON_CHARS]
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "error", "decided_by", "decided_at"])
        if locked.lead is not None:
            timeline(locked.lead, f"Rejected the AI's proposal: {locked.summary}", locked, actor=user)
        _record(locked, membership, status=ActivityStatus.REFUSED, error=locked.error or "Rejected.")
    return locked


def expire_stale() -> int:
    """Mark the current team's overdue pending actions expired; returns how many."""
    count: int = PendingAction.objects.filter(status=PendingStatus.PENDING, expires_at__lte=timezone.now()).update(
        status=PendingStatus.EXPIRED
    )
    return count
