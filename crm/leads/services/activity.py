from __future__ import annotations

from typing import Any

from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import Lead, LeadActivity
from crm.leads.services.scoring import lead_rescore_soon, rescore_wanted


def record(
    *, lead: Lead, kind: str, summary: str, actor: User | None = None, data: dict[str, Any] | None = None
) -> LeadActivity:
    """Add a line to the lead's timeline and mark the lead as recently active.

    Every service that changes a lead writes its timeline here, so this is also where a rescore
    is scheduled (debounced, after commit) for the events that can move the score.
    """
    now = timezone.now()
    activity = LeadActivity.objects.create(
        team_id=lead.team_id, lead=lead, kind=kind, actor=actor, summary=summary[:300], data=data or {}
    )
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=now)
    lead.last_activity_at = now
    if rescore_wanted(kind, data):
        lead_rescore_soon(lead=lead)
    return activity
