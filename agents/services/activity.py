"""The agents' audit log: rows are built during a turn and written together at its end.

One INSERT per turn (``save``) keeps the log cheap enough to record every tool call, including
the refused ones, which are the rows that matter most when something tried to misuse an agent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from agents.models import ActivityKind, AgentActivity
from agents.tools.base import cap

if TYPE_CHECKING:
    from agents.tools.base import ToolContext, ToolOutcome
    from crm.leads.models import Lead

MAX_RESULT_BYTES = 8_192
MAX_ARGUMENT_BYTES = 2_048
MAX_ERROR_CHARS = 2_000


def row(
    *,
    ctx: ToolContext,
    kind: str,
    status: str,
    engine: str,
    tool: str = "",
    arguments: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    error: str = "",
    latency_ms: int = 0,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    lead_id: UUID | None = None,
) -> AgentActivity:
    """An unsaved audit row for ``ctx``'s turn; ``save`` writes a batch of them."""
    return AgentActivity(
        team=ctx.team,
        agent=ctx.agent,
        kind=kind,
        user=ctx.user,
        lead_id=lead_id or ctx.lead_id,
        conversation_id=ctx.conversation_id,
        tool=tool[:40],
        arguments=cap(arguments or {}, MAX_ARGUMENT_BYTES),
        result=cap(result or {}, MAX_RESULT_BYTES),
        status=status,
        error=error[:MAX_ERROR_CHARS],
        latency_ms=max(0, latency_ms),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        engine=engine,
        turn_id=ctx.turn_id,
    )


def tool_call_row(*, ctx: ToolContext, outcome: ToolOutcome, engine: str) -> AgentActivity:
    result = outcome.result if outcome.status in ("executed", "pending_approval") else {}
    return row(
        ctx=ctx,
        kind=ActivityKind.TOOL_CALL,
        status=outcome.status,
        engine=engine,
        tool=outcome.name,
        arguments=outcome.arguments,
        result=result,
        error=outcome.error,
        latency_ms=outcome.latency_ms,
        lead_id=outcome.lead_id,
    )


def save(rows: Iterable[AgentActivity]) -> list[AgentActivity]:
    """Write a turn's rows in one INSERT.

    On its own (no caller's transaction around it) the insert commits asynchronously: the rows
    describe effects their own transactions already committed durably, and waiting for this
    commit's WAL flush was the largest single cost of a turn (benchmarks/agent_overhead.py). A
    PostgreSQL crash can lose at most the last fraction of a second of audit rows, never an
    effect and never half a row. Inside a caller's transaction nothing changes: the setting would
    apply to the caller's own writes too.
    """
    batch = list(rows)
    if not batch:
        return []
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        return AgentActivity.objects.bulk_create(batch)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return AgentActivity.objects.bulk_create(batch)


def activity_for(*, lead: Lead | None = None) -> QuerySet[AgentActivity]:
    """The current team's audit log, newest first (optionally one lead's)."""
    rows = AgentActivity.objects.select_related("user", "lead")
    return rows.filter(lead=lead) if lead is not None else rows
