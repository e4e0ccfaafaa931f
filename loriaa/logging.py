"""Structured logging with a correlation id on every line.

The id lives in a ContextVar so it follows the request through the ORM, template rendering
and into Celery tasks (propagated as a message header, see ``loriaa.celery``).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")

# Accept ids from upstream proxies only when they look like ids; anything else could be used
# to inject fake fields into log lines.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def clean_correlation_id(value: str | None) -> str:
    if value and _VALID_ID.match(value):
        return value
    return new_correlation_id()


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "correlation_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers (Loki, CloudWatch, Datadog) ingest as is."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", correlation_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)
