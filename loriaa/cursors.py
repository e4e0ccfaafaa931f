"""Opaque keyset-pagination cursors: a position (a timestamp and the row's id, sometimes a flag)
as url-safe base64 JSON. Every keyset page in the app (board columns, inbox threads and messages,
agent activity, the API) encodes and decodes its cursor here.

A cursor arrives from the browser, so decoding never raises: anything malformed, tampered or
naive in time is ``None`` and the caller shows the first page.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID


def encode_cursor(moment: datetime, pk: object, *extra: int) -> str:
    raw = json.dumps([moment.isoformat(), str(pk), *extra])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_parts(cursor: str, size: int) -> list[Any] | None:
    """The cursor's ``size`` values with the first two parsed (aware datetime, UUID), or None."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) != size:
            return None
        moment = datetime.fromisoformat(parts[0])
        if moment.tzinfo is None:
            return None
        return [moment, UUID(parts[1]), *parts[2:]]
    except (ValueError, TypeError, UnicodeDecodeError):  # json.JSONDecodeError is a ValueError
        return None


def decode_cursor(cursor: str) -> tuple[datetime, UUID] | None:
    parts = decode_parts(cursor, 2)
    return (parts[0], parts[1]) if parts else None
