"""Re-encrypt every stored integration secret with the newest INTEGRATIONS_ENCRYPTION_KEYS key.

Rotate by prepending a new key, running this, then removing the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from integrations import crypto
from integrations.models import IntegrationConfig


class Command(BaseCommand):
    help = "Re-encrypt stored integration credentials with the newest key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with scopes_disabled(), transaction.atomic():
            for config in IntegrationConfig.objects.select_for_update().exclude(secrets_encrypted=""):
                config.secrets_encrypted = crypto.rotate(config.secrets_encrypted)
                config.save(update_fields=["secrets_encrypted", "updated_at"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} integration configuration(s).")
