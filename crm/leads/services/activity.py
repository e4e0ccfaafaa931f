from __future__ import annotations

from typing import Any

from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import Lead, LeadActivity


def record(
    *, lead: Lead, kind: str, summary: str, actor: User | None = None, data: dict[str, Any] | None = None
) -> LeadActivity:
    """Add a line to the lead's timeline and mark the lead as recently active."""
    now = timezone.now()
    activity = LeadActivity.objects.create(
        team_id=lead.team_id, lead=lead, kind=kind, actor=actor, summary=summary[:300], data=data or {}
    )
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=now)
    lead.last_activity_at = now
    return activity
