"""A scripted, OpenAI-compatible chat server on loopback, for driving the real ``openai`` SDK.

    with ScriptedOpenAI() as fake:                       # 127.0.0.1:<free port>; fake.base_url ends in /v1
        fake.script(tool_call("search_leads", {"query": "Ada"}), reply("Found Ada."))   # answered in order
        fake.script(error(429, headers={"retry-after": "1"}), error(500), reply("ok"))
        fake.responder = lambda request_json: reply("...")                             # when the script is empty
        fake.requests                                     # the JSON bodies received, in order

``POST /v1/chat/completions`` answers in OpenAI's shape (``chat.completion`` with ``choices[0].message``
and ``usage``); ``tool_call``/``tool_calls`` answer with ``finish_reason="tool_calls"``. A reply whose
content is a dict or list is sent as a JSON string, as a ``response_format`` json_schema answer is.
With the script exhausted and no responder the server answers 500 and counts the request in
``unscripted``, so a test that makes an unplanned call fails loudly (the ``openai_fake`` fixture
fails the test at teardown). No artificial latency.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import LoopbackFake

COMPLETIONS_PATH = "/v1/chat/completions"
DEFAULT_USAGE = (10, 5)

UsageSpec = tuple[int, int] | dict[str, int] | None


@dataclass(frozen=True)
class FakeResponse:
    """One scripted answer: a chat completion (``message`` set) or a raw body with a status."""

    status: int = 200
    message: dict[str, Any] | None = None
    finish_reason: str = "stop"
    usage: tuple[int, int] = DEFAULT_USAGE
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    model: str | None = None

    def render(self, request: dict[str, Any], *, number: int) -> tuple[int, dict[str, str], bytes]:
        if self.message is None:
            if isinstance(self.body, bytes):
                payload = self.body
            elif isinstance(self.body, str):
                payload = self.body.encode()
            else:
                payload = json.dumps(self.body).encode()
            content_type = "application/json" if not isinstance(self.body, (bytes, str)) else "text/plain"
            return self.status, {"Content-Type": content_type, **self.headers}, payload
        prompt_tokens, completion_tokens = self.usage
        completion = {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model or request.get("model") or "fake-model",
            "choices": [{"index": 0, "message": self.message, "finish_reason": self.finish_reason, "logprobs": None}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return self.status, {"Content-Type": "application/json", **self.headers}, json.dumps(completion).encode()


def _usage(usage: UsageSpec) -> tuple[int, int]:
    if usage is None:
        return DEFAULT_USAGE
    if isinstance(usage, dict):
        return int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    return int(usage[0]), int(usage[1])


def _text(content: Any) -> str | None:
    if content is None or isinstance(content, str):
        return content
    return json.dumps(content)


def reply(
    content: Any,
    *,
    usage: UsageSpec = None,
    finish_reason: str = "stop",
    model: str | None = None,
    headers: dict[str, str] | None = None,
) -> FakeResponse:
    """An assistant message. A dict or list is sent as its JSON text (structured output)."""
    return FakeResponse(
        message={"role": "assistant", "content": _text(content), "refusal": None},
        finish_reason=finish_reason,
        usage=_usage(usage),
        model=model,
        headers=dict(headers or {}),
    )


_call_ids = itertools.count(1)


def tool_calls(*calls: tuple[str, Any], content: Any = None, usage: UsageSpec = None) -> FakeResponse:
    """One response asking for several tools: ``tool_calls(("a", {...}), ("b", {...}))``.

    Arguments that are not a string are sent as JSON; a string is sent as is (to test malformed ones).
    """
    if not calls:
        raise ValueError("tool_calls() needs at least one (name, arguments) pair")
    requested = [
        {
            "id": f"call_{next(_call_ids)}",
            "type": "function",
            "function": {"name": name, "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)},
        }
        for name, arguments in calls
    ]
    return FakeResponse(
        message={"role": "assistant", "content": _text(content), "refusal": None, "tool_calls": requested},
        finish_reason="tool_calls",
        usage=_usage(usage),
    )


def tool_call(
    name: str, arguments: Any, *more: tuple[str, Any], content: Any = None, usage: UsageSpec = None
) -> FakeResponse:
    """The model asks for ``name(arguments)`` (and the ``(name, arguments)`` pairs in ``more``)."""
    return tool_calls((name, arguments), *more, content=content, usage=usage)


def error(status: int, body: Any = None, headers: dict[str, str] | None = None) -> FakeResponse:
    """An HTTP error with OpenAI's error body (or ``body``), e.g. ``error(429, headers={"retry-after": "2"})``."""
    if body is None:
        kind = {
            400: "invalid_request_error",
            401: "invalid_request_error",
            403: "permission_error",
            429: "rate_limit_exceeded",
        }.get(status, "server_error")
        body = {"error": {"message": f"Scripted HTTP {status}", "type": kind, "param": None, "code": None}}
    return FakeResponse(status=status, body=body, headers=dict(headers or {}))


def raw(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> FakeResponse:
    """Any body at all (a dict is sent as JSON): for malformed or empty answers."""
    return FakeResponse(status=status, body=body, headers=dict(headers or {}))


Responder = Callable[[dict[str, Any]], FakeResponse]


class ScriptedOpenAI(LoopbackFake):
    def __init__(self, *responses: FakeResponse, responder: Responder | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self.responder: Responder | None = responder
        self.unscripted = 0
        self.failures: list[str] = []
        # Set to True in a test that means to call past the end of its script.
        self.allow_unscripted = False
        self._queue: deque[FakeResponse] = deque(responses)
        self._lock = threading.Lock()

    # --- scripting ------------------------------------------------------------------------------

    def script(self, *responses: FakeResponse) -> ScriptedOpenAI:
        """Queue responses, answered one per request in order."""
        with self._lock:
            self._queue.extend(responses)
        return self

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def last_request(self) -> dict[str, Any]:
        if not self.requests:
            raise AssertionError("The fake OpenAI server has received no request.")
        return self.requests[-1]

    def _next(self, request: dict[str, Any], number: int) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            scripted = self._queue.popleft() if self._queue else None
        if scripted is None and self.responder is not None:
            scripted = self.responder(request)
        if scripted is None:
            self.unscripted += 1
            message = (
                f"ScriptedOpenAI: request #{number} arrived but the script is exhausted and no responder is set "
                "(script more responses, or set fake.responder)."
            )
            return error(500, {"error": {"message": message, "type": "server_error", "code": "unscripted"}}).render(
                request, number=number
            )
        return scripted.render(request, number=number)

    # --- serving --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.origin + "/v1"

    def start(self) -> ScriptedOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.split("?")[0] != COMPLETIONS_PATH:
                    self._send(404, {"Content-Type": "application/json"}, _not_found(self.path))
                    return
                try:
                    request = json.loads(data or b"{}")
                except ValueError:
                    fake.failures.append(f"Request body is not JSON: {data[:200]!r}")
                    self._send(400, {"Content-Type": "application/json"}, b'{"error": {"message": "not JSON"}}')
                    return
                with fake._lock:
                    fake.requests.append(request)
                    fake.request_headers.append({key.lower(): value for key, value in self.headers.items()})
                    number = len(fake.requests)
                try:
                    status, headers, payload = fake._next(request, number)
                except Exception:  # noqa: BLE001 - a broken responder must show up in the test, not hang it
                    fake.failures.append(traceback.format_exc())
                    status, headers, payload = 500, {"Content-Type": "text/plain"}, b"ScriptedOpenAI responder failed"
                self._send(status, headers, payload)

            def do_GET(self) -> None:
                self._send(404, {"Content-Type": "application/json"}, _not_found(self.path))

            def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

        self._serve(Handler, "scripted-openai")
        return self

    def problems(self) -> list[str]:
        """What a test should not have caused: unplanned calls and responder crashes."""
        found = list(self.failures)
        if self.unscripted and not self.allow_unscripted:
            found.append(
                f"{self.unscripted} request(s) reached the fake OpenAI server after its script ran out "
                "(set fake.allow_unscripted = True if that is the point of the test)."
            )
        return found


def _not_found(path: str) -> bytes:
    return json.dumps({"error": {"message": f"ScriptedOpenAI does not serve {path}", "type": "not_found"}}).encode()


def openai_settings(settings: Any, fake: ScriptedOpenAI) -> None:
    """Point Django's settings at ``fake`` (with pytest-django's ``settings``) and forget breaker state."""
    from agents.breaker import breaker_reset

    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake.base_url
    settings.OPENAI_ENABLED = True
    for model in {settings.OPENAI_AGENT_MODEL, settings.OPENAI_MODEL}:
        breaker_reset(base_url=fake.base_url, model=model)
