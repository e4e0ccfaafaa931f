"""Writes about teams: create, invite, accept, change roles, remove.

Every rule about who may do what to whom lives here, so the web views, the API and the admin
cannot drift apart. Errors are ``TeamRuleError`` with a message fit for the user.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from crm.accounts.models import User
from crm.teams.models import INVITATION_TTL, Invitation, Membership, Team
from crm.teams.roles import Role, grantable_roles

logger = logging.getLogger(__name__)


class TeamRuleError(Exception):
    """A request that the team's rules forbid; the message is shown to the user."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def team_create(*, name: str, owner: User, slug: str | None = None) -> Team:
    name = name.strip()
    if not name:
        raise TeamRuleError("A team needs a name.")
    team = Team.objects.create(name=name, slug=slug or _unique_slug(name))
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    logger.info("team created", extra={"team_id": str(team.id)})
    return team


def team_update(*, team: Team, name: str, postal_address: str) -> Team:
    team.name = name.strip() or team.name
    team.postal_address = postal_address.strip()
    team.save(update_fields=["name", "postal_address"])
    return team


def _owner_count(team: Team) -> int:
    return Membership.objects.filter(team=team, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, actor: Membership, target: Membership, role: str) -> Membership:
    role = Role(role)
    if role not in grantable_roles(actor.role):
        raise TeamRuleError("You cannot give that role.")
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise TeamRuleError("Only an owner can change another owner's role.")
    # Lock the owners so two simultaneous demotions cannot leave the team without one.
    list(Membership.objects.select_for_update().filter(team=target.team, role=Role.OWNER))
    if target.role == Role.OWNER and role != Role.OWNER and _owner_count(target.team) <= 1:
        raise TeamRuleError("A team needs at least one owner. Make someone else an owner first.")
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, actor: Membership, target: Membership) -> None:
    leaving = actor.pk == target.pk
    if not leaving:
        if not actor.has_role(Role.ADMIN):
            raise TeamRuleError("Only owners and admins can remove members.")
        if target.role == Role.OWNER and actor.role != Role.OWNER:
            raise TeamRuleError("Only an owner can remove another owner.")
    list(Membership.objects.select_for_update().filter(team=target.team, role=Role.OWNER))
    if target.role == Role.OWNER and _owner_count(target.team) <= 1:
        raise TeamRuleError("A team needs at least one owner. Make someone else an owner first.")
    # Deleting the row is enough: the middleware reloads the membership on every request.
    target.delete()
    logger.info("membership removed", extra={"team_id": str(target.team_id), "leaving": leaving})


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str) -> tuple[Invitation, str]:
    """Invite an address (or refresh its pending invitation) and email the link after commit."""
    from crm.teams.tasks import send_invitation_email

    email = email.strip().lower()
    role = Role(role)
    if role not in grantable_roles(actor.role):
        raise TeamRuleError("You cannot invite someone with that role.")
    team = actor.team
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise TeamRuleError(f"{email} is already a member of {team.name}.")
    raw, digest = Invitation.new_token()
    now = timezone.now()
    invitation = Invitation.objects.filter(team=team, email__iexact=email).pending().first()
    if invitation is None:
        invitation = Invitation(team=team, email=email)
    invitation.role = role
    invitation.token_hash = digest  # a resend invalidates the old link
    invitation.invited_by = actor.user
    invitation.expires_at = now + INVITATION_TTL
    invitation.save()
    send_invitation_email.delay_on_commit(team_id=str(team.id), invitation_id=str(invitation.id), token=raw)
    return invitation, raw


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.status == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the invitation's team. The caller has checked that the invitation is for this user."""
    with transaction.atomic():
        locked = Invitation.by_token.select_for_update().get(pk=invitation.pk)
        if locked.status != "pending":
            raise TeamRuleError(f"This invitation is {locked.status}.")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(team=locked.team, user=user, role=locked.role)
        except IntegrityError:
            membership = Membership.across_teams.get(team=locked.team, user=user)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership
