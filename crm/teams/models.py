"""The tenant (Team) and who belongs to it.

Every tenant-owned model inherits ``TeamOwned``: a ``team`` foreign key and a django-scopes
manager, so a query made outside ``scope(team=...)`` raises instead of reading every team's rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from crm.teams.roles import Role, role_at_least
from loriaa.ids import uuid7

INVITATION_TTL = timedelta(days=7)


class Team(models.Model):
    """A property-management company: the unit of tenancy."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    postal_address = models.TextField(
        blank=True, help_text="Shown in the footer of marketing email, as CAN-SPAM requires."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamOwned(models.Model):
    """Base for every row that belongs to one team."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        abstract = True


class Membership(TeamOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)

    # Used only where a user's own memberships across teams are the point (team switcher,
    # middleware); everything else goes through the scoped ``objects``.
    across_teams = models.Manager()

    class Meta:
        ordering = ["created_at"]
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_user_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team_id} as {self.role}"

    def has_role(self, minimum: str) -> bool:
        return role_at_least(self.role, minimum)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(TeamOwned):
    """An emailed link that lets one address join the team with a role, once, before it expires.

    Only a hash of the token is stored: a database read does not reveal usable links.
    """

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[Any] = ScopedManager(team="team", _manager_class=models.Manager.from_queryset(InvitationQuerySet))
    by_token = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        default_manager_name = "objects"  # the scoped one: get_object_or_404 and friends use it

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, hash_token(raw)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
