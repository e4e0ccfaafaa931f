"""Small pure pieces of the gateway: reading Retry-After, the backoff curve, the price settings."""

from __future__ import annotations

import email.utils
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from agents.gateway import RETRY_AFTER_CAP_SECONDS, backoff_seconds, is_retryable, retry_after_seconds
from agents.llm import CircuitOpen, LLMUnavailable
from loriaa.env import env_decimal


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # OpenAI's precise header wins
        ({"retry-after": "86400"}, RETRY_AFTER_CAP_SECONDS),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_is_read_and_capped(headers: dict[str, str] | None, seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_retry_after_may_be_an_http_date() -> None:
    in_five = email.utils.formatdate(time.time() + 5, usegmt=True)
    wait = retry_after_seconds({"retry-after": in_five})
    assert wait is not None
    assert 3.0 <= wait <= 5.0


def test_backoff_doubles_with_jitter_up_to_a_cap() -> None:
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (10, 8.0)]:
        waits = [backoff_seconds(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(set(waits)) > 1, "jitter spreads retries from many processes apart"


def test_only_rate_limits_timeouts_and_server_errors_are_retried() -> None:
    assert [status for status in (400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503) if is_retryable(status)] == [
        408,
        409,
        429,
        500,
        502,
        503,
    ]


def test_circuit_open_is_unavailable_with_a_countdown() -> None:
    error = CircuitOpen(0)
    assert isinstance(error, LLMUnavailable)
    assert str(error) == "The AI model is unavailable right now; retrying in 1 s."


def test_prices_are_decimals_and_nonsense_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PRICE", "2.50")
    assert env_decimal("SOME_PRICE", "0.15") == Decimal("2.50")
    monkeypatch.setenv("SOME_PRICE", "")
    assert env_decimal("SOME_PRICE", "0.15") == Decimal("0.15")
    for bad in ("cheap", "-1", "NaN", "Infinity"):
        monkeypatch.setenv("SOME_PRICE", bad)
        with pytest.raises(ImproperlyConfigured, match="SOME_PRICE must be a number"):
            env_decimal("SOME_PRICE", "0.15")
