"""Dates, times and periods as staff type them: "tomorrow at 2pm", "Dec 3 at 10:30", "last 30 days".

Everything is relative to ``now`` in the property's time zone, so "tomorrow" is the property's
tomorrow. The rules, for the ambiguous cases:

- "Friday" is the next Friday, today included; "next Friday" is the next one after today. A
  weekday whose time has already passed today means next week's.
- "Dec 3" without a year is this year's, or next year's once it has passed; "12/3" is month/day.
- "the 12th" is this month's 12th, or next month's once it has passed.
- A bare hour is read as office hours: "at 2" is 2 pm, "at 10" is 10 am, "at 14" is 14:00.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"

_RELATIVE_DAY = re.compile(r"\b(today|tonight|tomorrow|tmrw|tmr|day after tomorrow)\b", re.I)
_WEEKDAY_RE = re.compile(rf"\b(?:(this|next|coming)\s+)?({_WEEKDAY})\b\.?", re.I)
_IN_DAYS = re.compile(r"\bin\s+(\d{1,3}|a|one|two|three|four|five|six|seven)\s+(days?|weeks?)\b", re.I)
_NEXT_WEEK = re.compile(r"\bnext\s+week\b", re.I)
_MONTH_DAY = re.compile(rf"\b(?:on\s+)?({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(\d{{4}}))?", re.I)
_DAY_MONTH = re.compile(rf"\b(?:on\s+)?(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\b")
_THE_NTH = re.compile(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.I)

_CLOCK = re.compile(r"\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.?|p\.m\.?)(?!\w)", re.I)
_HOUR_MINUTE = re.compile(r"\b(?:at\s+)?(\d{1,2}):(\d{2})\b", re.I)
_AT_HOUR = re.compile(r"\bat\s+(\d{1,2})\b(?![:/.]\d)", re.I)
_NOON = re.compile(r"\b(?:at\s+)?(noon|midday|midnight)\b", re.I)

_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass(frozen=True)
class When:
    day: date | None
    at: time | None
    spans: tuple[tuple[int, int], ...]  # where the date and time were found, to cut them out of a title


def parse_when(text: str, now: datetime) -> When:
    """The date and time named in ``text`` (each None when absent), relative to ``now``."""
    spans: list[tuple[int, int]] = []
    at = _parse_time(text, spans)
    day = _parse_date(text, now.date(), spans)
    if day is not None and at is not None and datetime.combine(day, at) <= now.replace(tzinfo=None):
        weekday = _WEEKDAY_RE.search(text)
        if weekday and not weekday.group(1):  # "Monday at 9" said on Monday at 10: next Monday
            day += timedelta(days=7)
    return When(day, at, tuple(spans))


def without(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``text`` with the date and time phrases removed."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return re.sub(r"\s+", " ", text).strip()


def _parse_time(text: str, spans: list[tuple[int, int]]) -> time | None:
    if match := _NOON.search(text):
        spans.append(match.span())
        return time(0) if match.group(1).lower() == "midnight" else time(12)
    for match in _CLOCK.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            spans.append(match.span())
            return time(hour % 12 + (12 if match.group(3).lower().startswith("p") else 0), minute)
    for match in _HOUR_MINUTE.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            spans.append(match.span())
            return time(_office_hour(hour), minute)
    for match in _AT_HOUR.finditer(text):
        hour = int(match.group(1))
        if hour < 24:
            spans.append(match.span())
            return time(_office_hour(hour))
    return None


def _office_hour(hour: int) -> int:
    """A bare hour during the working day: 1 to 7 are afternoon hours, 8 to 12 morning or noon."""
    return hour + 12 if 1 <= hour <= 7 else hour


def _parse_date(text: str, today: date, spans: list[tuple[int, int]]) -> date | None:
    if match := _ISO_DATE.search(text):
        spans.append(match.span())
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _MONTH_DAY.search(text):
        spans.append(match.span())
        year = int(match.group(3)) if match.group(3) else None
        return _upcoming(MONTHS[match.group(1).lower()], int(match.group(2)), today, year)
    if match := _DAY_MONTH.search(text):
        spans.append(match.span())
        return _upcoming(MONTHS[match.group(2).lower()], int(match.group(1)), today, None)
    if match := _SLASH_DATE.search(text):
        spans.append(match.span())
        year = int(match.group(3)) if match.group(3) else None
        if year is not None and year < 100:
            year += 2000
        return _upcoming(int(match.group(1)), int(match.group(2)), today, year)
    if match := _RELATIVE_DAY.search(text):
        spans.append(match.span())
        word = match.group(1).lower()
        offset = {"today": 0, "tonight": 0, "day after tomorrow": 2}.get(word, 1)
        return today + timedelta(days=offset)
    if match := _IN_DAYS.search(text):
        spans.append(match.span())
        count = _SMALL_NUMBERS.get(match.group(1).lower()) or int(match.group(1))
        return today + timedelta(days=count * (7 if match.group(2).lower().startswith("week") else 1))
    if match := _NEXT_WEEK.search(text):
        spans.append(match.span())
        return today + timedelta(days=7 - today.weekday())  # next week's Monday
    if match := _WEEKDAY_RE.search(text):
        spans.append(match.span())
        ahead = (WEEKDAYS[match.group(2).lower()] - today.weekday()) % 7
        if match.group(1) and match.group(1).lower() in ("next", "coming") and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    if match := _THE_NTH.search(text):
        spans.append(match.span())
        day = int(match.group(1))
        candidate = _safe_date(today.year, today.month, day)
        if candidate is None or candidate < today:
            month, year = (1, today.year + 1) if today.month == 12 else (today.month + 1, today.year)
            candidate = _safe_date(year, month, day)
        return candidate
    return None


def _upcoming(month: int, day: int, today: date, year: int | None) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_LAST_N = re.compile(r"\b(?:last|past|previous)\s+(\d{1,3})\s+(days?|weeks?|months?)\b", re.I)
_LAST_UNIT = re.compile(r"\b(?:last|past|previous)\s+(day|week|month|quarter|year)\b", re.I)
_THIS_UNIT = re.compile(r"\b(?:this|current)\s+(week|month|quarter|year)\b|\b(mtd|ytd|today)\b", re.I)
_N_DAYS = re.compile(r"\b(\d{1,3})\s+days?\b", re.I)


def parse_days(text: str, today: date) -> int | None:
    """The reporting window in days ("last 30 days" → 30, "this month" → days so far), or None."""
    if match := _LAST_N.search(text):
        count, unit = int(match.group(1)), match.group(2).lower()
        return count * (7 if unit.startswith("week") else 30 if unit.startswith("month") else 1)
    if match := _LAST_UNIT.search(text):
        return {"day": 1, "week": 7, "month": 30, "quarter": 90, "year": 365}[match.group(1).lower()]
    if match := _THIS_UNIT.search(text):
        unit = (match.group(1) or match.group(2)).lower()
        if unit == "week":
            return today.weekday() + 1
        if unit in ("month", "mtd"):
            return today.day
        if unit == "quarter":
            start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
            return (today - start).days + 1
        if unit in ("year", "ytd"):
            return today.timetuple().tm_yday
        return 1
    if match := _N_DAYS.search(text):
        return int(match.group(1))
    return None
