from __future__ import annotations

from agents.workforce import AgentSpec

SPEC = AgentSpec(
    name="marketing",
    title="Marketing agent",
    prompt_name="marketing",
    tools=(
        "lead_counts_by_source",
        "funnel",
        "campaign_performance",
        "generate_ad_copy",
        "integration_status",
        "search_knowledge",
    ),
)
