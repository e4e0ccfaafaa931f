from __future__ import annotations

import json

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.teams.models import Invitation, Membership, Team
from crm.teams.roles import Role
from tests.conftest import TeamWorld, login
from tests.factories import MembershipFactory, UserFactory, invitation_with_token

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_team_page_lists_members_and_offers_invites_to_admins(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.ADMIN)).get(reverse("teams:members"))
    assert response.status_code == 200
    body = response.content.decode()
    assert team_a.user(Role.VIEWER).email in body
    assert "Invite a teammate" in body


def test_agents_see_the_team_but_no_management_controls(team_a: TeamWorld) -> None:
    body = login(team_a.user(Role.AGENT)).get(reverse("teams:members")).content.decode()
    assert "Invite a teammate" not in body
    assert reverse("teams:member-role", args=[team_a.membership(Role.VIEWER).id]) not in body


def test_an_agent_cannot_invite(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.AGENT)).post(reverse("teams:invite"), {"email": "x@example.com", "role": "agent"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_inviting_through_htmx_returns_the_panel_and_a_toast(
    team_a: TeamWorld, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = login(team_a.user(Role.ADMIN)).post(
            reverse("teams:invite"), {"email": "sam@example.com", "role": "agent"}, **HTMX
        )
    assert response.status_code == 200
    assert 'id="invite-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()
    toasts = json.loads(response["HX-Trigger"])["toasts"]
    assert toasts == [{"message": "Invitation sent to sam@example.com.", "level": "success"}]
    assert mail.outbox[0].to == ["sam@example.com"]


def test_an_invalid_invite_shows_the_error_and_keeps_the_input(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.ADMIN)).post(
        reverse("teams:invite"), {"email": "not-an-email", "role": "agent"}, **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert 'value="not-an-email"' in body


def test_an_admin_cannot_invite_an_owner(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.ADMIN)).post(
        reverse("teams:invite"), {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 422
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_changing_a_role_with_htmx_returns_the_updated_row(team_a: TeamWorld) -> None:
    target = team_a.membership(Role.VIEWER)
    response = login(team_a.user(Role.OWNER)).post(
        reverse("teams:member-role", args=[target.id]), {"role": "manager"}, **HTMX
    )
    assert response.status_code == 200
    assert f'id="member-{target.id}"' in response.content.decode()
    with scopes_disabled():
        target.refresh_from_db()
    assert target.role == Role.MANAGER


def test_a_manager_cannot_change_roles(team_a: TeamWorld) -> None:
    target = team_a.membership(Role.VIEWER)
    response = login(team_a.user(Role.MANAGER)).post(reverse("teams:member-role", args=[target.id]), {"role": "admin"})
    assert response.status_code == 403
    with scopes_disabled():
        target.refresh_from_db()
    assert target.role == Role.VIEWER


def test_removing_a_member_with_htmx_empties_the_row(team_a: TeamWorld) -> None:
    target = team_a.membership(Role.AGENT)
    response = login(team_a.user(Role.ADMIN)).post(reverse("teams:member-remove", args=[target.id]), **HTMX)
    assert response.status_code == 200
    assert response.content == b""
    with scopes_disabled():
        assert not Membership.objects.filter(pk=target.pk).exists()


def test_leaving_a_team_sends_you_to_your_other_team(team_a: TeamWorld, team_b: TeamWorld) -> None:
    user = team_a.user(Role.AGENT)
    with scopes_disabled():
        MembershipFactory(team=team_b.team, user=user, role=Role.VIEWER)
    client = login(user)
    client.post(reverse("teams:switch"), {"team": str(team_a.team.id)})
    response = client.post(reverse("teams:member-remove", args=[team_a.membership(Role.AGENT).id]))
    assert response.status_code == 302
    page = client.get(reverse("dashboard:home"))
    assert page.context["current_team"] == team_b.team


def test_switching_teams_changes_the_current_team(team_a: TeamWorld, team_b: TeamWorld) -> None:
    user = team_a.user(Role.AGENT)
    with scopes_disabled():
        MembershipFactory(team=team_b.team, user=user, role=Role.VIEWER)
    client = login(user)
    assert client.get("/").context["current_team"] == team_a.team
    response = client.post(reverse("teams:switch"), {"team": str(team_b.team.id)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.context["current_team"] == team_b.team
    assert "Bravo Residential" in page.content.decode()


def test_switching_to_a_team_you_are_not_in_changes_nothing(team_a: TeamWorld, team_b: TeamWorld) -> None:
    client = login(team_a.user(Role.OWNER))
    client.post(reverse("teams:switch"), {"team": str(team_b.team.id)})
    assert client.get("/").context["current_team"] == team_a.team


def test_someone_without_a_team_is_asked_to_create_one(db: None) -> None:
    client = login(UserFactory())
    assert client.get("/").url == reverse("teams:create")
    response = client.post(reverse("teams:create"), {"name": "Fresh Start Apartments"})
    assert response.status_code == 302
    assert client.get("/").context["current_team"] == Team.objects.get(name="Fresh Start Apartments")


def test_the_invited_address_can_accept_and_lands_in_the_new_team(team_a: TeamWorld) -> None:
    _invitation, token = invitation_with_token(team=team_a.team, email="joiner@example.com", role=Role.MANAGER)
    joiner = UserFactory(email="joiner@example.com")
    client = login(joiner)
    url = reverse("teams:invitation", args=[token])
    assert "Join Alpha Living" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert Membership.objects.get(user=joiner, team=team_a.team).role == Role.MANAGER
    assert client.get("/").context["current_team"] == team_a.team


def test_another_address_cannot_accept_someone_elses_invitation(team_a: TeamWorld) -> None:
    _, token = invitation_with_token(team=team_a.team, email="intended@example.com")
    intruder = login(UserFactory(email="intruder@example.com"))
    assert intruder.get(reverse("teams:invitation", args=[token])).status_code == 404
    assert intruder.post(reverse("teams:invitation", args=[token])).status_code == 404
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="intruder@example.com", team=team_a.team).exists()


def test_an_unverified_address_cannot_accept(team_a: TeamWorld) -> None:
    _, token = invitation_with_token(team=team_a.team, email="unverified@example.com")
    client = login(UserFactory(email="unverified@example.com", verified=False))
    assert client.post(reverse("teams:invitation", args=[token])).status_code == 404


def test_a_revoked_invitation_is_gone(team_a: TeamWorld) -> None:
    invitation, token = invitation_with_token(team=team_a.team, email="gone@example.com")
    login(team_a.user(Role.ADMIN)).post(reverse("teams:invitation-revoke", args=[invitation.id]))
    response = login(UserFactory(email="gone@example.com")).get(reverse("teams:invitation", args=[token]))
    assert response.status_code == 410


def test_an_anonymous_visitor_is_asked_to_sign_in_first(team_a: TeamWorld) -> None:
    _, token = invitation_with_token(team=team_a.team, email="later@example.com")
    body = Client().get(reverse("teams:invitation", args=[token])).content.decode()
    assert "Sign in" in body
    assert "later@example.com" in body


def test_an_unknown_invitation_token_is_a_404(db: None) -> None:
    assert Client().get(reverse("teams:invitation", args=["nope"])).status_code == 404


def test_the_switcher_lists_only_your_own_teams(team_a: TeamWorld, team_b: TeamWorld) -> None:
    user = UserFactory()
    with scopes_disabled():
        MembershipFactory(team=team_a.team, user=user)
        MembershipFactory(team=team_b.team, user=UserFactory())  # someone else's team
        other_team_for_user = MembershipFactory(user=user).team
    body = login(user).get("/").content.decode()
    assert 'id="team-switch"' in body
    assert "Alpha Living" in body
    assert other_team_for_user.name in body
    assert "Bravo Residential" not in body
