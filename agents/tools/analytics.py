"""Reporting tools: leads by source, the pipeline funnel, and ad campaign results (once synced)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from pydantic import Field

from agents.tools.base import ToolArgs, ToolContext, get_in_team, tool
from crm.leads.models import Lead, Source, Stage
from crm.leads.permissions import CAN_VIEW
from crm.properties.models import Property

DEFAULT_DAYS = 30
AD_SOURCES = [Source.FACEBOOK, Source.INSTAGRAM, Source.GOOGLE_ADS]
# The funnel's order; a lead counts as having reached every stage up to its own (lost leads
# count only at "all leads": where they dropped out is not recorded on the lead itself).
FUNNEL = [Stage.NEW, Stage.CONTACTED, Stage.TOUR_SCHEDULED, Stage.TOURED, Stage.APPLIED, Stage.LEASED]


class WindowArgs(ToolArgs):
    days: int | None = Field(None, ge=1, le=365, description="Look back this many days (default 30).")
    property_id: str | None = Field(None, max_length=64, description="Only this property's leads.")


def _leads(ctx: ToolContext, args: WindowArgs) -> tuple[QuerySet[Lead], int, str | None]:
    days = args.days or DEFAULT_DAYS
    leads = Lead.objects.active().filter(created_at__gte=timezone.now() - timedelta(days=days))
    name = None
    if args.property_id:
        prop = get_in_team(Property, args.property_id, ctx, label="Property")
        leads, name = leads.filter(property=prop), prop.name
    return leads, days, name


@tool(
    "lead_counts_by_source",
    group="analytics",
    args_model=WindowArgs,
    min_role=CAN_VIEW,
    description="How many new leads each source brought in over the last N days.",
)
def lead_counts_by_source(ctx: ToolContext, args: WindowArgs) -> dict[str, Any]:
    leads, days, name = _leads(ctx, args)
    rows = leads.values("source").annotate(leads=Count("id")).order_by("-leads", "source")
    counts = [
        {"source": row["source"], "label": str(Source(row["source"]).label), "leads": row["leads"]} for row in rows
    ]
    return {"days": days, "property": name, "total": sum(row["leads"] for row in counts), "counts": counts}


@tool(
    "funnel",
    group="analytics",
    args_model=WindowArgs,
    min_role=CAN_VIEW,
    description="The pipeline funnel for leads created in the last N days: leads per stage, how many reached each "
    "stage, and tour and lease rates.",
)
def funnel(ctx: ToolContext, args: WindowArgs) -> dict[str, Any]:
    leads, days, name = _leads(ctx, args)
    per_stage = dict(leads.values_list("stage").annotate(n=Count("id")).order_by())
    total = sum(per_stage.values())
    reached = []
    for index, stage in enumerate(FUNNEL):
        count = sum(per_stage.get(later, 0) for later in FUNNEL[index:])
        reached.append(
            {"stage": stage.value, "label": str(stage.label), "now": per_stage.get(stage, 0), "reached": count}
        )
    toured = sum(per_stage.get(stage, 0) for stage in FUNNEL[3:])
    leased = per_stage.get(Stage.LEASED, 0)
    return {
        "days": days,
        "property": name,
        "total": total,
        "lost": per_stage.get(Stage.LOST, 0),
        "stages": reached,
        "tour_rate": round(toured / total, 3) if total else None,
        "lease_rate": round(leased / total, 3) if total else None,
    }


class CampaignArgs(ToolArgs):
    days: int | None = Field(None, ge=1, le=365, description="Look back this many days (default 30).")


@tool(
    "campaign_performance",
    group="analytics",
    args_model=CampaignArgs,
    min_role=CAN_VIEW,
    description="Ad campaign results. Until ad accounts are synced, this reports leads from ad sources by campaign.",
)
def campaign_performance(ctx: ToolContext, args: CampaignArgs) -> dict[str, Any]:
    days = args.days or DEFAULT_DAYS
    rows = (
        Lead.objects.active()
        .filter(created_at__gte=timezone.now() - timedelta(days=days), source__in=AD_SOURCES)
        .values("source", "source_detail")
        .annotate(leads=Count("id"))
        .order_by("-leads", "source", "source_detail")[:10]
    )
    return {
        "days": days,
        "campaigns": [],
        "notice": "No campaigns synced yet: connect Meta or Google Ads to see spend, clicks and cost per lead.",
        "leads_from_ads": [
            {"source": row["source"], "campaign": row["source_detail"] or None, "leads": row["leads"]} for row in rows
        ],
    }
