"""Marketing tool: ad copy for a property, through the same gates as the ad copy page."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.tools.base import ToolArgs, ToolContext, get_in_team, tool
from crm.marketing.permissions import CAN_GENERATE
from crm.marketing.services import ad_copy_generate
from crm.properties.models import Property

VARIATIONS = 2


class AdCopyArgs(ToolArgs):
    property_id: str = Field(max_length=64, description="The property the ad is for.")
    platform: Literal["google", "facebook"] = Field(description="Google Search or Facebook.")
    objective: Literal["awareness", "traffic", "leads", "tours"] | None = Field(None, description="Default: leads.")
    tone: Literal["friendly", "professional", "upscale", "urgent"] | None = Field(
        None, description="Default: friendly."
    )


@tool(
    "generate_ad_copy",
    group="marketing",
    args_model=AdCopyArgs,
    min_role=CAN_GENERATE,
    description="Write ad copy variations for a property that fit the platform's limits and pass the Fair Housing "
    "check. Nothing is published.",
)
def generate_ad_copy(ctx: ToolContext, args: AdCopyArgs) -> dict[str, Any]:
    prop = get_in_team(Property, args.property_id, ctx, label="Property")
    result = ad_copy_generate(
        team=ctx.team,
        property=prop,
        platform=args.platform,
        objective=args.objective or "leads",
        tone=args.tone or "friendly",
        count=VARIATIONS,
    )
    return {
        "property": prop.name,
        "platform": result.platform.value,
        "engine": result.engine.value,
        "variations": result.variations,
        "blocked": [blocked.reason for blocked in result.blocked],
        "notes": result.notes,
    }
