"""An in-process ``ChatModel`` that answers from a script: no HTTP, no latency.

    model = ScriptedModel(calls(("search_leads", {"query": "Ada"})), say("Found Ada."))
    run_turn(..., model=model)
    model.requests  # what the runtime sent each time (messages, tools, response_format, purpose)

A step may be a function of the messages so far (``echo`` repeats every tool result it was
shown, the way an obedient model would leak whatever it read).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections import deque
from collections.abc import Callable
from typing import Any

from agents.gateway import ChatResult, ToolCallRequest, Usage

Step = ChatResult | Callable[[list[dict[str, Any]]], ChatResult]
_ids = itertools.count(1)


def say(text: str, *, usage: tuple[int, int] = (10, 5)) -> ChatResult:
    return ChatResult(
        content=text, tool_calls=[], finish_reason="stop", usage=Usage(*usage), model="scripted", latency_ms=0.0
    )


def calls(*pairs: tuple[str, Any], usage: tuple[int, int] = (10, 5)) -> ChatResult:
    """Tool calls; arguments that are not a string are sent as JSON text, as a model would."""
    requests = [
        ToolCallRequest(
            id=f"call_{next(_ids)}", name=name, arguments=args if isinstance(args, str) else json.dumps(args)
        )
        for name, args in pairs
    ]
    return ChatResult(
        content=None, tool_calls=requests, finish_reason="tool_calls", usage=Usage(*usage), model="scripted",
        latency_ms=0.0,
    )  # fmt: skip


def call(name: str, args: Any = None, **kwargs: Any) -> ChatResult:
    return calls((name, args if args is not None else {}), **kwargs)


def route_to(agent: str, reason: str = "scripted") -> ChatResult:
    return say(json.dumps({"agent": agent, "reason": reason}))


def echo(messages: list[dict[str, Any]]) -> ChatResult:
    """An obedient model's last word: everything the tools told it, repeated to whoever asked."""
    shown = [str(m.get("content") or "") for m in messages if m.get("role") == "tool"]
    return say("Here is everything I found: " + " | ".join(shown))


class ScriptedModel:
    engine = "llm"

    def __init__(self, *steps: Step, repeat: Step | None = None) -> None:
        self.steps: deque[Step] = deque(steps)
        self.repeat = repeat
        self.requests: list[dict[str, Any]] = []

    def chat(
        self,
        *,
        team: Any,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
        purpose: str = "agent",
        timeout: float | None = None,
    ) -> ChatResult:
        self.requests.append(
            {
                "team": team,
                "messages": copy.deepcopy(messages),
                "tools": tools,
                "response_format": response_format,
                "purpose": purpose,
                "timeout": timeout,
            }
        )
        if self.steps:
            step = self.steps.popleft()
        elif self.repeat is not None:
            step = self.repeat
        else:
            raise AssertionError(f"The script ran out at request {len(self.requests)}")
        return step(messages) if callable(step) else step

    @property
    def transcript(self) -> str:
        """Everything the runtime sent the model, as one string (for leak checks)."""
        return json.dumps([request["messages"] for request in self.requests], ensure_ascii=False)
