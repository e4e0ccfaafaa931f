"""Sentry, initialised only when SENTRY_DSN is set, with personal data scrubbed."""

from __future__ import annotations

from typing import Any

SENSITIVE_HEADERS = {"authorization", "cookie", "x-csrftoken", "x-twilio-signature", "x-hub-signature-256"}


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Drop what could identify a prospect or a user: bodies, cookies, auth headers, emails, IPs."""
    request = event.get("request") or {}
    request.pop("data", None)
    request.pop("cookies", None)
    request.pop("query_string", None)
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in SENSITIVE_HEADERS:
            headers[name] = "[Filtered]"
    user = event.get("user") or {}
    for key in ("email", "ip_address", "username"):
        user.pop(key, None)
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=scrub_event,  # type: ignore[arg-type]
    )
