"""Per-team credentials: encrypted at rest, rotatable, a team's own account wins over the environment."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from integrations import crypto
from integrations.credentials import SIMULATOR_TOKEN, twilio_credentials, twilio_webhook_token
from integrations.models import IntegrationConfig, Provider
from tests.conftest import TeamWorld

pytestmark = pytest.mark.django_db


def configure(world: TeamWorld, **secrets: str) -> IntegrationConfig:
    config = IntegrationConfig(team=world.team, provider=Provider.TWILIO)
    config.set_secrets(secrets)
    with scopes_disabled():
        config.save()
    return config


def test_secrets_are_never_stored_in_clear_text(team_a: TeamWorld) -> None:
    configure(team_a, account_sid="AC" + "1" * 32, auth_token="super-secret-token")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets_encrypted FROM integrations_integrationconfig")
        (stored,) = cursor.fetchone()
    assert "super-secret-token" not in stored
    assert twilio_credentials(team_a.team).auth_token == "super-secret-token"  # type: ignore[union-attr]


def test_a_teams_own_account_wins_and_other_teams_use_the_environment(
    team_a: TeamWorld, team_b: TeamWorld, settings: Any
) -> None:
    settings.TWILIO_ENABLED = True
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "e" * 32, "env-token"
    configure(team_a, account_sid="AC" + "a" * 32, auth_token="team-a-token")
    assert twilio_webhook_token(team_a.team) == "team-a-token"
    assert twilio_webhook_token(team_b.team) == "env-token"
    with scopes_disabled():
        IntegrationConfig.objects.filter(team=team_a.team).update(enabled=False)
    assert twilio_credentials(team_a.team) is None  # switched off for this team: the outbox


def test_the_simulator_token_is_only_trusted_while_the_simulator_is_on(team_a: TeamWorld, settings: Any) -> None:
    settings.TWILIO_ENABLED = False
    settings.INBOX_SIMULATOR = True
    assert twilio_webhook_token(team_a.team) == SIMULATOR_TOKEN
    settings.INBOX_SIMULATOR = False
    assert twilio_webhook_token(team_a.team) is None
    settings.INBOX_SIMULATOR = True
    configure(team_a, account_sid="AC" + "a" * 32, auth_token="real")
    assert twilio_webhook_token(team_a.team) == "real"  # a real account: never the public token


def test_keys_rotate(team_a: TeamWorld, settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.INTEGRATIONS_ENCRYPTION_KEYS = [old]
    configure(team_a, account_sid="AC" + "a" * 32, auth_token="rotate-me")
    settings.INTEGRATIONS_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_integration_keys", stdout=out)
    assert "1 integration" in out.getvalue()
    settings.INTEGRATIONS_ENCRYPTION_KEYS = [new]  # the old key is gone: still readable
    assert twilio_credentials(team_a.team).auth_token == "rotate-me"  # type: ignore[union-attr]
    settings.INTEGRATIONS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.CredentialsUnreadable):
        twilio_credentials(team_a.team)
