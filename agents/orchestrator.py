"""The COO: reads a request and hands it to the specialist who should answer it.

With a language model the COO asks for a structured answer (``{agent, reason}`` under a strict
JSON schema); without one, or when the model's answer is unusable, the offline router decides.
The COO never calls tools itself: the specialist it picks does, with that specialist's tool set.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agents import fencing
from agents.llm import LLMError
from agents.prompts import load_prompt
from agents.workforce import SPECIALISTS

if TYPE_CHECKING:
    from agents.gateway import ChatModel
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

ROUTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "agent": {"type": "string", "enum": list(SPECIALISTS), "description": "Who should answer."},
        "reason": {"type": "string", "description": "One short sentence: why this agent."},
    },
    "required": ["agent", "reason"],
    "additionalProperties": False,
}
RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "route", "strict": True, "schema": ROUTE_SCHEMA},
}
ROUTE_TIMEOUT_SECONDS = 15.0
FALLBACK_AGENT = "leasing"


def offline_api(name: str) -> Any:
    """``agents.offline.<name>`` (the offline engine's contract), or None if it is not there."""
    try:
        import agents.offline as offline
    except ImportError:
        return None
    return getattr(offline, name, None)


@dataclass(frozen=True)
class RouteDecision:
    agent: str
    reason: str
    engine: str  # "llm" or "offline"
    prompt_tokens: int = 0
    completion_tokens: int = 0


def classify_offline(message: str) -> RouteDecision:
    classify = offline_api("classify")
    if classify is None:  # no offline router installed: the leasing agent answers everything
        return RouteDecision(FALLBACK_AGENT, "Routed to the leasing agent by default.", "offline")
    route = classify(message)
    agent = route.agent if route.agent in SPECIALISTS else FALLBACK_AGENT
    return RouteDecision(agent, f"Offline router: {route.intent} ({route.confidence:.0%} sure).", "offline")


def route(message: str, *, team: Team, model: ChatModel | None, untrusted: bool = False) -> RouteDecision:
    """Which specialist should answer ``message``."""
    if model is None:
        return classify_offline(message)
    tag = fencing.new_tag()
    text = fencing.fence("request", message, tag=tag) if untrusted else message
    messages = [
        {"role": "system", "content": f"{load_prompt('coo')}\n\n{fencing.FENCE_RULES}"},
        {"role": "user", "content": text},
    ]
    try:
        result = model.chat(
            team=team,
            messages=messages,
            response_format=RESPONSE_FORMAT,
            purpose="agent:coo",
            timeout=ROUTE_TIMEOUT_SECONDS,
        )
    except LLMError as exc:
        logger.warning("COO routing fell back to the offline router: %s", exc)
        return classify_offline(message)
    tokens = {"prompt_tokens": result.usage.prompt_tokens, "completion_tokens": result.usage.completion_tokens}
    try:
        answer = json.loads(result.content or "")
        agent, reason = answer["agent"], str(answer.get("reason", ""))[:300]
    except (ValueError, KeyError, TypeError):
        agent, reason = None, ""
    if agent not in SPECIALISTS:
        fallback = classify_offline(message)
        return RouteDecision(fallback.agent, fallback.reason, "offline", **tokens)
    return RouteDecision(agent, reason, "llm", **tokens)
