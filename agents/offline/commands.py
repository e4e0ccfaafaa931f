"""The common staff commands, each mapped to one tool call (the tool names of the agents contract).

``plan_command`` classifies the message, and when the intent is a command it knows, reads the
arguments out of the message and the context:

the lead and property on screen, the properties it may name, the time zone and the current time
(see ``agents.offline.context``). Ids only ever come from the context.

It answers None whenever it is not sure: not a command, a missing lead or property, a date it
cannot read, a filter the tool cannot apply. The caller then says what it cannot do offline
rather than doing something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from agents.offline.context import CommandContext, local_iso
from agents.offline.router import classify
from agents.offline.stages import lost_reason, stage_in
from agents.offline.text import NUMBER_WORDS, normalise
from agents.offline.when import parse_days, parse_when, without
from crm.leads.models import Stage

FOLLOW_UP_HOUR = time(9)  # a follow-up without a time is due at the start of the working day
MAX_SEARCH_LIMIT = 25


def agent_tools(agent: str) -> frozenset[str] | None:
    """The tools ``agent`` has (its workforce spec); None for the orchestrator, which may plan any."""
    from agents.workforce import SPECIALISTS, get_spec

    return frozenset(get_spec(agent).tools) if agent in SPECIALISTS else None


@dataclass(frozen=True)
class PlannedCall:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


def plan_command(message: str, *, agent: str, context: dict[str, Any]) -> PlannedCall | None:
    """The one tool call ``message`` asks for, or None when it is not confidently a known command."""
    route = classify(message)
    planner = _PLANNERS.get(route.intent)
    if planner is None:
        return None
    call = planner(CommandContext(message, context))
    allowed = agent_tools(agent)
    if call is None or (allowed is not None and call.tool not in allowed):
        return None
    return call


# --- planners ------------------------------------------------------------------------------------

_SOURCE_FILTER = re.compile(
    r"\b(?:from|via|on|through)\s+(?:zillow|facebook|google|instagram|apartments com|website|referral)\b"
)
_NAMED = re.compile(r"\b(?:named|called|name is)\s+(.+?)(?=\s+(?:at|in|from|who|that|with|for)\b|[?.!,;]|$)", re.I)
_SEARCH_FOR = re.compile(
    r"^\s*(?:(?:please|pls|can you|could you)\s+)?(?:find|search(?:\s+for)?|look\s*up|pull\s+up|lookup|open)\s+"
    r"(?:the\s+)?(?:leads?|prospects?)?\s*"
    r"(.+?)(?=\s+(?:at|in|from|who|that|with|guest card|card|profile|details|record)\b|['\u2019]s\b|[?.!,;]|$)",
    re.I,
)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{6,}\d")
_LIMIT = re.compile(r"\b(?:top|first|last|latest)?\s*(\d{1,3})\s+(?:new\s+|recent\s+|latest\s+)?(?:leads|prospects)\b")
_NOT_A_NAME = re.compile(
    r"^(?:all|any|every|my|our|new|the|recent|latest|open|hot|lost|me|some|\d+)\b|lead|prospect", re.I
)


def _search_leads(request: CommandContext) -> PlannedCall | None:
    if _SOURCE_FILTER.search(request.text):
        return None  # search_leads cannot filter by source: better to say so than to list everyone
    arguments: dict[str, Any] = {}
    query = _lead_query(request.message)
    if query:
        arguments["query"] = query
    stage = None if query else stage_in(re.sub(r"\b(?:named|called)\s+.*$", "", request.text))
    if stage:
        arguments["stage"] = stage
    named, unknown = request.named_property(about_leads=True)
    if unknown:
        return None
    if named:
        arguments["property_id"] = named
    if limit := _LIMIT.search(request.text):
        arguments["limit"] = max(1, min(int(limit.group(1)), MAX_SEARCH_LIMIT))
    return PlannedCall("search_leads", arguments)


def _lead_query(message: str) -> str | None:
    """A name, email or phone number to search for, as typed."""
    if named := _NAMED.search(message):
        return named.group(1).strip()
    if contact := _CONTACT.search(message):
        return contact.group(0).strip()
    if found := _SEARCH_FOR.search(message):
        candidate = found.group(1).strip()
        if candidate and not _NOT_A_NAME.search(candidate) and not stage_in(normalise(candidate)):
            return candidate
    return None


def _get_lead(request: CommandContext) -> PlannedCall | None:
    return PlannedCall("get_lead", {"lead_id": request.lead_id}) if request.lead_id else None


def _update_stage(request: CommandContext) -> PlannedCall | None:
    stage = stage_in(request.text)
    if not request.lead_id or not stage:
        return None
    arguments: dict[str, Any] = {"lead_id": request.lead_id, "stage": stage}
    if stage == Stage.LOST and (reason := lost_reason(request.text)):
        arguments["lost_reason"] = reason
    return PlannedCall("update_lead_stage", arguments)


def _schedule_tour(request: CommandContext) -> PlannedCall | None:
    when = parse_when(request.message, request.now)
    if not request.lead_id or when.day is None or when.at is None:
        return None
    arguments: dict[str, Any] = {"lead_id": request.lead_id, "starts_at": local_iso(when.day, when.at, request.tz)}
    named, unknown = request.named_property(about_leads=True)
    if unknown:
        return None
    property_id = named or request.context.get("property_id")
    if property_id:
        arguments["property_id"] = str(property_id)
    return PlannedCall("schedule_tour", arguments)


def _tour_slots(request: CommandContext) -> PlannedCall | None:
    property_id = request.property_id()
    if not property_id:
        return None
    day = parse_when(request.message, request.now).day or request.now.date()
    return PlannedCall("available_tour_slots", {"property_id": property_id, "date": day.isoformat()})


_REMINDER = re.compile(
    r"\b(?:remind me to|reminder to|ping me to|task to|todo to|to-do to|remember to|reminder:)\s*(.+)$", re.I
)
_FOLLOW_UP_WITH = re.compile(r"\b(follow[ -]?up(?:\s+with\s+\w+)?)", re.I)
_TRAILING = re.compile(r"(?:\s+(?:on|at|for|by|in|this|next|the))+\s*$|[\s,.;:!?-]+$", re.I)


def _follow_up(request: CommandContext) -> PlannedCall | None:
    if not request.lead_id:
        return None
    when = parse_when(request.message, request.now)
    day = when.day or (request.now.date() + timedelta(days=1))
    due = local_iso(day, when.at or FOLLOW_UP_HOUR, request.tz)
    title = "Follow up"
    if reminder := _REMINDER.search(request.message):
        offset = reminder.start(1)
        spans = tuple((max(s - offset, 0), max(e - offset, 0)) for s, e in when.spans if e > offset)
        title = without(reminder.group(1), spans)
    elif follow := _FOLLOW_UP_WITH.search(request.message):
        title = re.sub(r"\s+", " ", follow.group(1).replace("-", " "))
    title = _TRAILING.sub("", title).strip() or "Follow up"
    title = title[0].upper() + title[1:]
    return PlannedCall("create_follow_up", {"lead_id": request.lead_id, "title": title[:200], "due_at": due})


_BODY = re.compile(r"^[^:]{0,80}?(?::|\bsaying\b|\bthat says\b|\bthat\b)\s*(.+)$", re.I | re.S)


def _channel(head: str) -> str | None:
    if re.search(r"\b(?:text|sms)\b", head, re.I):
        return "sms"
    if re.search(r"\be-?mail\b", head, re.I):
        return "email"
    return None


def _dictated(request: CommandContext) -> tuple[str, str] | None:
    """(the instruction, the dictated body) when the message carries a body to send."""
    found = _BODY.match(request.message)
    if not found or not found.group(1).strip():
        return None
    return request.message[: found.start(1)], found.group(1).strip()


def _send_message(request: CommandContext) -> PlannedCall | None:
    dictated = _dictated(request)
    if not request.lead_id or dictated is None:
        return None
    head, body = dictated
    arguments: dict[str, Any] = {"lead_id": request.lead_id, "body": body}
    if channel := _channel(head):
        arguments["channel"] = channel
    return PlannedCall("send_message", arguments)


def _draft_message(request: CommandContext) -> PlannedCall | None:
    # Offline there is nobody to write the words: a draft needs them dictated.
    dictated = _dictated(request)
    if not request.lead_id or dictated is None:
        return None
    return PlannedCall("draft_message", {"lead_id": request.lead_id, "body": dictated[1]})


_BEDS = re.compile(r"\b(\d|" + "|".join(NUMBER_WORDS) + r") bedroom")
_STUDIO = re.compile(r"\bstudios?\b")
_MAX_RENT = re.compile(
    r"\b(?:under|below|less than|max(?:imum)?|up to|at most|no more than|within|budget(?: is| of)?)\s+"
    r"\$?(\d+(?:\.\d+)?)\s*(k)?\b"
)
_AVAILABLE = re.compile(r"\b(?:available|vacant|open|free|availability|opening|openings|move in|ready)\b")
_RATE = re.compile(r"\b(?:rate|occupancy|percent|percentage)\b")


def _list_units(request: CommandContext, *, available: bool = False) -> PlannedCall | None:
    arguments: dict[str, Any] = {}
    named, unknown = request.named_property()
    if unknown:
        return None
    property_id = named or request.context.get("property_id")
    if property_id:
        arguments["property_id"] = str(property_id)
    if beds := _BEDS.search(request.text):
        word = beds.group(1)
        arguments["beds"] = int(word) if word.isdigit() else NUMBER_WORDS[word]
    elif _STUDIO.search(request.text):
        arguments["beds"] = 0
    if rent := _MAX_RENT.search(request.text):
        amount = float(rent.group(1)) * (1000 if rent.group(2) else 1)
        arguments["max_rent"] = int(amount)
    if available or (_AVAILABLE.search(request.text) and not _RATE.search(request.text)):
        arguments["available_only"] = True
    return PlannedCall("list_units", arguments)


def _prospect_units(request: CommandContext) -> PlannedCall | None:
    return _list_units(request, available=True)


def _get_property(request: CommandContext) -> PlannedCall | None:
    property_id = request.property_id()
    return PlannedCall("get_property", {"property_id": property_id}) if property_id else None


def _report(tool: str, *, by_property: bool = True) -> Callable[[CommandContext], PlannedCall | None]:
    def plan(request: CommandContext) -> PlannedCall | None:
        arguments: dict[str, Any] = {}
        if (days := parse_days(request.text, request.now.date())) is not None:
            arguments["days"] = max(1, days)
        if by_property:
            named, unknown = request.named_property()
            if unknown:
                return None
            if named:
                arguments["property_id"] = named
        return PlannedCall(tool, arguments)

    return plan


_TONES = re.compile(r"\b(friendly|professional|luxury|luxurious|playful|casual|urgent|upbeat|warm|formal|fun)\b")
_OBJECTIVE = re.compile(r"\b(?:for|about|promoting|to promote|announcing)\s+(?:the|our|a|an)\s+(.+?)(?=[?.!,;]|$)")


def _ad_copy(request: CommandContext) -> PlannedCall | None:
    property_id = request.property_id()
    if not property_id:
        return None
    platform = "facebook" if re.search(r"\b(?:facebook|instagram|meta|social)\b", request.text) else "google"
    arguments: dict[str, Any] = {"property_id": property_id, "platform": platform}
    if objective := _OBJECTIVE.search(request.text):
        arguments["objective"] = objective.group(1).strip()
    if tone := _TONES.search(request.text):
        arguments["tone"] = tone.group(1)
    return PlannedCall("generate_ad_copy", arguments)


def _integrations(request: CommandContext) -> PlannedCall | None:
    return PlannedCall("integration_status", {})


_PLANNERS: dict[str, Callable[[CommandContext], PlannedCall | None]] = {
    "find_leads": _search_leads,
    "show_lead": _get_lead,
    "move_stage": _update_stage,
    "schedule_tour": _schedule_tour,
    "tour_slots": _tour_slots,
    "follow_up": _follow_up,
    "send_message": _send_message,
    "draft_message": _draft_message,
    "units": _list_units,
    "availability": _prospect_units,
    "pricing": _prospect_units,
    "property_facts": _get_property,
    "lead_sources": _report("lead_counts_by_source"),
    "listing_performance": _report("lead_counts_by_source"),
    "funnel": _report("funnel"),
    "campaigns": _report("campaign_performance", by_property=False),
    "budget": _report("campaign_performance", by_property=False),
    "ad_copy": _ad_copy,
    "integrations": _integrations,
}
