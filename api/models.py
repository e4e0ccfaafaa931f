from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from crm.accounts.models import User
from crm.teams.models import Team, TeamOwned, hash_token

TOKEN_PREFIX = "lor_"  # noqa: S105 - a public marker that makes leaked keys easy to spot


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(TeamOwned):
    """A key for scripts: one user acting in one team, with that user's current role there.

    Only the SHA-256 of the key is stored; the key is shown once, when created.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False, help_text="The first characters, to recognise a key.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[Any] = ScopedManager(team="team", _manager_class=models.Manager.from_queryset(ApiTokenQuerySet))
    by_key = models.Manager()  # authentication looks keys up before any team is known

    class Meta:
        ordering = ["-created_at"]
        default_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def new_key() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


def token_create(*, team: Team, user: User, name: str) -> tuple[ApiToken, str]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        team=team, user=user, name=name.strip() or "API token", key_hash=hash_token(key), key_hint=key[:8]
    )
    return token, key
