"""Celery tasks for leads: each takes ids, runs inside the team's scope and calls a service."""

from __future__ import annotations

from celery import shared_task

from crm.leads.models import ImportStatus
from crm.leads.services.imports import lead_import_run
from crm.teams.models import Team
from crm.teams.tasks import TeamTask


@shared_task(base=TeamTask)
def import_leads(*, team: Team, import_id: str) -> str | None:
    """Run a CSV import; a long file continues in a fresh task after each time slice."""
    lead_import = lead_import_run(team=team, import_id=import_id)
    if lead_import is None:
        return None
    if lead_import.status == ImportStatus.RUNNING:
        import_leads.delay(team_id=str(team.id), import_id=import_id)
    return lead_import.status
