from __future__ import annotations

import pytest
from django_scopes import ScopeError, scopes_disabled

from crm.teams.models import Invitation, Membership, Team
from crm.teams.scoping import team_scope
from crm.teams.tasks import send_invitation_email
from tests.conftest import TeamWorld
from tests.factories import invitation_with_token


def test_a_tenant_query_outside_any_scope_raises(team_a: TeamWorld) -> None:
    with pytest.raises(ScopeError):
        list(Membership.objects.all())


def test_a_scope_shows_only_its_own_teams_rows(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_a.team):
        assert {m.team_id for m in Membership.objects.all()} == {team_a.team.id}
        assert not Membership.objects.filter(pk=team_b.membership("owner").pk).exists()


def test_team_scope_refuses_to_run_without_a_team(db: None) -> None:
    # django-scopes reads scope(team=None) as "no filter"; ours must refuse instead.
    with pytest.raises(ValueError, match="refusing to run unscoped"), team_scope(None):  # type: ignore[arg-type]
        pass
    with pytest.raises(ValueError, match="refusing to run unscoped"), team_scope(Team(name="unsaved")):
        pass


def test_a_team_task_cannot_act_on_another_teams_object(team_a: TeamWorld, team_b: TeamWorld) -> None:
    invitation, token = invitation_with_token(team=team_b.team, email="b@example.com")
    # Team A's id with team B's invitation: the task runs in A's scope and finds nothing.
    assert (
        send_invitation_email.delay(team_id=str(team_a.team.id), invitation_id=str(invitation.id), token=token).get()
        is False
    )
    assert (
        send_invitation_email.delay(team_id=str(team_b.team.id), invitation_id=str(invitation.id), token=token).get()
        is True
    )


def test_a_team_task_for_a_deleted_team_is_dropped(team_a: TeamWorld) -> None:
    invitation, token = invitation_with_token(team=team_a.team)
    team_id = str(team_a.team.id)
    Team.objects.filter(pk=team_a.team.pk).delete()
    assert send_invitation_email.delay(team_id=team_id, invitation_id=str(invitation.id), token=token).get() is None
    with scopes_disabled():
        assert not Invitation.objects.filter(pk=invitation.pk).exists()
