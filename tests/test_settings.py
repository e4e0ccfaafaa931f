"""The production profile demands its variables and passes Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from loriaa.env import env_bool, integration_enabled

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "q8Zr-3vNw!pL0xT7mYc2$hJd9@KsF4uBe6%gAo1*RiW5nVy_EzXt",
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "postgres://loriaa:secret@db.internal:5432/loriaa",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.example.com",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.pop("EMAIL_HOST", None)
    return subprocess.run(
        [sys.executable, "-W", "ignore", "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist_with_warnings_as_failures() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"])
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_debug_and_short_secret_keys() -> None:
    assert "DJANGO_DEBUG must be off" in manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "true"}).stderr
    assert "at least 50 characters" in manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"}).stderr


def test_production_uses_host_prefixed_secure_cookies() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.API_DOCS_ENABLED)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["__Host-loriaa_session", "__Host-loriaa_csrf"] + ["True"] * 4 + ["False"]


def test_a_typo_in_a_boolean_variable_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG")


def test_a_half_configured_integration_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(ImproperlyConfigured, match="set TWILIO_AUTH_TOKEN"):
        integration_enabled("Twilio", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")


def test_an_integration_is_off_without_credentials_and_on_with_all_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert integration_enabled("Twilio", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") is False
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    assert integration_enabled("Twilio", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") is True
