"""Errors every provider client raises, so callers handle all channels alike."""

from __future__ import annotations


class ProviderError(Exception):
    """The provider refused or failed. ``retryable`` says whether trying again later can help
    (rate limits, 5xx, timeouts) or not (bad number, auth failure, unsubscribed recipient)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.code = code
