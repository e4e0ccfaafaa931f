"""Pytest fixtures for the fakes (registered in tests/conftest.py through ``pytest_plugins``).

- ``openai_fake``: a started ``ScriptedOpenAI``; the test fails at teardown if a request arrived
  after the script ran out, or a responder crashed.
- ``backoff_sleeps``: the gateway's backoff pauses, recorded instead of slept.
- ``llm_on``: the LLM switched on against ``openai_fake`` (key, base URL, breaker state cleared),
  with no backoff sleeping; yields the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.openai_server import ScriptedOpenAI, openai_settings


@pytest.fixture
def openai_fake() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as fake:
        yield fake
    if problems := fake.problems():
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def backoff_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    from agents import gateway

    slept: list[float] = []
    monkeypatch.setattr(gateway, "sleep", slept.append)
    return slept


@pytest.fixture
def llm_on(settings: Any, openai_fake: ScriptedOpenAI, backoff_sleeps: list[float]) -> ScriptedOpenAI:
    openai_settings(settings, openai_fake)
    return openai_fake
