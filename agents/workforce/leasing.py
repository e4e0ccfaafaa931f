from __future__ import annotations

from agents.workforce import AgentSpec

SPEC = AgentSpec(
    name="leasing",
    title="Leasing agent",
    prompt_name="leasing",
    tools=(
        "search_leads",
        "get_lead",
        "update_lead_stage",
        "create_follow_up",
        "available_tour_slots",
        "schedule_tour",
        "draft_message",
        "send_message",
        "search_knowledge",
        "list_units",
        "get_property",
    ),
)
