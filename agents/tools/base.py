"""The tool registry: typed arguments, strict JSON schemas, and the one way a tool is run.

A tool is a function ``(ctx, args) -> dict`` registered with ``@tool``. Its arguments are a
pydantic model; the schema the model sees is derived from it and made strict (OpenAI strict
mode: no extra properties, every property required, optional ones nullable). What the model
sends is validated with the same pydantic model, so a bad call comes back to the model as a
"failed" result with the reason, never as an exception.

The model never names the team or the user: ``ToolContext`` carries them, filled in by the
server. Every object id the model sends is looked up inside ``ctx.team`` (``get_in_team``), so
another team's id reads exactly like an id that never existed.

Tools with side effects (a stage change, a tour, a message) are split in two: the registered
function checks everything and returns a ``Proposal`` (what would happen, with ids resolved);
``perform`` does it. ``execute`` turns a proposal into a ``PendingAction`` for a person to
approve, unless the team's policy lets the agents do that tool on their own, and then only for
the lead the turn is about (``ctx.lead_id``): reaching any other lead always waits for a person.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as ArgumentsError

from crm.teams.roles import Role, role_at_least

if TYPE_CHECKING:
    from agents.models import PendingAction
    from crm.accounts.models import User
    from crm.leads.models import Lead
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)

# Raw JSON arguments longer than this are refused before parsing: no legitimate call needs it.
MAX_ARGUMENT_CHARS = 8_000
# A tool result is fed back to the model and stored in the audit log: both want it small.
MAX_RESULT_BYTES = 8_192
MAX_LIST_ITEMS = 25
MAX_STRING_CHARS = 1_200


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown keys (``team_id``, ``user_id``...) are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


@dataclass(frozen=True)
class ToolContext:
    """Who is asking and about what, as the server knows it. Never built from model output."""

    team: Team
    user: User | None
    role: str
    agent: str
    turn_id: UUID = field(default_factory=uuid.uuid4)
    lead_id: UUID | None = None
    property_id: UUID | None = None
    conversation_id: UUID | None = None
    # True when the turn answers text from outside the team (a prospect's message): the tool set
    # is narrowed to prospect-safe tools and side effects stay with the lead in context.
    untrusted: bool = False
    # Per-turn memo (the resolved policy, ...), so a loop of tool calls reads it once.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class ToolError(Exception):
    """The call could not be done; the message is fed back to the model."""

    status = "failed"


class ToolRefused(ToolError):
    """The call is not allowed (role, tool set, lead in context, consent)."""

    status = "refused"


class NotFound(ToolError):
    def __init__(self, label: str) -> None:
        super().__init__(f"{label} not found.")


@dataclass
class Proposal:
    """What a side-effect tool would do, checked and with its ids resolved inside the team."""

    summary: str
    arguments: dict[str, Any]
    lead: Lead | None = None
    property_id: UUID | None = None


@dataclass
class ToolSpec:
    name: str
    group: str
    args_model: type[ToolArgs]
    side_effect: bool
    min_role: str
    description: str
    run: Callable[[ToolContext, Any], Any]
    performer: Callable[[ToolContext, dict[str, Any]], dict[str, Any]] | None = None
    # For side-effect tools: checks the resolved arguments again at approval time (a lead may have
    # opted out since), raising ToolRefused/ToolError; defaults to nothing extra.
    recheck: Callable[[ToolContext, dict[str, Any]], None] | None = None
    _schema: dict[str, Any] | None = None

    def perform(self, func: Callable[[ToolContext, dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
        self.performer = func
        return func

    def rechecks(self, func: Callable[[ToolContext, dict[str, Any]], None]) -> Callable[..., Any]:
        self.recheck = func
        return func

    def openai_tool(self) -> dict[str, Any]:
        if self._schema is None:
            self._schema = {
                "type": "function",
                "function": {
                    "name": self.name,
                    "description": self.description,
                    "parameters": strict_schema(self.args_model),
                    "strict": True,
                },
            }
        return self._schema


REGISTRY: dict[str, ToolSpec] = {}


def tool(
    name: str,
    *,
    group: str,
    args_model: type[ToolArgs],
    side_effect: bool = False,
    min_role: str = Role.VIEWER,
    description: str = "",
) -> Callable[[Callable[..., Any]], ToolSpec]:
    """Register a tool. The decorated function becomes the ``ToolSpec`` (``.perform`` for side effects)."""

    def register(func: Callable[..., Any]) -> ToolSpec:
        if name in REGISTRY:
            raise ValueError(f"Tool {name!r} is registered twice.")
        spec = ToolSpec(
            name=name,
            group=group,
            args_model=args_model,
            side_effect=side_effect,
            min_role=min_role,
            description=description or (func.__doc__ or "").strip(),
            run=func,
        )
        REGISTRY[name] = spec
        return spec

    return register


def get_tool(name: str) -> ToolSpec | None:
    _load_tools()
    return REGISTRY.get(name)


def _load_tools() -> None:
    # The tool modules register themselves on import; importing the package imports them all.
    import agents.tools  # noqa: F401


# --- Strict JSON schema --------------------------------------------------------------------------

# Keywords OpenAI's strict mode rejects or ignores; pydantic still enforces them on the way in.
_UNSUPPORTED = {"default", "title", "minLength", "maxLength", "examples", "maxProperties", "minProperties"}


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema under OpenAI's strict-mode rules.

    Every object forbids extra properties and lists every property as required; an optional
    argument is expressed as "string or null" (pydantic already writes it as ``anyOf`` with null).
    """
    return _strict(model.model_json_schema())


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items() if key not in _UNSUPPORTED}
    if "properties" in node:
        out["properties"] = {key: _strict(value) for key, value in node["properties"].items()}
    if out.get("type") == "object" or "properties" in out:
        out["type"] = "object"
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
        out.setdefault("properties", {})
    return out


# --- Lookups inside the team ---------------------------------------------------------------------


def parse_id(raw: Any) -> UUID | None:
    if isinstance(raw, UUID):
        return raw
    try:
        return UUID(str(raw).strip())
    except (ValueError, AttributeError, TypeError):
        return None


def get_in_team(queryset_or_model: type[M] | models.QuerySet[M], raw_id: Any, ctx: ToolContext, *, label: str) -> M:
    """The team's object with this id, or ``NotFound`` (the same answer for another team's id)."""
    pk = parse_id(raw_id)
    if pk is None:
        raise NotFound(label)
    queryset = (
        queryset_or_model if isinstance(queryset_or_model, models.QuerySet) else queryset_or_model.objects.all()  # type: ignore[attr-defined]
    )
    # The scoped manager already limits the query to the current team; the explicit filter keeps
    # that true even if a tool were ever run with scopes disabled.
    obj = queryset.filter(team_id=ctx.team.pk, pk=pk).first()
    if obj is None:
        raise NotFound(label)
    return obj


# --- Size caps -------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def jsonable(value: Any) -> Any:
    return json.loads(_json(value))


def _shrink(value: Any, chars: int, items: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= chars else value[: chars - 1] + "…"
    if isinstance(value, list):
        return [_shrink(item, chars, items) for item in value[:items]]
    if isinstance(value, dict):
        return {key: _shrink(item, chars, items) for key, item in value.items()}
    return value


def cap(value: Mapping[str, Any], limit: int = MAX_RESULT_BYTES) -> dict[str, Any]:
    """``value`` as JSON-safe data of at most ``limit`` bytes: long texts and lists are cut, and
    ``truncated`` says so. A result that cannot be made small enough becomes a short notice."""
    text = _json(dict(value))
    data: dict[str, Any] = json.loads(text)
    if len(text.encode()) <= limit:
        return data
    chars, items = MAX_STRING_CHARS, MAX_LIST_ITEMS
    while chars >= 40:
        smaller = _shrink(data, chars, items)
        smaller["truncated"] = True
        if len(_json(smaller).encode()) <= limit:
            return smaller
        chars, items = chars // 2, max(1, items // 2)
    return {"truncated": True, "notice": "The result was too large to show."}


# --- Running a tool ----------------------------------------------------------------------------------


@dataclass
class ToolOutcome:
    name: str
    arguments: dict[str, Any]
    status: str  # executed | pending_approval | refused | failed
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    pending_action: PendingAction | None = None
    lead_id: UUID | None = None
    latency_ms: int = 0

    def for_model(self) -> dict[str, Any]:
        """What the model reads back: the status and the result, or the reason it failed."""
        if self.status in ("executed", "pending_approval"):
            return {"status": self.status, **self.result}
        return {"status": self.status, "error": self.error}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "arguments": self.arguments, "status": self.status}
        if self.status in ("executed", "pending_approval"):
            data["result"] = self.result
        else:
            data["error"] = self.error
        return data


def _argument_errors(exc: ArgumentsError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        problems.append(f"{where}: {error['msg']}")
    return "Invalid arguments: " + "; ".join(problems)


def _parse(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    text = _json(dict(raw)) if isinstance(raw, Mapping) else str(raw)
    if len(text) > MAX_ARGUMENT_CHARS:
        raise ToolError(f"The arguments are too large ({len(text):,} characters; at most {MAX_ARGUMENT_CHARS:,}).")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ToolError("The arguments are not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ToolError("The arguments must be a JSON object.")
    return data


def _safe_arguments(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The arguments as the audit log keeps them: parsed if possible, capped either way."""
    try:
        return cap(_parse(raw), limit=2_048)
    except ToolError:
        text = raw if isinstance(raw, str) else ""
        return {"raw": text[:500]}


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{message}" for messages in exc.message_dict.values() for message in messages)
    return " ".join(exc.messages)


def execute(
    name: str,
    raw_arguments: str | Mapping[str, Any] | None,
    ctx: ToolContext,
    *,
    allowed: Collection[str],
) -> ToolOutcome:
    """Run one tool call from a model (or the offline planner) under every server-side rule.

    Never raises for anything the caller sent: unknown tools, tools outside the agent's set, bad
    arguments, missing roles and ids outside the team all come back as an outcome with a status.
    """
    started = time.perf_counter()
    name = str(name)[:40]
    outcome = _execute(name, raw_arguments, ctx, allowed)
    outcome.latency_ms = int((time.perf_counter() - started) * 1000)
    return outcome


def _execute(name: str, raw_arguments: Any, ctx: ToolContext, allowed: Collection[str]) -> ToolOutcome:
    spec = get_tool(name)
    if spec is None or name not in allowed:
        return ToolOutcome(
            name, _safe_arguments(raw_arguments), "refused", error=f"No tool named “{name}” is available here."
        )
    try:
        data = _parse(raw_arguments)
    except ToolError as exc:
        return ToolOutcome(name, _safe_arguments(raw_arguments), "failed", error=str(exc))
    arguments = cap(data, limit=2_048)
    try:
        args = spec.args_model.model_validate(data)
    except ArgumentsError as exc:
        return ToolOutcome(name, arguments, "failed", error=_argument_errors(exc))
    if not role_at_least(ctx.role, spec.min_role):
        return ToolOutcome(
            name, arguments, "refused", error=f"This needs the {Role(spec.min_role).label} role or higher."
        )
    # Inside a caller's transaction, a savepoint per call: a database error inside one tool leaves
    # that transaction usable, and the model is told the call failed. In autocommit a failed
    # statement spoils nothing, and a read needs no BEGIN/COMMIT round trips of its own.
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with guard:
            result = spec.run(ctx, args)
            if spec.side_effect:
                return _propose(spec, ctx, arguments, result)
    except ToolError as exc:
        return ToolOutcome(name, arguments, exc.status, error=str(exc))
    except ValidationError as exc:
        return ToolOutcome(name, arguments, "failed", error=validation_message(exc))
    except DatabaseError:
        logger.exception("Tool %s failed for team %s", name, ctx.team.pk)
        return ToolOutcome(name, arguments, "failed", error="The tool failed; try again later.")
    return ToolOutcome(name, arguments, "executed", result=cap(result))


def _propose(spec: ToolSpec, ctx: ToolContext, arguments: dict[str, Any], proposal: Any) -> ToolOutcome:
    from agents.services.approvals import create_pending_action
    from agents.services.policy import allows_autonomously

    if not isinstance(proposal, Proposal) or spec.performer is None:
        raise TypeError(f"Side-effect tool {spec.name} must return a Proposal and define perform().")
    lead_id = proposal.lead.pk if proposal.lead is not None else None
    # Autonomy covers the lead the turn is about, never another one a model chose to reach.
    in_context = lead_id is None or lead_id == ctx.lead_id
    if in_context and allows_autonomously(ctx, tool=spec.name, property_id=proposal.property_id):
        result = spec.performer(ctx, proposal.arguments)
        return ToolOutcome(spec.name, arguments, "executed", result=cap(result), lead_id=lead_id)
    action = create_pending_action(ctx=ctx, tool=spec.name, proposal=proposal)
    result = {"pending_action": str(action.pk), "summary": action.summary, "needs": "a teammate's approval"}
    return ToolOutcome(spec.name, arguments, "pending_approval", result=result, pending_action=action, lead_id=lead_id)


def tools_for(names: Collection[str]) -> list[dict[str, Any]]:
    """The OpenAI ``tools`` list for these tool names, in the given order."""
    specs = [get_tool(name) for name in names]
    return [spec.openai_tool() for spec in specs if spec is not None]
