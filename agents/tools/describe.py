"""Plain sentences for a tool's outcome: the offline engine's answer after it runs one tool.

Built from the result's own fields, never from free text a model wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from agents.tools.base import ToolOutcome


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment:%a %b %-d, %-I:%M %p}"


def _leads(result: dict[str, Any]) -> str:
    leads = result.get("leads", [])
    if not leads:
        return "No leads match."
    names = "; ".join(f"{lead['name']} ({lead['stage'].replace('_', ' ')})" for lead in leads[:10])
    more = f" and {len(leads) - 10} more" if len(leads) > 10 else ""
    return f"{len(leads)} lead{'s' if len(leads) != 1 else ''}: {names}{more}."


def _lead(result: dict[str, Any]) -> str:
    parts = [f"{result['name']} is at {result['stage'].replace('_', ' ')}"]
    if result.get("property"):
        parts.append(f"for {result['property']['name']}")
    contact = ", ".join(filter(None, [result.get("phone"), result.get("email")]))
    text = " ".join(parts) + (f" ({contact})." if contact else ".")
    if result.get("upcoming_tours"):
        tour = result["upcoming_tours"][0]
        text += f" Next tour: {_when(tour['starts_at'])} at {tour['property']}."
    return text


def _slots(result: dict[str, Any]) -> str:
    name = result["property"]["name"]
    if not result["slots"]:
        return f"No open tour times at {name} on {result['date']}."
    times = ", ".join(_when(slot).split(", ")[-1] for slot in result["slots"][:8])
    return f"Open tour times at {name} on {result['date']} ({result['timezone']}): {times}."


def _units(result: dict[str, Any]) -> str:
    units = result.get("units", [])
    if not units:
        return "No units match."
    lines = [
        f"{unit['property']} #{unit['number']}: {unit['beds']} bed, "
        + (f"${unit['rent']:,.0f}" if unit["rent"] is not None else "rent not set")
        + (f", from {unit['available_on']}" if unit.get("available_on") else "")
        for unit in units[:8]
    ]
    return f"{len(units)} unit{'s' if len(units) != 1 else ''}: " + "; ".join(lines) + "."


def _property(result: dict[str, Any]) -> str:
    hours = ", ".join(
        f"{day.title()} {' & '.join(f'{a}-{b}' for a, b in spans)}"
        for day, spans in result["office_hours"].items()
        if spans
    )
    return (
        f"{result['name']}, {result['address'] or 'no address on file'}. Office hours ({result['timezone']}): {hours}."
    )


def _counts(result: dict[str, Any]) -> str:
    counts = ", ".join(f"{row['label']} {row['leads']}" for row in result["counts"]) or "none"
    return f"{result['total']} new leads in the last {result['days']} days: {counts}."


def _funnel(result: dict[str, Any]) -> str:
    stages = ", ".join(f"{row['label']} {row['reached']}" for row in result["stages"])
    return f"Of {result['total']} leads from the last {result['days']} days, reached: {stages}; lost {result['lost']}."


def _knowledge(result: dict[str, Any]) -> str:
    passages = result.get("passages", [])
    if not passages:
        return "Nothing in the knowledge base matches."
    first = passages[0]
    return f"From “{first['title']}”: {first['text']}"


def _integrations(result: dict[str, Any]) -> str:
    on = [name.replace("_", " ") for name, value in result.items() if isinstance(value, dict) and value["connected"]]
    return f"Connected: {', '.join(on) if on else 'nothing yet'}. {result.get('note', '')}".strip()


def _campaigns(result: dict[str, Any]) -> str:
    rows = result.get("leads_from_ads", [])
    extra = "; ".join(f"{row['source']} {row['campaign'] or '(no campaign)'}: {row['leads']}" for row in rows[:5])
    return result["notice"] + (f" Leads from ads: {extra}." if extra else "")


def _follow_up(result: dict[str, Any]) -> str:
    return f"Added the task “{result['title']}”, due {_when(result['due_at'])}."


def _ad_copy(result: dict[str, Any]) -> str:
    count = len(result.get("variations", []))
    return f"Wrote {count} {result['platform']} ad variation{'s' if count != 1 else ''} for {result['property']}."


def _draft(result: dict[str, Any]) -> str:
    return f"Draft to {result['to']} ({result['channel']}): “{result['body']}” — not sent."


def _tour(result: dict[str, Any]) -> str:
    return f"Booked a tour at {result['property']} for {_when(result['starts_at'])} with {result['agent']}."


def _stage(result: dict[str, Any]) -> str:
    return f"Moved the lead to {result['stage'].replace('_', ' ')}."


def _sent(result: dict[str, Any]) -> str:
    return f"Message queued ({result['channel']})."


DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "search_leads": _leads,
    "get_lead": _lead,
    "available_tour_slots": _slots,
    "list_units": _units,
    "get_property": _property,
    "lead_counts_by_source": _counts,
    "funnel": _funnel,
    "search_knowledge": _knowledge,
    "integration_status": _integrations,
    "campaign_performance": _campaigns,
    "create_follow_up": _follow_up,
    "generate_ad_copy": _ad_copy,
    "draft_message": _draft,
    "schedule_tour": _tour,
    "update_lead_stage": _stage,
    "send_message": _sent,
}


def describe(outcome: ToolOutcome) -> str:
    if outcome.status == "pending_approval":
        return f"Waiting for a teammate's approval: {outcome.result.get('summary', outcome.name)}."
    if outcome.status != "executed":
        return f"I couldn't do that: {outcome.error}"
    describer = DESCRIBERS.get(outcome.name)
    if describer is None:
        return "Done."
    try:
        return describer(outcome.result)
    except (KeyError, TypeError, ValueError, AttributeError):
        return "Done."
