"""Staff commands mapped to one tool call each, with ids only from the context and times in the property's zone."""

from __future__ import annotations

from typing import Any

import pytest

from agents.offline import PlannedCall, plan_command

LEAD = "01937a1e-0000-7000-8000-0000000000a1"
MAPLE = "01937a1e-0000-7000-8000-0000000000b1"
RIVERSIDE = "01937a1e-0000-7000-8000-0000000000b2"
HARBOR = "01937a1e-0000-7000-8000-0000000000b3"
PROPERTIES = [
    {"id": MAPLE, "name": "Maple Court"},
    {"id": RIVERSIDE, "name": "Riverside Commons"},
    {"id": HARBOR, "name": "Harbor View Lofts"},
]
NOW = "2026-11-25T10:00:00-06:00"  # a Wednesday morning in Chicago
ON_A_LEAD = {"lead_id": LEAD, "now": NOW, "properties": PROPERTIES}
AT_MAPLE = {**ON_A_LEAD, "property_id": MAPLE}
NO_CONTEXT = {"now": NOW}


def call(tool: str, **arguments: Any) -> PlannedCall:
    return PlannedCall(tool, arguments)


COMMANDS: list[tuple[str, dict[str, Any], str, PlannedCall]] = [
    # search_leads / get_lead
    ("find leads named Ada", ON_A_LEAD, "leasing", call("search_leads", query="Ada")),
    ("show me new leads at Maple Court", ON_A_LEAD, "leasing", call("search_leads", stage="new", property_id=MAPLE)),
    ("search for lead john smith", ON_A_LEAD, "leasing", call("search_leads", query="john smith")),
    ("list lost leads", ON_A_LEAD, "leasing", call("search_leads", stage="lost")),
    ("who are my leads in the touring stage", ON_A_LEAD, "leasing", call("search_leads", stage="tour_scheduled")),
    ("look up ada@example.com", ON_A_LEAD, "leasing", call("search_leads", query="ada@example.com")),
    ("show me the last 10 leads", ON_A_LEAD, "leasing", call("search_leads", limit=10)),
    ("show me the last 80 leads", ON_A_LEAD, "leasing", call("search_leads", limit=25)),
    ("show lead", ON_A_LEAD, "leasing", call("get_lead", lead_id=LEAD)),
    ("what do we know about this prospect?", ON_A_LEAD, "leasing", call("get_lead", lead_id=LEAD)),
    # update_lead_stage: the leads app's Stage and LostReason values
    ("move Ada to touring", ON_A_LEAD, "leasing", call("update_lead_stage", lead_id=LEAD, stage="tour_scheduled")),
    (
        "mark this lead as lost, went with competitor",
        ON_A_LEAD,
        "leasing",
        call("update_lead_stage", lead_id=LEAD, stage="lost", lost_reason="leased_elsewhere"),
    ),
    (
        "move him to lost - too expensive",
        ON_A_LEAD,
        "leasing",
        call("update_lead_stage", lead_id=LEAD, stage="lost", lost_reason="price"),
    ),
    (
        "lead ghosted us, close it out as lost",
        ON_A_LEAD,
        "leasing",
        call("update_lead_stage", lead_id=LEAD, stage="lost", lost_reason="unresponsive"),
    ),
    (
        "she signed the lease, mark her leased",
        ON_A_LEAD,
        "leasing",
        call("update_lead_stage", lead_id=LEAD, stage="leased"),
    ),
    ("change stage to applied", ON_A_LEAD, "leasing", call("update_lead_stage", lead_id=LEAD, stage="applied")),
    ("pls move lead to contacted", ON_A_LEAD, "leasing", call("update_lead_stage", lead_id=LEAD, stage="contacted")),
    # schedule_tour: local time in the property's zone, relative to the context's "now"
    (
        "book a tour for tomorrow at 2pm",
        ON_A_LEAD,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-11-26T14:00:00-06:00"),
    ),
    (
        "schedule a tour on Dec 3 at 10:30",
        ON_A_LEAD,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-12-03T10:30:00-06:00"),
    ),
    (
        "put her down for a tour wed at 4:15pm",
        ON_A_LEAD,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-11-25T16:15:00-06:00"),
    ),
    (
        "book a tour wednesday at 9am",  # 9 this morning has passed: next Wednesday
        ON_A_LEAD,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-12-02T09:00:00-06:00"),
    ),
    (
        "shedule a tuor for thursday 3pm",
        {**ON_A_LEAD, "timezone": "America/Denver"},
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-11-26T15:00:00-07:00"),
    ),
    (
        "set up a showing for him saturday 11am",
        AT_MAPLE,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-11-28T11:00:00-06:00", property_id=MAPLE),
    ),
    (
        "book a tour at Riverside Commons on 12/1 at 3",
        ON_A_LEAD,
        "leasing",
        call("schedule_tour", lead_id=LEAD, starts_at="2026-12-01T15:00:00-06:00", property_id=RIVERSIDE),
    ),
    # available_tour_slots
    (
        "what tour times are open Friday",
        AT_MAPLE,
        "leasing",
        call("available_tour_slots", property_id=MAPLE, date="2026-11-27"),
    ),
    (
        "any open tour slots at Riverside Commons tomorrow?",
        ON_A_LEAD,
        "property",
        call("available_tour_slots", property_id=RIVERSIDE, date="2026-11-26"),
    ),
    # create_follow_up: due at 9:00 local when no time is given
    (
        "remind me to call her Monday",
        ON_A_LEAD,
        "leasing",
        call("create_follow_up", lead_id=LEAD, title="Call her", due_at="2026-11-30T09:00:00-06:00"),
    ),
    (
        "follow up with him in 3 days",
        ON_A_LEAD,
        "leasing",
        call("create_follow_up", lead_id=LEAD, title="Follow up with him", due_at="2026-11-28T09:00:00-06:00"),
    ),
    (
        "ping me to follow up with Jordan friday at 3pm",
        ON_A_LEAD,
        "leasing",
        call("create_follow_up", lead_id=LEAD, title="Follow up with Jordan", due_at="2026-11-27T15:00:00-06:00"),
    ),
    # send_message / draft_message: the dictated body, verbatim
    (
        "text her: your tour is confirmed for 2pm",
        ON_A_LEAD,
        "leasing",
        call("send_message", lead_id=LEAD, body="your tour is confirmed for 2pm", channel="sms"),
    ),
    (
        "send him an email saying the application is approved",
        ON_A_LEAD,
        "leasing",
        call("send_message", lead_id=LEAD, body="the application is approved", channel="email"),
    ),
    (
        "email him: the pet deposit is $300",
        ON_A_LEAD,
        "leasing",
        call("send_message", lead_id=LEAD, body="the pet deposit is $300", channel="email"),
    ),
    (
        "message her that parking is $40 a month",
        ON_A_LEAD,
        "leasing",
        call("send_message", lead_id=LEAD, body="parking is $40 a month"),
    ),
    (
        "draft a text to Ada: the pool opens Saturday",
        ON_A_LEAD,
        "leasing",
        call("draft_message", lead_id=LEAD, body="the pool opens Saturday"),
    ),
    # list_units
    (
        "available 2 bedroom units under 1800",
        NO_CONTEXT,
        "property",
        call("list_units", beds=2, max_rent=1800, available_only=True),
    ),
    (
        "any vacant studios at Maple Court under $1.5k",
        ON_A_LEAD,
        "property",
        call("list_units", property_id=MAPLE, beds=0, max_rent=1500, available_only=True),
    ),
    ("list all 3br units", AT_MAPLE, "property", call("list_units", property_id=MAPLE, beds=3)),
    ("what's our vacancy rate", AT_MAPLE, "property", call("list_units", property_id=MAPLE)),
    (
        "do you have any 2 bedrooms available?",
        AT_MAPLE,
        "leasing",
        call("list_units", property_id=MAPLE, beds=2, available_only=True),
    ),
    # get_property
    ("what are the office hours at Maple Court", ON_A_LEAD, "property", call("get_property", property_id=MAPLE)),
    ("what's the address of harbor view lofts", ON_A_LEAD, "property", call("get_property", property_id=HARBOR)),
    ("office phone number for riverside", ON_A_LEAD, "property", call("get_property", property_id=RIVERSIDE)),
    # analytics
    ("lead counts by source last 30 days", NO_CONTEXT, "marketing", call("lead_counts_by_source", days=30)),
    (
        "break down leads by channel for the past 2 weeks",
        NO_CONTEXT,
        "marketing",
        call("lead_counts_by_source", days=14),
    ),
    ("funnel this month", NO_CONTEXT, "marketing", call("funnel", days=25)),
    (
        "show the leasing funnel for Riverside Commons for the last 90 days",
        ON_A_LEAD,
        "marketing",
        call("funnel", days=90, property_id=RIVERSIDE),
    ),
    ("how are the facebook campaigns doing", NO_CONTEXT, "marketing", call("campaign_performance")),
    ("campaign performance last week", NO_CONTEXT, "marketing", call("campaign_performance", days=7)),
    # generate_ad_copy / integration_status
    (
        "write google ad copy for Maple Court",
        ON_A_LEAD,
        "marketing",
        call("generate_ad_copy", property_id=MAPLE, platform="google"),
    ),
    (
        "give me a friendly facebook ad headline for the spring special",
        AT_MAPLE,
        "marketing",
        call("generate_ad_copy", property_id=MAPLE, platform="facebook", objective="spring special", tone="friendly"),
    ),
    ("is facebook connected?", NO_CONTEXT, "marketing", call("integration_status")),
    # the orchestrator may plan any tool
    ("lead counts by source last 7 days", NO_CONTEXT, "coo", call("lead_counts_by_source", days=7)),
]


@pytest.mark.parametrize(("message", "context", "agent", "expected"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_staff_command_becomes_one_tool_call(
    message: str, context: dict[str, Any], agent: str, expected: PlannedCall
) -> None:
    assert plan_command(message, agent=agent, context=context) == expected


NOT_COMMANDS: list[tuple[str, dict[str, Any], str]] = [
    ("do you allow dogs?", AT_MAPLE, "leasing"),  # a question for the knowledge base
    ("what's the capital of France", ON_A_LEAD, "leasing"),
    ("hello", ON_A_LEAD, "leasing"),
    ("the AC in 3B is broken, open a work order", AT_MAPLE, "property"),  # no maintenance tool
    ("show lead", NO_CONTEXT, "leasing"),  # no lead on screen: no id to invent
    ("move Ada to touring", NO_CONTEXT, "leasing"),
    ("remind me to call her Monday", NO_CONTEXT, "leasing"),
    ("book a tour for tomorrow", ON_A_LEAD, "leasing"),  # no time
    ("text her", ON_A_LEAD, "leasing"),  # nothing to send
    ("draft a reply to Ada about parking", ON_A_LEAD, "leasing"),  # offline nobody writes the words
    ("show me new leads at Sunset Ridge", ON_A_LEAD, "leasing"),  # a property nobody knows
    ("show me new leads at Maple Court", NO_CONTEXT, "leasing"),  # no property list to resolve it
    ("pull up every lead from zillow", ON_A_LEAD, "leasing"),  # search_leads cannot filter by source
    ("write google ad copy", NO_CONTEXT, "marketing"),  # which property?
    ("what tour times are open Friday", NO_CONTEXT, "leasing"),
    ("lead counts by source last 30 days", NO_CONTEXT, "leasing"),  # not a leasing tool
    ("find leads named Ada", NO_CONTEXT, "marketing"),  # not a marketing tool
]


@pytest.mark.parametrize(("message", "context", "agent"), NOT_COMMANDS, ids=[c[0] for c in NOT_COMMANDS])
def test_anything_not_confidently_a_command_plans_nothing(message: str, context: dict[str, Any], agent: str) -> None:
    assert plan_command(message, agent=agent, context=context) is None


def test_now_may_be_a_naive_datetime_read_in_the_property_zone() -> None:
    from datetime import datetime

    context = {"lead_id": LEAD, "now": datetime(2026, 6, 1, 8, 0), "timezone": "America/New_York"}

    planned = plan_command("book a tour for tomorrow at 2pm", agent="leasing", context=context)

    assert planned == call("schedule_tour", lead_id=LEAD, starts_at="2026-06-02T14:00:00-04:00")


def test_an_unknown_time_zone_falls_back_to_chicago() -> None:
    context = {"lead_id": LEAD, "now": "2026-06-01T08:00:00", "timezone": "Mars/Olympus_Mons"}

    planned = plan_command("book a tour for tomorrow at 2pm", agent="leasing", context=context)

    assert planned == call("schedule_tour", lead_id=LEAD, starts_at="2026-06-02T14:00:00-05:00")
