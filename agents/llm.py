"""The errors every AI caller handles, and ``complete_json`` for one-shot structured answers.

Any OpenAI-compatible server works (``OPENAI_BASE_URL``: OpenAI, Ollama, vLLM, ...). All traffic
goes through ``agents.gateway.Gateway``: timeouts, bounded retries with backoff, the circuit
breaker shared by every process, token and cost metering per team, and a structured log line
per call. Callers get a ``dict`` (``complete_json``) or a ``ChatResult`` (``Gateway.chat``), or
an ``LLMError`` whose message is safe to show; without a model they fall back, usually to the
offline engine.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from crm.teams.models import Team

# ``complete_json`` runs inside web requests: one retry rides out a dropped connection or a
# 429/5xx blip; more would keep the page waiting on an outage. (The agents use
# ``OPENAI_MAX_RETRIES``.) Callers divide their time budget by ``1 + MAX_RETRIES``.
MAX_RETRIES = 1


class LLMError(Exception):
    """No usable answer from the model. The message is safe to show to a user."""


class LLMUnavailable(LLMError):
    """The model is switched off, unreachable, or refused the request (auth, quota, outage)."""


class LLMBadAnswer(LLMError):
    """The model answered, but not with JSON we can use (refusal, cut short, malformed)."""


class CircuitOpen(LLMUnavailable):
    """The endpoint failed repeatedly: calls fail fast, without a request, until the cooldown ends."""

    def __init__(self, retry_in: int) -> None:
        self.retry_in = max(int(retry_in), 1)
        super().__init__(f"The AI model is unavailable right now; retrying in {self.retry_in} s.")


def llm_enabled() -> bool:
    return bool(settings.OPENAI_ENABLED)


def complete_json(
    *,
    system: str,
    user: str,
    schema: dict[str, Any],
    name: str = "answer",
    team: Team | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
    purpose: str | None = None,
) -> dict[str, Any]:
    """Ask the chat model (``OPENAI_MODEL``) for one JSON object matching ``schema`` (strict structured output).

    ``team`` is billed for the tokens (no team: the call is only logged); ``purpose`` labels the
    usage and defaults to ``name``. ``timeout`` bounds each attempt (default ``OPENAI_TIMEOUT``),
    for callers inside a web request.
    """
    if not llm_enabled():
        raise LLMUnavailable("No language model is configured (OPENAI_API_KEY is not set).")
    from agents.gateway import Gateway  # the gateway imports this module's errors

    result = Gateway(model=settings.OPENAI_MODEL, max_retries=MAX_RETRIES).chat(
        team=team,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        response_format={"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}},
        purpose=purpose or name,
        timeout=timeout,
        temperature=temperature,
    )
    if result.finish_reason == "length":
        raise LLMBadAnswer("The language model's answer was cut short.")
    try:
        answer = json.loads(result.content or "")
    except ValueError as exc:
        raise LLMBadAnswer("The language model did not answer in JSON.") from exc
    if not isinstance(answer, dict):
        raise LLMBadAnswer("The language model's JSON is not an object.")
    return answer
