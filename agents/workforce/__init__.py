"""The specialist agents: who they are, their prompt and their tools.

``PROSPECT_SAFE_TOOLS`` is the whole tool set when a turn answers a prospect's own text
(``untrusted=True``): reading the property's public facts and booking a tour for that prospect.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.prompts import load_prompt


@dataclass(frozen=True)
class AgentSpec:
    name: str
    title: str
    prompt_name: str
    tools: tuple[str, ...]

    @property
    def prompt(self) -> str:
        return load_prompt(self.prompt_name)

    def tool_names(self, *, untrusted: bool = False) -> tuple[str, ...]:
        if untrusted:
            return tuple(name for name in self.tools if name in PROSPECT_SAFE_TOOLS)
        return self.tools


PROSPECT_SAFE_TOOLS = frozenset(
    {"search_knowledge", "list_units", "get_property", "available_tour_slots", "schedule_tour"}
)
SPECIALISTS = ("leasing", "marketing", "property")
AGENTS = ("coo", *SPECIALISTS)


def get_spec(name: str) -> AgentSpec:
    from agents.workforce import leasing, marketing, property

    specs = {spec.name: spec for spec in (leasing.SPEC, marketing.SPEC, property.SPEC)}
    try:
        return specs[name]
    except KeyError as exc:
        raise ValueError(f"No specialist agent named {name!r}.") from exc
