"""Saved ad copy: one variation a user liked, kept as a draft on its property."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from crm.marketing.platforms import Engine, Objective, Platform, Tone, headline_of, plain_text, text_items
from crm.properties.models import Property
from crm.teams.models import TeamOwned
from crm.teams.roles import Role

if TYPE_CHECKING:
    from crm.teams.models import Membership


class AdCopyDraft(TeamOwned):
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="ad_copy_drafts")
    platform = models.CharField(max_length=12, choices=Platform.choices)
    objective = models.CharField(max_length=12, choices=Objective.choices)
    tone = models.CharField(max_length=12, choices=Tone.choices)
    engine = models.CharField(max_length=8, choices=Engine.choices, default=Engine.OFFLINE)
    # One variation, in the platform's shape (see crm.marketing.platforms).
    content = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        ordering = ["-created_at"]
        default_manager_name = "objects"
        indexes = [models.Index(fields=["team", "property", "-created_at"], name="adcopydraft_team_property")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} ad for {self.property_id}: {self.title()}"

    # Methods, not properties: the ``property`` field shadows the builtin in this class body.
    def title(self) -> str:
        return headline_of(self.platform, self.content)

    def plain_text(self) -> str:
        return plain_text(self.platform, self.content)

    def texts(self) -> list[str]:
        return [text for _, _, text in text_items(self.platform, self.content)]

    def can_delete(self, membership: Membership) -> bool:
        """Managers tidy up anyone's drafts; agents their own."""
        return membership.has_role(Role.MANAGER) or (
            membership.has_role(Role.AGENT) and self.created_by_id == membership.user_id
        )
