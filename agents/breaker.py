"""A circuit breaker per model endpoint, shared by every web and worker process through the cache.

closed ──(``LLM_BREAKER_THRESHOLD`` consecutive failed calls)──▶ open ──(``LLM_BREAKER_COOLDOWN``)──▶
half-open: ONE trial call goes through (``cache.add`` is the lock), the others still fail fast;
the trial's success closes the breaker, its failure opens it for another cooldown.

A failed call is an outage after the gateway's retries: 408/409/429/5xx, a dropped connection or a
timeout. A refusal (400/401/403/404) means the endpoint is up and answering, so it does not count.

The state lives in Django's cache (Redis in production, the database table otherwise). The
breaker only saves time during outages: when the cache itself fails, calls go through (logged).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from agents.llm import CircuitOpen

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Long enough to outlive any cooldown; short enough that a forgotten key cannot haunt an endpoint.
STATE_TTL = 24 * 3600


def now() -> float:
    """Wall-clock seconds, shared by every process (tests patch this)."""
    return time.time()


@dataclass(frozen=True)
class Ticket:
    """Permission for one call: ``trial`` when it is the half-open probe."""

    trial: bool = False
    # Something to clear on success (failures counted, or the breaker was open).
    dirty: bool = False


class CircuitBreaker:
    def __init__(self, endpoint: str, *, threshold: int, cooldown: float, trial_ttl: float) -> None:
        digest = hashlib.sha256(endpoint.encode()).hexdigest()[:32]
        self.endpoint = endpoint
        self.threshold = threshold
        self.cooldown = cooldown
        self.trial_ttl = trial_ttl
        self._failures = f"llm-breaker:{digest}:failures"
        self._opened_at = f"llm-breaker:{digest}:opened-at"
        self._trial = f"llm-breaker:{digest}:trial"

    @classmethod
    def for_endpoint(cls, *, base_url: str, model: str) -> CircuitBreaker:
        return cls(
            f"{base_url or 'https://api.openai.com/v1'}|{model}",
            threshold=settings.LLM_BREAKER_THRESHOLD,
            cooldown=settings.LLM_BREAKER_COOLDOWN,
            # A trial that crashed mid-call must not keep the endpoint locked for long.
            trial_ttl=settings.OPENAI_TIMEOUT + 30,
        )

    def before_call(self) -> Ticket:
        """A ticket for the call, or ``CircuitOpen`` (no request is to be made)."""
        state: dict[str, Any] = self._safe(lambda: cache.get_many([self._failures, self._opened_at]), {})
        opened_at = state.get(self._opened_at)
        if opened_at is None:
            return Ticket(dirty=bool(state.get(self._failures)))
        waited = now() - float(opened_at)
        if waited < self.cooldown:
            raise CircuitOpen(math.ceil(self.cooldown - waited))
        if self._safe(lambda: cache.add(self._trial, now(), timeout=self.trial_ttl), True):
            logger.info("LLM circuit half-open: one trial call", extra={"endpoint": self.endpoint})
            return Ticket(trial=True, dirty=True)
        raise CircuitOpen(math.ceil(self.trial_ttl))  # another process is probing right now

    def record_success(self, ticket: Ticket) -> None:
        if ticket.dirty:
            self.reset()
            if ticket.trial:
                logger.info("LLM circuit closed: the trial call succeeded", extra={"endpoint": self.endpoint})

    def record_failure(self, ticket: Ticket) -> None:
        failures = self._safe(self._count_failure, 0)
        if ticket.trial or failures >= self.threshold:
            self._safe(lambda: cache.set(self._opened_at, now(), timeout=STATE_TTL), None)
            self._safe(lambda: cache.delete(self._trial), None)
            logger.warning(
                "LLM circuit open for %s s after %s consecutive failures",
                self.cooldown,
                failures,
                extra={"endpoint": self.endpoint, "trial": ticket.trial},
            )

    def state(self) -> str:
        """``closed``, ``open`` or ``half-open`` (for status pages and tests)."""
        opened_at = self._safe(lambda: cache.get(self._opened_at), None)
        if opened_at is None:
            return "closed"
        return "open" if now() - float(opened_at) < self.cooldown else "half-open"

    def reset(self) -> None:
        self._safe(lambda: cache.delete_many([self._failures, self._opened_at, self._trial]), None)

    def _count_failure(self) -> int:
        cache.add(self._failures, 0, timeout=STATE_TTL)
        try:
            return int(cache.incr(self._failures))
        except ValueError:  # expired between add and incr
            cache.set(self._failures, 1, timeout=STATE_TTL)
            return 1

    def _safe(self, operation: Callable[[], T], fallback: T) -> T:
        try:
            return operation()
        except Exception:  # a broken cache must not take the model down with it
            logger.warning("LLM circuit breaker could not reach the cache", exc_info=True)
            return fallback


def breaker_reset(*, base_url: str, model: str) -> None:
    """Forget an endpoint's failures (tests; an operator after fixing a key)."""
    CircuitBreaker.for_endpoint(base_url=base_url, model=model).reset()
