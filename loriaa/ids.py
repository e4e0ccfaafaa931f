"""Time-ordered UUIDs (RFC 9562 version 7) for primary keys.

Random v4 keys scatter inserts across the whole B-tree; v7 keys grow with time, so a table of
100k leads keeps a compact, cache-friendly index while ids stay opaque in URLs.
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    timestamp_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (timestamp_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b (62 bits)
    return uuid.UUID(int=value)


def parse_uuid(value: str) -> uuid.UUID | None:
    """``value`` as a UUID, or None for anything else (ids arriving in query strings and forms)."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
