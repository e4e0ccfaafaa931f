"""The one place that talks to the language model: a small, settings-driven ``openai`` client.

Any OpenAI-compatible server works (``OPENAI_BASE_URL``: OpenAI, Ollama, vLLM, ...). Callers ask
for JSON that matches a schema and get a ``dict`` back, or an ``LLMError`` that says why not;
they decide what to do without a model (usually: the offline engine).

Kept deliberately small. The agents work grows it into the full gateway (circuit breaker,
token metering into billing per ``team``), behind the same ``complete_json`` call.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import openai
from django.conf import settings

if TYPE_CHECKING:
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0
# One retry rides out a dropped connection or a 429/5xx blip; more would keep a web request
# waiting for minutes on an outage.
MAX_RETRIES = 1


class LLMError(Exception):
    """No usable answer from the model. The message is safe to show to a user."""


class LLMUnavailable(LLMError):
    """The model is switched off, unreachable, or refused the request (auth, quota, outage)."""


class LLMBadAnswer(LLMError):
    """The model answered, but not with JSON we can use (refusal, cut short, malformed)."""


def llm_enabled() -> bool:
    return bool(settings.OPENAI_ENABLED)


def _client() -> openai.OpenAI:
    if not llm_enabled():
        raise LLMUnavailable("No language model is configured (OPENAI_API_KEY is not set).")
    return openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=TIMEOUT_SECONDS,
        max_retries=MAX_RETRIES,
    )


def complete_json(
    *,
    system: str,
    user: str,
    schema: dict[str, Any],
    name: str = "answer",
    team: Team | None = None,
    temperature: float | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Ask the chat model for one JSON object matching ``schema`` (strict structured output).

    ``team`` is who the call is for: the gateway will meter it; today it only labels the log.
    ``timeout`` bounds each attempt (default ``TIMEOUT_SECONDS``), for callers inside a web request.
    """
    response_format: Any = {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
    extra: dict[str, Any] = {} if temperature is None else {"temperature": temperature}
    if timeout is not None:
        extra["timeout"] = timeout
    try:
        with _client() as client:
            completion = client.chat.completions.create(
                model=settings.OPENAI_MODEL,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                response_format=response_format,
                **extra,
            )
    except openai.APIStatusError as exc:
        logger.warning("LLM call failed with HTTP %s for team %s", exc.status_code, getattr(team, "pk", None))
        raise LLMUnavailable(f"The language model refused the request (HTTP {exc.status_code}).") from exc
    except openai.APIError as exc:  # connection errors and timeouts
        logger.warning("LLM call failed for team %s: %s", getattr(team, "pk", None), exc)
        raise LLMUnavailable("The language model could not be reached.") from exc

    if not completion.choices:
        raise LLMBadAnswer("The language model returned no answer.")
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise LLMBadAnswer("The language model's answer was cut short.")
    if getattr(choice.message, "refusal", None):
        raise LLMBadAnswer("The language model declined to answer.")
    try:
        answer = json.loads(choice.message.content or "")
    except ValueError as exc:
        raise LLMBadAnswer("The language model did not answer in JSON.") from exc
    if not isinstance(answer, dict):
        raise LLMBadAnswer("The language model's JSON is not an object.")
    return answer
