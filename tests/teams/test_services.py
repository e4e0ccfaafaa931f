from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.teams.models import Invitation, Membership
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from crm.teams.services import (
    TeamRuleError,
    invitation_accept,
    invitation_create,
    membership_change_role,
    membership_remove,
    team_create,
)
from tests.conftest import TeamWorld
from tests.factories import UserFactory


def test_creating_a_team_makes_its_creator_the_owner_with_a_unique_slug(db: None) -> None:
    user = UserFactory()
    first = team_create(name="Harbor Point", owner=user)
    second = team_create(name="Harbor Point", owner=user)
    assert (first.slug, second.slug) == ("harbor-point", "harbor-point-2")
    with team_scope(first):
        assert Membership.objects.get(user=user).role == Role.OWNER


def test_a_team_needs_a_name(db: None) -> None:
    with pytest.raises(TeamRuleError):
        team_create(name="   ", owner=UserFactory())


def test_admins_cannot_grant_the_owner_role(team_a: TeamWorld, in_team_a: object) -> None:
    with pytest.raises(TeamRuleError, match="cannot give that role"):
        membership_change_role(actor=team_a.membership(Role.ADMIN), target=team_a.membership(Role.AGENT), role="owner")


def test_admins_cannot_demote_an_owner(team_a: TeamWorld, in_team_a: object) -> None:
    with pytest.raises(TeamRuleError, match="Only an owner"):
        membership_change_role(actor=team_a.membership(Role.ADMIN), target=team_a.membership(Role.OWNER), role="agent")


def test_the_last_owner_cannot_be_demoted_or_removed(team_a: TeamWorld, in_team_a: object) -> None:
    owner = team_a.membership(Role.OWNER)
    with pytest.raises(TeamRuleError, match="at least one owner"):
        membership_change_role(actor=owner, target=owner, role="admin")
    with pytest.raises(TeamRuleError, match="at least one owner"):
        membership_remove(actor=owner, target=owner)


def test_an_owner_can_step_down_once_there_is_another_owner(team_a: TeamWorld, in_team_a: object) -> None:
    owner, admin = team_a.membership(Role.OWNER), team_a.membership(Role.ADMIN)
    membership_change_role(actor=owner, target=admin, role="owner")
    membership_change_role(actor=owner, target=owner, role="manager")
    owner.refresh_from_db()
    assert owner.role == Role.MANAGER


def test_agents_cannot_remove_teammates_but_can_leave(team_a: TeamWorld, in_team_a: object) -> None:
    agent = team_a.membership(Role.AGENT)
    with pytest.raises(TeamRuleError, match="Only owners and admins"):
        membership_remove(actor=agent, target=team_a.membership(Role.VIEWER))
    membership_remove(actor=agent, target=agent)
    assert not Membership.objects.filter(pk=agent.pk).exists()


def test_inviting_emails_a_link_and_a_resend_replaces_the_old_link(
    team_a: TeamWorld, in_team_a: object, django_capture_on_commit_callbacks: object
) -> None:
    admin = team_a.membership(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first, first_token = invitation_create(actor=admin, email="New.Agent@Example.com", role="agent")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        again, second_token = invitation_create(actor=admin, email="new.agent@example.com", role="manager")
    assert first.pk == again.pk
    assert first_token != second_token
    assert Invitation.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["new.agent@example.com"]] * 2
    assert second_token in mail.outbox[1].body
    assert first_token not in mail.outbox[1].body
    assert Invitation.objects.get().sent_at is not None


def test_inviting_an_existing_member_is_refused(team_a: TeamWorld, in_team_a: object) -> None:
    with pytest.raises(TeamRuleError, match="already a member"):
        invitation_create(actor=team_a.membership(Role.OWNER), email=team_a.user(Role.AGENT).email, role="agent")


def test_accepting_twice_or_after_expiry_is_refused(team_a: TeamWorld, in_team_a: object) -> None:
    invitation, _ = invitation_create(actor=team_a.membership(Role.OWNER), email="late@example.com", role="agent")
    user = UserFactory(email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    with pytest.raises(TeamRuleError, match="expired"):
        invitation_accept(invitation=invitation, user=user)

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(days=1))
    membership = invitation_accept(invitation=invitation, user=user)
    assert membership.role == Role.AGENT
    with pytest.raises(TeamRuleError, match="accepted"):
        invitation_accept(invitation=invitation, user=user)
