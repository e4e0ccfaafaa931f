"""The offline engine: what the agents can do honestly when no LLM is configured.

- ``classify``: which agent and intent a message is for (weighted phrases, no model).
- ``plan_command``: the common staff commands as one tool call each.
- ``answer_from_knowledge``: answers quoted verbatim from the team's knowledge base, with sources.
"""

from __future__ import annotations

from agents.offline.commands import PlannedCall, plan_command
from agents.offline.knowledge import KBAnswer, Source, answer_from_knowledge
from agents.offline.router import Route, classify

__all__ = ["KBAnswer", "PlannedCall", "Route", "Source", "answer_from_knowledge", "classify", "plan_command"]
