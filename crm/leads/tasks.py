"""Celery tasks for leads: each takes ids, runs inside the team's scope and calls a service."""

from __future__ import annotations

from celery import shared_task

from crm.leads.models import ImportStatus
from crm.leads.services.imports import lead_import_run
from crm.leads.services.scoring import SLICE_SECONDS as SCORING_SLICE_SECONDS
from crm.leads.services.scoring import lead_rescore_pending, leads_rescore
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


# --- Scoring -------------------------------------------------------------------------------------


@shared_task(base=TeamTask)
def rescore_lead(*, team: Team, lead_id: str) -> int | None:
    """The debounced rescore after a lead event (``lead_rescore_soon``)."""
    lead = lead_rescore_pending(team=team, lead_id=lead_id)
    return lead.score if lead is not None else None


@shared_task(base=TeamTask)
def rescore_team(*, team: Team, cursor: str = "") -> int:
    """Rescore a team's open leads; a big team continues in a fresh task after each time slice."""
    progress = leads_rescore(team=team, cursor=cursor, time_budget=SCORING_SLICE_SECONDS)
    if progress.cursor:
        rescore_team.delay(team_id=str(team.id), cursor=progress.cursor)
    return progress.scored


@shared_task
def rescore_all_teams() -> int:
    """The nightly run (a django-celery-beat PeriodicTask): one task per team."""
    team_ids = list(Team.objects.order_by("created_at").values_list("id", flat=True))
    for team_id in team_ids:
        rescore_team.delay(team_id=str(team_id))
    return len(team_ids)
