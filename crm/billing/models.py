"""What each team consumed: AI tokens now; SMS segments, email and voice minutes as they arrive.

One row per metered event (one model call, one message), written by ``crm.billing.services``.
Rows are never edited: a bill is a sum over them, and an operator can export them as CSV.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from crm.teams.models import TeamOwned


class UsageKind(models.TextChoices):
    AI_TOKENS = "ai_tokens", "AI tokens"
    SMS_SEGMENTS = "sms_segments", "SMS segments"
    EMAIL = "email", "Email"
    VOICE_MINUTES = "voice_minutes", "Voice minutes"


class UsageRecord(TeamOwned):
    kind = models.CharField(max_length=16, choices=UsageKind.choices)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    # The quantity of kinds that are not tokens (segments, messages, minutes).
    units = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    model = models.CharField(max_length=100, blank=True)
    # What the call was for: "agent", "score_explanation", "ad_copy", ...
    purpose = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-created_at"]
        default_manager_name = "objects"
        indexes = [models.Index(fields=["team", "created_at"], name="usagerecord_team_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.purpose or 'unknown'} ({self.team_id})"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
