"""Which account a team's messages go through: its own stored one, else the environment's, else none.

``None`` means the channel is off for that team: outbound messages go to the local outbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_scopes import scopes_disabled

from crm.teams.models import Team
from integrations.models import IntegrationConfig, Provider


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str
    messaging_service_sid: str = ""


@dataclass(frozen=True)
class SendGridCredentials:
    api_key: str
    from_email: str
    event_public_key: str = ""
    inbound_domain: str = ""


def _stored(team: Team | None, provider: str) -> IntegrationConfig | None:
    if team is None:
        return None
    # Webhooks resolve credentials before a team scope exists (the signature is checked first).
    with scopes_disabled():
        return IntegrationConfig.objects.filter(team=team, provider=provider).first()


def twilio_credentials(team: Team | None) -> TwilioCredentials | None:
    config = _stored(team, Provider.TWILIO)
    if config is not None:
        if not config.enabled:
            return None
        secrets = config.secrets
        if secrets.get("account_sid") and secrets.get("auth_token"):
            return TwilioCredentials(
                secrets["account_sid"], secrets["auth_token"], config.settings.get("messaging_service_sid", "")
            )
    if settings.TWILIO_ENABLED:
        return TwilioCredentials(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_MESSAGING_SERVICE_SID
        )
    return None


def sendgrid_credentials(team: Team | None) -> SendGridCredentials | None:
    config = _stored(team, Provider.SENDGRID)
    if config is not None:
        if not config.enabled:
            return None
        secrets = config.secrets
        if secrets.get("api_key"):
            return SendGridCredentials(
                api_key=secrets["api_key"],
                from_email=config.settings.get("from_email") or settings.DEFAULT_FROM_EMAIL,
                event_public_key=secrets.get("event_public_key", ""),
                inbound_domain=config.settings.get("inbound_domain") or settings.SENDGRID_INBOUND_DOMAIN,
            )
    if settings.SENDGRID_ENABLED:
        return SendGridCredentials(
            api_key=settings.SENDGRID_API_KEY,
            from_email=settings.DEFAULT_FROM_EMAIL,
            event_public_key=settings.SENDGRID_EVENT_PUBLIC_KEY,
            inbound_domain=settings.SENDGRID_INBOUND_DOMAIN,
        )
    return None


# The "simulate inbound message" form signs its requests with this token, and the webhooks accept
# it only while the simulator is on (INBOX_SIMULATOR, default DEBUG) and the team has no real
# Twilio account, so a production install never trusts a well-known token.
SIMULATOR_TOKEN = "loriaa-simulator"  # noqa: S105 - a public, documented development token


def twilio_webhook_token(team: Team | None) -> str | None:
    """The auth token that must have signed a Twilio webhook for ``team``; None: reject everything."""
    credentials = twilio_credentials(team)
    if credentials is not None:
        return credentials.auth_token
    return SIMULATOR_TOKEN if settings.INBOX_SIMULATOR else None
