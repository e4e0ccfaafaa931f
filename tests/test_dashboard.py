from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from crm.leads.models import Lead, Stage, Task
from crm.teams.roles import Role
from tests.conftest import TeamWorld, login
from tests.factories import LeadFactory


def test_the_dashboard_counts_this_weeks_leads_and_your_overdue_tasks(team_a: TeamWorld, team_b: TeamWorld) -> None:
    me = team_a.user(Role.AGENT)
    with scopes_disabled():
        LeadFactory.create_batch(3, team=team_a.team)
        old = LeadFactory(team=team_a.team, stage=Stage.LEASED)
        Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
        LeadFactory.create_batch(5, team=team_b.team)  # another team's leads never count
        Task.objects.create(
            team=team_a.team, lead=old, title="Call back", assigned_to=me, due_at=timezone.now() - timedelta(hours=2)
        )
    kpis = {k["label"]: k for k in login(me).get("/").context["kpis"]}
    assert kpis["New leads (7 days)"]["value"] == 3
    assert kpis["New leads (7 days)"]["note"] == "3 open in the pipeline"
    assert kpis["Your overdue tasks"]["value"] == 1
