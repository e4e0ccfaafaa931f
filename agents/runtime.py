"""One agent turn: a message in, an answer out, with the tool calls made on the way.

``run_turn`` is the entry point for the API, the chat pane and the inbox's auto-reply:

- With a language model (``ChatModel``): the agent's system prompt, the fenced context and
  history, then a tool loop capped by the policy's ``max_steps``, a token budget and a wall-clock
  budget. Tool results, knowledge passages and a prospect's text reach the model fenced as data.
- Without one (``model=None``): the offline engine plans one tool call for a known command and
  runs it through the same registry and checks, else answers from the knowledge base with its
  sources, else says honestly that it cannot help offline.

Every tool call goes through ``agents.tools.base.execute``: the team, the user and the lead in
context come from here, never from the model. The turn and each call are written to the audit
log (``AgentActivity``) in one insert at the end.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from agents import fencing
from agents.llm import LLMError
from agents.models import ActivityKind, ActivityStatus, Engine
from agents.orchestrator import RouteDecision, offline_api, route
from agents.services import activity
from agents.services.policy import cached_policy
from agents.tools.base import ToolContext, ToolOutcome, execute, parse_id, tools_for
from agents.tools.describe import describe
from agents.workforce import AGENTS, AgentSpec, get_spec
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.models import Membership
from crm.teams.roles import Role
from crm.teams.scoping import team_scope

if TYPE_CHECKING:
    from agents.gateway import ChatModel
    from crm.accounts.models import User
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4_000
MAX_TURN_TOKENS = 60_000
TURN_BUDGET_SECONDS = 45.0
MIN_CALL_SECONDS = 2.0
MAX_TOOL_CALLS_PER_STEP = 6
HISTORY_MESSAGES = 12
HISTORY_CHARS = 2_000
PLANNER_PROPERTIES = 200

OFFLINE_CANNOT = (
    "I can't do that offline. Connect a language model (set OPENAI_API_KEY) for open questions, or ask a teammate."
)


class _Default:
    """The default ``model``: the gateway when a key is configured, else the offline engine."""


DEFAULT_MODEL: Any = _Default()


class UnknownAgent(ValueError):
    pass


class ContextNotFound(Exception):
    """A context id (lead, property) is not one of the team's: answered like a missing object."""

    def __init__(self, label: str) -> None:
        super().__init__(f"{label} not found.")
        self.label = label


@dataclass
class TurnResult:
    agent: str
    answer: str
    tool_calls: list[dict[str, Any]]
    pending_actions: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    engine: str
    turn_id: UUID
    routed_by: str = ""
    route_reason: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["turn_id"] = str(self.turn_id)
        return data


@dataclass
class _Turn:
    """What accumulates during one turn."""

    ctx: ToolContext
    spec: AgentSpec
    message: str
    lead: Lead | None
    prop: Property | None
    rows: list[Any] = field(default_factory=list)
    outcomes: list[ToolOutcome] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    steps: int = 0
    stopped: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.spec.tool_names(untrusted=self.ctx.untrusted)

    def call(self, name: str, arguments: Any, engine: str) -> ToolOutcome:
        outcome = execute(name, arguments, self.ctx, allowed=self.allowed)
        self.outcomes.append(outcome)
        self.rows.append(activity.tool_call_row(ctx=self.ctx, outcome=outcome, engine=engine))
        if outcome.status == "executed":
            self._collect_sources(outcome)
        return outcome

    def refuse(self, name: str, reason: str) -> ToolOutcome:
        """A call not even attempted (over the per-step cap): still on the record."""
        outcome = ToolOutcome(name=str(name)[:40], arguments={}, status="refused", error=reason)
        self.outcomes.append(outcome)
        self.rows.append(activity.tool_call_row(ctx=self.ctx, outcome=outcome, engine=Engine.LLM))
        return outcome

    def _collect_sources(self, outcome: ToolOutcome) -> None:
        seen = {source["chunk_id"] for source in self.sources}
        for passage in outcome.result.get("passages", []) or []:
            if passage.get("chunk_id") not in seen:
                seen.add(passage.get("chunk_id"))
                self.sources.append(
                    {
                        "document_id": passage.get("document_id"),
                        "title": passage.get("title"),
                        "chunk_id": passage.get("chunk_id"),
                        "excerpt": (passage.get("text") or "")[:300],
                    }
                )


# --- Entry point ---------------------------------------------------------------------------------


def run_turn(
    *,
    agent: str,
    team: Team,
    user: User | None,
    message: str,
    context: Mapping[str, Any] | None = None,
    model: ChatModel | None = DEFAULT_MODEL,
    untrusted: bool = False,
    history: Sequence[Mapping[str, Any]] | None = None,
) -> TurnResult:
    """Answer ``message`` as ``agent`` ("coo" routes to a specialist) for ``user`` in ``team``.

    ``context`` may name the ``lead_id``, ``property_id`` and ``conversation_id`` the turn is
    about; ids outside the team raise ``ContextNotFound``. ``user=None`` is the system acting for
    the team (the inbox's auto-reply), with an agent's role. ``untrusted=True`` marks ``message``
    as a prospect's text: the tool set shrinks to ``PROSPECT_SAFE_TOOLS``.
    """
    if agent not in AGENTS:
        raise UnknownAgent(f"No agent named {agent!r}.")
    if isinstance(model, _Default):
        from agents.gateway import get_chat_model

        model = get_chat_model()
    message = (message or "").strip()[:MAX_MESSAGE_CHARS]
    started = time.perf_counter()
    with team_scope(team):
        role = _role(user)
        lead, prop, conversation_id = resolve_context(context or {})
        decision: RouteDecision | None = None
        if agent == "coo":
            decision = route(message, team=team, model=model, untrusted=untrusted)
            agent = decision.agent
        ctx = ToolContext(
            team=team,
            user=user,
            role=role,
            agent=agent,
            turn_id=uuid.uuid4(),
            lead_id=lead.pk if lead is not None else None,
            property_id=prop.pk if prop is not None else None,
            conversation_id=conversation_id,
            untrusted=untrusted,
        )
        turn = _Turn(ctx=ctx, spec=get_spec(agent), message=message, lead=lead, prop=prop)
        if decision is not None:
            turn.prompt_tokens += decision.prompt_tokens
            turn.completion_tokens += decision.completion_tokens
        try:
            answer, engine = _answer(turn, model, history or [])
            answer = fencing.sanitize_answer(answer)
            turn.rows.insert(0, _turn_row(turn, answer, engine, decision, started))
        finally:
            activity.save(turn.rows)
    return TurnResult(
        agent=agent,
        answer=answer,
        tool_calls=[outcome.as_dict() for outcome in turn.outcomes],
        pending_actions=[_pending(outcome) for outcome in turn.outcomes if outcome.pending_action is not None],
        sources=turn.sources,
        engine=engine,
        turn_id=ctx.turn_id,
        routed_by="coo" if decision is not None else "",
        route_reason=decision.reason if decision is not None else "",
        notes=turn.notes,
    )


def _role(user: User | None) -> str:
    if user is None:
        return Role.AGENT
    role = Membership.objects.filter(user=user, user__is_active=True).values_list("role", flat=True).first()
    if role is None:
        raise PermissionDenied("Only members of the team can use its agents.")
    return str(role)


def resolve_context(context: Mapping[str, Any]) -> tuple[Lead | None, Property | None, UUID | None]:
    """The context's lead, property and conversation, looked up in the current team (``ContextNotFound``
    if one is not the team's)."""
    lead = prop = None
    if context.get("lead_id"):
        pk = parse_id(context["lead_id"])
        lead = Lead.objects.active().select_related("property").filter(pk=pk).first() if pk else None
        if lead is None:
            raise ContextNotFound("Lead")
    if context.get("property_id"):
        pk = parse_id(context["property_id"])
        prop = Property.objects.filter(pk=pk).first() if pk else None
        if prop is None:
            raise ContextNotFound("Property")
    elif lead is not None and lead.property_id:
        prop = lead.property
    conversation_id = None
    if context.get("conversation_id"):
        from crm.inbox.models import Conversation

        conversation_id = parse_id(context["conversation_id"])
        if conversation_id is None or not Conversation.objects.filter(pk=conversation_id).exists():
            raise ContextNotFound("Conversation")
    return lead, prop, conversation_id


def _answer(turn: _Turn, model: ChatModel | None, history: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    if model is None:
        return _offline(turn), Engine.OFFLINE
    try:
        return _with_model(turn, model, history), Engine.LLM
    except LLMError as exc:
        logger.warning("Agent turn fell back to the offline engine: %s", exc)
        if turn.outcomes:
            # Tools already ran on the model's word: planning again offline could repeat them.
            turn.stopped = "model_error"
            return f"{exc} What I did before that: {_summary(turn)}", Engine.LLM
        turn.notes.append(f"{exc} The offline engine answered instead.")
        return _offline(turn), Engine.OFFLINE


# --- With a model ------------------------------------------------------------------------------------


def _system_prompt(turn: _Turn, tag: str) -> str:
    ctx = turn.ctx
    facts: dict[str, Any] = {}
    if turn.lead is not None:
        facts["lead_in_context"] = {
            "id": str(turn.lead.pk),
            "name": turn.lead.full_name,
            "stage": turn.lead.stage,
            "property_id": str(turn.lead.property_id) if turn.lead.property_id else None,
        }
    if turn.prop is not None:
        facts["property_in_context"] = {
            "id": str(turn.prop.pk),
            "name": turn.prop.name,
            "timezone": turn.prop.timezone,
        }
    who = (
        "You are replying to a prospect's message; your answer is sent to them as written. Keep it short, "
        "as for a text message."
        if ctx.untrusted
        else f"You are helping {ctx.user.display_name if ctx.user else 'the team'} (role: {ctx.role})."
    )
    parts = [
        turn.spec.prompt,
        fencing.FENCE_RULES,
        f"You work for {ctx.team.name}. Now: {timezone.now():%Y-%m-%d %H:%M} UTC. {who}",
    ]
    if facts:
        parts.append("Context:\n" + fencing.fence("context", facts, tag=tag))
    return "\n\n".join(parts)


def _history(history: Sequence[Mapping[str, Any]], *, untrusted: bool, tag: str) -> list[dict[str, Any]]:
    messages = []
    for entry in list(history)[-HISTORY_MESSAGES:]:
        role = entry.get("role")
        content = str(entry.get("content") or "")[:HISTORY_CHARS]
        if role not in ("user", "assistant") or not content:
            continue
        if role == "user" and untrusted:
            content = fencing.fence("prospect message", content, tag=tag)
        messages.append({"role": role, "content": content})
    return messages


def _with_model(turn: _Turn, model: ChatModel, history: Sequence[Mapping[str, Any]]) -> str:
    ctx = turn.ctx
    tag = fencing.new_tag()
    policy = cached_policy(ctx, ctx.property_id)
    tools = tools_for(turn.allowed)
    user_text = fencing.fence("prospect message", turn.message, tag=tag) if ctx.untrusted else turn.message
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": _system_prompt(turn, tag)},
        *_history(history, untrusted=ctx.untrusted, tag=tag),
        {"role": "user", "content": user_text},
    ]
    deadline = time.monotonic() + TURN_BUDGET_SECONDS
    while turn.steps < policy.max_steps:
        remaining = deadline - time.monotonic()
        if remaining < MIN_CALL_SECONDS:
            turn.stopped = "time"
            break
        result = model.chat(
            team=ctx.team, messages=messages, tools=tools or None, purpose=f"agent:{ctx.agent}", timeout=remaining
        )
        turn.steps += 1
        turn.prompt_tokens += result.usage.prompt_tokens
        turn.completion_tokens += result.usage.completion_tokens
        if not result.tool_calls:
            return result.content or ""
        messages.append(
            {
                "role": "assistant",
                "content": result.content,
                "tool_calls": [
                    {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                    for call in result.tool_calls
                ],
            }
        )
        for index, call in enumerate(result.tool_calls):
            if index < MAX_TOOL_CALLS_PER_STEP:
                outcome = turn.call(call.name, call.arguments, Engine.LLM)
            else:
                outcome = turn.refuse(call.name, f"At most {MAX_TOOL_CALLS_PER_STEP} tool calls at once.")
            content = outcome.for_model()
            label = f"tool result {call.name[:40]}"
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": fencing.fence(label, content, tag=tag)}
            )
        if turn.prompt_tokens + turn.completion_tokens > MAX_TURN_TOKENS:
            turn.stopped = "tokens"
            break
    else:
        turn.stopped = "steps"
    return f"I stopped before finishing ({_STOPS[turn.stopped]}). So far: {_summary(turn)}"


_STOPS = {
    "steps": "the step limit for one request",
    "tokens": "the token budget for one request",
    "time": "the time limit for one request",
    "model_error": "the language model failed",
    "": "",
}


def _summary(turn: _Turn) -> str:
    if not turn.outcomes:
        return "nothing yet."
    return " ".join(describe(outcome) for outcome in turn.outcomes[-5:])


# --- Offline -------------------------------------------------------------------------------------------


def _offline(turn: _Turn) -> str:
    ctx = turn.ctx
    plan_command = offline_api("plan_command")
    planned = plan_command(turn.message, agent=ctx.agent, context=_planner_context(turn)) if plan_command else None
    # A prospect's text never drives a tool outside the prospect-safe set, not even as a refusal.
    if planned is not None and (planned.tool in turn.allowed or not ctx.untrusted):
        outcome = turn.call(planned.tool, dict(planned.arguments), Engine.OFFLINE)
        return describe(outcome)
    answer_from_knowledge = offline_api("answer_from_knowledge")
    kb = (
        answer_from_knowledge(team=ctx.team, question=turn.message, property=turn.prop)
        if answer_from_knowledge
        else None
    )
    if kb is not None:
        for source in kb.sources:
            turn.sources.append(
                {
                    "document_id": str(source.document_id),
                    "title": source.title,
                    "chunk_id": str(source.chunk_id),
                    "excerpt": source.excerpt[:300],
                }
            )
        return str(kb.text)
    return OFFLINE_CANNOT


def _planner_context(turn: _Turn) -> dict[str, Any]:
    """What the offline planner reads commands against: the ids on screen, the clock's time zone and
    the team's property names (so "at Maple Court" resolves to an id it did not have to guess)."""
    ctx = turn.ctx
    context: dict[str, Any] = {
        key: str(value) for key, value in (("lead_id", ctx.lead_id), ("property_id", ctx.property_id)) if value
    }
    if turn.prop is not None:
        context["timezone"] = turn.prop.timezone
    context["properties"] = [
        {"id": str(pk), "name": name}
        for pk, name in Property.objects.filter(is_active=True).values_list("id", "name")[:PLANNER_PROPERTIES]
    ]
    return context


# --- Recording -----------------------------------------------------------------------------------------


def _turn_row(turn: _Turn, answer: str, engine: str, decision: RouteDecision | None, started: float) -> Any:
    arguments: dict[str, Any] = {"message": turn.message[:2_000], "untrusted": turn.ctx.untrusted}
    if turn.prop is not None:
        arguments["property_id"] = str(turn.prop.pk)
    if decision is not None:
        arguments["routed_by"] = {"agent": "coo", "engine": decision.engine, "reason": decision.reason}
    return activity.row(
        ctx=turn.ctx,
        kind=ActivityKind.TURN,
        status=ActivityStatus.ANSWERED,
        engine=engine,
        arguments=arguments,
        result={
            "answer": answer[:4_000],
            "steps": turn.steps,
            "stopped": turn.stopped,
            "tool_calls": len(turn.outcomes),
        },
        latency_ms=int((time.perf_counter() - started) * 1000),
        prompt_tokens=turn.prompt_tokens,
        completion_tokens=turn.completion_tokens,
    )


def _pending(outcome: ToolOutcome) -> dict[str, Any]:
    action = outcome.pending_action
    assert action is not None
    return {
        "id": str(action.pk),
        "tool": action.tool,
        "summary": action.summary,
        "status": action.status,
        "lead_id": str(action.lead_id) if action.lead_id else None,
        "expires_at": action.expires_at.isoformat(),
    }
