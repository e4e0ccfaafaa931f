"""Reads about teams and memberships."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from crm.accounts.models import User
from crm.teams.models import Invitation, Membership, Team, hash_token


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """All of a user's teams (the switcher). Crosses teams on purpose: it is the user's own list."""
    return Membership.across_teams.filter(user=user).select_related("team").order_by("team__name")


def membership_for(*, user: User, team_id: UUID | str | None) -> Membership | None:
    if not team_id:
        return None
    try:
        return Membership.across_teams.select_related("team").get(user=user, team_id=team_id, user__is_active=True)
    except (Membership.DoesNotExist, ValueError):
        return None


def default_membership(*, user: User) -> Membership | None:
    return Membership.across_teams.select_related("team").filter(user=user).order_by("created_at").first()


def team_members(*, team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("user__email")


def invitation_by_token(*, token: str) -> Invitation | None:
    """Look an invitation up by its raw token. The token is the credential, so no team scope."""
    if not token or len(token) > 100:
        return None
    return Invitation.by_token.select_related("team", "invited_by").filter(token_hash=hash_token(token)).first()
