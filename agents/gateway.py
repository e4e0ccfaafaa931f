"""The LLM gateway: the only code that talks to the chat model.

``Gateway.chat`` wraps ``openai.OpenAI(...).chat.completions.create`` with what a production
caller needs and the SDK leaves to us:

- a timeout per attempt (``OPENAI_TIMEOUT``) and our own bounded retries (``OPENAI_MAX_RETRIES``)
  on 408/409/429/5xx, dropped connections and timeouts: exponential backoff with jitter, or the
  server's ``Retry-After`` (capped). A refusal (400/401/403/404/422) is answered at once;
- the circuit breaker per endpoint (``agents.breaker``): after repeated outages calls fail fast;
- token and cost metering for the team (``crm.billing``), which never breaks the call;
- one structured log line per call (team, model, purpose, latency, tokens, attempts; never the
  prompt or the answer);
- errors mapped to ``agents.llm``'s: ``LLMUnavailable`` (message safe to show), ``CircuitOpen``,
  ``LLMBadAnswer``.

``get_chat_model()`` is how the agents get a model: the gateway when a key is configured, else
None, and they use the offline engine.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import openai
from django.conf import settings

from agents.breaker import CircuitBreaker
from agents.llm import LLMBadAnswer, LLMUnavailable, llm_enabled
from crm.billing.services import record_ai_usage

if TYPE_CHECKING:
    from crm.teams.models import Team

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429})
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
# A server asking for a longer pause than this is down for longer than a caller should wait.
RETRY_AFTER_CAP_SECONDS = 20.0


def sleep(seconds: float) -> None:
    """The backoff pause (tests replace it: ``monkeypatch.setattr(gateway, "sleep", ...)``)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class ToolCallRequest:
    id: str
    name: str
    arguments: str  # raw JSON text from the model: validate before use


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatResult:
    content: str | None
    tool_calls: list[ToolCallRequest]
    finish_reason: str
    usage: Usage
    model: str
    latency_ms: float


class ChatModel(Protocol):
    engine: str

    def chat(
        self,
        *,
        team: Team | None,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
        purpose: str = "agent",
        timeout: float | None = None,
    ) -> ChatResult: ...


def is_retryable(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The server's requested pause (``retry-after-ms`` or ``Retry-After``), capped; None if absent."""
    if not headers:
        return None
    seconds: float | None = None
    if raw_ms := headers.get("retry-after-ms"):
        try:
            seconds = float(raw_ms) / 1000
        except ValueError:
            seconds = None
    if seconds is None and (raw := headers.get("retry-after")):
        try:
            seconds = float(raw)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None:
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_SECONDS)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter after the ``attempt``-th failure (1-based)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


@dataclass
class _Call:
    """What one ``chat`` call did, for the log line and the breaker."""

    attempts: int = 0
    status: int | None = None
    sleeps: list[float] = field(default_factory=list)


class Gateway:
    """A ``ChatModel`` over any OpenAI-compatible endpoint. Cheap to create; holds no connection."""

    engine = "llm"

    def __init__(
        self,
        *,
        model: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.model = model or settings.OPENAI_AGENT_MODEL
        self.api_key = api_key or settings.OPENAI_API_KEY
        self.base_url = base_url if base_url is not None else settings.OPENAI_BASE_URL
        self.timeout = float(timeout if timeout is not None else settings.OPENAI_TIMEOUT)
        self.max_retries = int(max_retries if max_retries is not None else settings.OPENAI_MAX_RETRIES)
        self._sleep = sleep

    def chat(
        self,
        *,
        team: Team | None,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
        purpose: str = "agent",
        timeout: float | None = None,
        temperature: float | None = None,
    ) -> ChatResult:
        """One chat completion: the answer's text and tool calls, or an ``LLMError``."""
        if not self.api_key:
            raise LLMUnavailable("No language model is configured (OPENAI_API_KEY is not set).")
        breaker = CircuitBreaker.for_endpoint(base_url=self.base_url, model=self.model)
        try:
            ticket = breaker.before_call()
        except LLMUnavailable:
            self._log(team=team, purpose=purpose, call=_Call(), started=time.monotonic(), outcome="circuit_open")
            raise
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            request["tools"] = tools
        if response_format is not None:
            request["response_format"] = response_format
        if temperature is not None:
            request["temperature"] = temperature
        call = _Call()
        started = time.monotonic()
        # The half-open probe is one attempt: the breaker wants a quick verdict.
        retries = 0 if ticket.trial else self.max_retries
        try:
            completion = self._create(request, timeout=timeout or self.timeout, retries=retries, call=call)
        except LLMUnavailable as exc:
            outage = call.status is None or is_retryable(call.status)
            (breaker.record_failure if outage else breaker.record_success)(ticket)
            self._log(team=team, purpose=purpose, call=call, started=started, outcome="unavailable", error=str(exc))
            raise
        except LLMBadAnswer:
            breaker.record_success(ticket)  # the endpoint answered, however badly
            self._log(team=team, purpose=purpose, call=call, started=started, outcome="bad_answer")
            raise
        breaker.record_success(ticket)
        return self._result(completion, team=team, purpose=purpose, call=call, started=started)

    # --- the request, with retries ---------------------------------------------------------------

    def _create(self, request: dict[str, Any], *, timeout: float, retries: int, call: _Call) -> Any:
        pause = self._sleep or sleep  # looked up per call, so a patched module ``sleep`` applies
        with openai.OpenAI(
            api_key=self.api_key, base_url=self.base_url or None, timeout=timeout, max_retries=0
        ) as client:
            while True:
                call.attempts += 1
                try:
                    return client.chat.completions.create(**request)
                except openai.APIStatusError as exc:
                    call.status = exc.status_code
                    if not is_retryable(exc.status_code) or call.attempts > retries:
                        raise LLMUnavailable(
                            f"The language model refused the request (HTTP {exc.status_code})."
                        ) from exc
                    delay = retry_after_seconds(exc.response.headers)
                    if delay is None:
                        delay = backoff_seconds(call.attempts)
                except openai.APITimeoutError as exc:
                    call.status = None
                    if call.attempts > retries:
                        raise LLMUnavailable("The language model did not answer in time.") from exc
                    delay = backoff_seconds(call.attempts)
                except openai.APIConnectionError as exc:
                    call.status = None
                    if call.attempts > retries:
                        raise LLMUnavailable("The language model could not be reached.") from exc
                    delay = backoff_seconds(call.attempts)
                except openai.APIResponseValidationError as exc:
                    raise LLMBadAnswer("The language model's answer could not be read.") from exc
                except openai.OpenAIError as exc:
                    raise LLMUnavailable("The language model could not be used.") from exc
                call.sleeps.append(delay)
                pause(delay)

    # --- the answer -------------------------------------------------------------------------------

    def _result(self, completion: Any, *, team: Team | None, purpose: str, call: _Call, started: float) -> ChatResult:
        latency_ms = (time.monotonic() - started) * 1000
        model = str(getattr(completion, "model", None) or self.model)
        raw_usage = getattr(completion, "usage", None)
        usage = Usage(
            prompt_tokens=int(getattr(raw_usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(raw_usage, "completion_tokens", 0) or 0),
        )
        # Tokens are spent even when the answer turns out unusable: meter first.
        record_ai_usage(team=team, model=model, usage=usage, purpose=purpose)
        try:
            result = _parse(completion, usage=usage, model=model, latency_ms=latency_ms)
        except LLMBadAnswer as exc:
            self._log(
                team=team,
                purpose=purpose,
                call=call,
                started=started,
                outcome="bad_answer",
                usage=usage,
                error=str(exc),
            )
            raise
        self._log(team=team, purpose=purpose, call=call, started=started, outcome="ok", usage=usage)
        return result

    def _log(
        self,
        *,
        team: Team | None,
        purpose: str,
        call: _Call,
        started: float,
        outcome: str,
        usage: Usage | None = None,
        error: str = "",
    ) -> None:
        usage = usage or Usage()
        logger.log(
            logging.INFO if outcome == "ok" else logging.WARNING,
            "LLM call %s",
            outcome,
            extra={
                "team_id": str(team.pk) if team is not None else None,
                "model": self.model,
                "purpose": purpose,
                "outcome": outcome,
                "latency_ms": round((time.monotonic() - started) * 1000, 1),
                "attempts": call.attempts,
                "backoff_s": round(sum(call.sleeps), 3),
                "http_status": call.status,
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "error": error,
            },
        )


def _parse(completion: Any, *, usage: Usage, model: str, latency_ms: float) -> ChatResult:
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise LLMBadAnswer("The language model returned no answer.")
    choice = choices[0]
    message = getattr(choice, "message", None)
    finish_reason = str(getattr(choice, "finish_reason", None) or "")
    if message is None:
        raise LLMBadAnswer("The language model returned no answer.")
    if getattr(message, "refusal", None):
        raise LLMBadAnswer("The language model declined to answer.")
    tool_calls: list[ToolCallRequest] = []
    for raw in getattr(message, "tool_calls", None) or []:
        function = getattr(raw, "function", None)
        name = getattr(function, "name", None)
        if getattr(raw, "type", "function") != "function" or not name:
            raise LLMBadAnswer("The language model asked for a tool in a form Loriaa does not use.")
        arguments = getattr(function, "arguments", None)
        tool_calls.append(
            ToolCallRequest(
                id=str(getattr(raw, "id", None) or ""),
                name=str(name),
                arguments=arguments if isinstance(arguments, str) else "",
            )
        )
    content = getattr(message, "content", None)
    if not isinstance(content, str):
        content = None
    if not content and not tool_calls:
        if finish_reason == "length":
            raise LLMBadAnswer("The language model's answer was cut short.")
        raise LLMBadAnswer("The language model returned an empty answer.")
    return ChatResult(
        content=content,
        tool_calls=tool_calls,
        finish_reason=finish_reason,
        usage=usage,
        model=model,
        latency_ms=latency_ms,
    )


def get_chat_model() -> ChatModel | None:
    """The gateway when a model is configured (``OPENAI_API_KEY``), else None: use the offline engine."""
    if not llm_enabled() or not settings.OPENAI_API_KEY:
        return None
    return Gateway()
