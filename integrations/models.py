"""Per-team integration credentials, stored encrypted.

A single-tenant install sets credentials in the environment (``TWILIO_ACCOUNT_SID``...). A hosted,
multi-team install stores each team's own account here instead; a team's row wins over the
environment. Secrets are write-only in the admin: they are encrypted on save and never shown.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.teams.models import Team, TeamOwned
from integrations import crypto


class Provider(models.TextChoices):
    TWILIO = "twilio", "Twilio (SMS)"
    SENDGRID = "sendgrid", "SendGrid (email)"


# Which keys each provider's secrets and settings hold; the admin form is built from these.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    Provider.TWILIO: ("account_sid", "auth_token"),
    Provider.SENDGRID: ("api_key", "event_public_key"),
}
SETTING_FIELDS: dict[str, tuple[str, ...]] = {
    Provider.TWILIO: ("messaging_service_sid",),
    Provider.SENDGRID: ("from_email", "inbound_domain"),
}


class IntegrationConfig(TeamOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="integration_configs")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    enabled = models.BooleanField(default=True)
    secrets_encrypted = models.TextField(blank=True, editable=False)
    settings = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "provider"], name="integration_one_per_provider")]

    def __str__(self) -> str:
        return f"{self.team} · {self.get_provider_display()}"

    @property
    def secrets(self) -> dict[str, Any]:
        return crypto.decrypt(self.secrets_encrypted)

    def set_secrets(self, values: dict[str, Any]) -> None:
        self.secrets_encrypted = crypto.encrypt({k: v for k, v in values.items() if v})
