"""What a command is read against: the message, the lead and property on screen, the clock.

The context a caller passes (all optional):

- ``lead_id`` / ``property_id``: the lead or property on screen. Ids only ever come from here; a
  property named in the message is resolved against ``properties`` (``[{"id", "name"}]``) and
  never guessed.
- ``timezone`` (IANA name, default America/Chicago) and ``now`` (ISO datetime or datetime,
  default the current time): what "tomorrow at 2pm" means.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone as django_timezone

from agents.offline.text import normalise

DEFAULT_TIMEZONE = "America/Chicago"


class CommandContext:
    """The message in its forms, and what the context says about time, lead and property."""

    def __init__(self, message: str, context: dict[str, Any]) -> None:
        self.message = message.strip()
        self.text = normalise(self.message)
        self.context = context
        self.tz = _zone(context.get("timezone"))
        self.now = _now(context.get("now"), self.tz)

    @property
    def lead_id(self) -> str | None:
        value = self.context.get("lead_id")
        return str(value) if value else None

    def named_property(self, *, about_leads: bool = False) -> tuple[str | None, bool]:
        """(the id of the property named in the message, whether an unknown one seems named).

        In a lead command "for Ada" names a person, so only "at"/"in" are read as naming a place.
        """
        for prop in self.context.get("properties") or []:
            name = normalise(str(prop.get("name", "")))
            if name and re.search(rf"(?<!\S){re.escape(name)}(?!\S)", self.text):
                return str(prop["id"]), False
        unique = _distinctive_words(self.context.get("properties") or [])
        for word, prop_id in unique.items():
            if re.search(rf"(?<!\S){re.escape(word)}(?!\S)", self.text):
                return prop_id, False
        pattern = _PROPERTY_AT if about_leads else _PROPERTY_NAME
        return None, bool(pattern.search(self.message))

    def property_id(self) -> str | None:
        """The property named in the message, else the one in context (None if a name is unknown)."""
        named, unknown = self.named_property()
        if named or unknown:
            return named
        value = self.context.get("property_id")
        return str(value) if value else None


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo(DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _now(value: Any, tz: ZoneInfo) -> datetime:
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        value = django_timezone.now()
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


# "at Maple Court", "for Riverside": a capitalised name after a preposition, not a month or a day.
_NOT_PLACES = "|".join(
    [
        *calendar.month_name[1:],
        *calendar.month_abbr[1:],
        *calendar.day_name,
        *calendar.day_abbr,
        *("Sept", "Tues", "Thur", "Thurs", "Google", "Facebook", "Instagram", "Meta", "Zillow"),
    ]
)
_PROPERTY_NAME = re.compile(rf"\b(?:at|in|for|of)\s+(?!(?:{_NOT_PLACES})\b)[A-Z][a-z]+")
_PROPERTY_AT = re.compile(rf"\b(?:at|in)\s+(?!(?:{_NOT_PLACES})\b)[A-Z][a-z]+")
_COMMON_WORDS = frozenset({"the", "at", "of", "on", "apartments", "apartment", "homes", "lofts", "court", "place"})


def _distinctive_words(properties: list[dict[str, Any]]) -> dict[str, str]:
    """Words that name exactly one property ("riverside" for Riverside Commons)."""
    owners: dict[str, set[str]] = {}
    for prop in properties:
        for word in normalise(str(prop.get("name", ""))).split():
            if len(word) > 3 and word not in _COMMON_WORDS:
                owners.setdefault(word, set()).add(str(prop["id"]))
    return {word: next(iter(ids)) for word, ids in owners.items() if len(ids) == 1}


def local_iso(day: date, at: time, tz: ZoneInfo) -> str:
    return datetime.combine(day, at, tzinfo=tz).isoformat()
