"""Agent tools. Importing the package registers every tool (see ``agents.tools.base``)."""

from agents.tools import (  # noqa: F401  (imported for their @tool registrations)
    analytics,
    communication,
    document,
    integration,
    lead,
    marketing,
    property,
    scheduling,
)
from agents.tools.base import REGISTRY, ToolContext, ToolOutcome, execute, get_tool, tools_for

__all__ = ["REGISTRY", "ToolContext", "ToolOutcome", "execute", "get_tool", "tools_for"]
