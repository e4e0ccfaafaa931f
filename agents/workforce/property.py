from __future__ import annotations

from agents.workforce import AgentSpec

SPEC = AgentSpec(
    name="property",
    title="Property agent",
    prompt_name="property",
    tools=("list_units", "get_property", "search_knowledge", "available_tour_slots", "integration_status"),
)
