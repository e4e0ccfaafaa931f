"""Integration tool: which channels and integrations are configured (never their credentials)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from agents.tools.base import ToolArgs, ToolContext, tool
from crm.leads.permissions import CAN_VIEW


class NoArgs(ToolArgs):
    pass


def _flag(name: str) -> bool:
    return bool(getattr(settings, name, False))


@tool(
    "integration_status",
    group="integration",
    args_model=NoArgs,
    min_role=CAN_VIEW,
    description="Which channels (SMS, email, voice), the AI model, ad platforms and the PMS are connected.",
)
def integration_status(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    from integrations.credentials import sendgrid_credentials, twilio_credentials

    # The team's own stored account counts as much as the install-wide variables.
    sms, email = twilio_credentials(ctx.team) is not None, sendgrid_credentials(ctx.team) is not None
    return {
        "sms": {"provider": "Twilio", "connected": sms},
        "email": {"provider": "SendGrid", "connected": email},
        "voice": {"provider": "Vapi", "connected": _flag("VAPI_ENABLED")},
        "ai_model": {"provider": "OpenAI-compatible", "connected": _flag("OPENAI_ENABLED")},
        "facebook_ads": {"provider": "Meta", "connected": _flag("FACEBOOK_ENABLED")},
        "google_ads": {"provider": "Google Ads", "connected": _flag("GOOGLE_ADS_ENABLED")},
        "pms": {"provider": "ResMan", "connected": _flag("RESMAN_ENABLED")},
        "note": ""
        if sms and email
        else "Channels that are not connected deliver to the local outbox, visible in the inbox, instead.",
    }
