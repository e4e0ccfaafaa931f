"""Knowledge tool: hybrid search over the team's documents, passages with their document ids.

Passages are text someone uploaded: the runtime hands them to the model fenced as data
(``agents.fencing``), and nothing in them can widen what another tool may do.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agents.tools.base import ToolArgs, ToolContext, get_in_team, tool
from crm.properties.models import Property
from knowledge.permissions import CAN_READ
from knowledge.search import hybrid_search

PASSAGES = 5
PASSAGE_CHARS = 700


class SearchKnowledgeArgs(ToolArgs):
    query: str = Field(min_length=1, max_length=300, description="The question or a few words.")
    property_id: str | None = Field(
        None, max_length=64, description="A property: its own documents and the team-wide ones."
    )


@tool(
    "search_knowledge",
    group="document",
    args_model=SearchKnowledgeArgs,
    min_role=CAN_READ,
    description="Search the team's knowledge base (policies, fees, FAQs). Returns passages with their document "
    "ids and titles; quote them and name the source.",
)
def search_knowledge(ctx: ToolContext, args: SearchKnowledgeArgs) -> dict[str, Any]:
    prop = None
    if args.property_id:
        prop = get_in_team(Property, args.property_id, ctx, label="Property")
    elif ctx.property_id:
        prop = get_in_team(Property, ctx.property_id, ctx, label="Property")
    results = hybrid_search(query=args.query, team=ctx.team, property=prop, k=PASSAGES)
    return {
        "passages": [
            {
                "document_id": str(result.document_id),
                "title": result.document_title,
                "chunk_id": str(result.chunk_id),
                "heading": result.heading,
                "property": result.property.name if result.property else None,
                "text": result.text[:PASSAGE_CHARS],
            }
            for result in results
        ],
    }
