"""The Settings page: team profile, integrations status and webhook URLs, AI agent policy and usage, API
tokens and account security."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from api.models import ApiToken, token_create
from crm.teams.access import get_team_object, team_required
from crm.teams.forms import ApiTokenForm, TeamProfileForm
from crm.teams.models import Team
from crm.teams.roles import Role
from crm.teams.services import team_update
from crm.teams.types import TeamRequest

# What each integration needs, for the status list. The flags themselves live in settings.
INTEGRATIONS = [
    (
        "OpenAI-compatible LLM",
        "OPENAI_ENABLED",
        ["OPENAI_API_KEY", "OPENAI_BASE_URL (optional)"],
        "Without it the AI runs on the offline engine.",
    ),
    (
        "Twilio (SMS, voice)",
        "TWILIO_ENABLED",
        ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
        "Without it, texts go to the local outbox.",
    ),
    ("SendGrid (email)", "SENDGRID_ENABLED", ["SENDGRID_API_KEY"], "Without it, email goes to the local outbox."),
    (
        "Meta (Facebook, Instagram)",
        "FACEBOOK_ENABLED",
        ["FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET"],
        "Lead ads and campaign figures.",
    ),
    (
        "Google Ads",
        "GOOGLE_ADS_ENABLED",
        ["GOOGLE_ADS_DEVELOPER_TOKEN", "GOOGLE_ADS_CLIENT_ID", "GOOGLE_ADS_CLIENT_SECRET"],
        "Campaign figures.",
    ),
    ("Vapi (voice agents)", "VAPI_ENABLED", ["VAPI_API_KEY"], "AI phone calls."),
    ("ResMan (PMS)", "RESMAN_ENABLED", ["RESMAN_INTEGRATION_PARTNER_ID", "RESMAN_API_KEY"], "Units and residents."),
]


def _own_twilio(team: Team) -> bool:
    return _own_account(team, "twilio")


def _own_sendgrid(team: Team) -> bool:
    return _own_account(team, "sendgrid")


def _own_account(team: Team, provider: str) -> bool:
    from integrations.models import IntegrationConfig

    return IntegrationConfig.objects.filter(team=team, provider=provider, enabled=True).exists()


# Channels a team can connect with its own account (admin → Integration configs), not only the server's.
TEAM_ACCOUNTS: dict[str, Callable[[Team], bool]] = {"TWILIO_ENABLED": _own_twilio, "SENDGRID_ENABLED": _own_sendgrid}


def webhook_urls() -> list[tuple[str, str]]:
    """What to paste into the providers' consoles; Twilio signs requests for exactly these URLs."""
    base = settings.SITE_URL
    return [
        ("Twilio — A message comes in (each SMS number)", base + reverse("webhooks:twilio-sms")),
        ("Twilio — status callback (set per message automatically)", base + reverse("webhooks:twilio-status")),
        ("SendGrid — Inbound Parse", base + reverse("webhooks:sendgrid-inbound") + "?key=<SENDGRID_INBOUND_SECRET>"),
        ("SendGrid — Event Webhook (signed)", base + reverse("webhooks:sendgrid-events")),
    ]


def _context(
    request: TeamRequest,
    *,
    profile_form: TeamProfileForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_key: str | None = None,
) -> dict[str, object]:
    from agents.views.policy import policy_context

    membership = request.membership
    return {
        "profile_form": profile_form or TeamProfileForm(instance=membership.team),
        "can_edit_team": membership.has_role(Role.ADMIN),
        "integrations": [
            {
                "name": name,
                "enabled": getattr(settings, flag),
                "variables": variables,
                "note": note,
                "team_account": flag in TEAM_ACCOUNTS and TEAM_ACCOUNTS[flag](membership.team),
            }
            for name, flag, variables, note in INTEGRATIONS
        ],
        "webhooks": webhook_urls(),
        **policy_context(request),
        "tokens": ApiToken.objects.filter(user=request.user).active(),
        "token_form": token_form or ApiTokenForm(),
        "new_key": new_key,
    }


@require_http_methods(["GET", "POST"])
@team_required
def settings_page(request: TeamRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.membership.has_role(Role.ADMIN):
            messages.error(request, "Only owners and admins can change the team's profile.")
            return redirect("teams:settings")
        form = TeamProfileForm(request.POST, instance=request.team)
        if form.is_valid():
            team_update(team=request.team, **form.cleaned_data)
            messages.success(request, "Team profile saved.")
            return redirect("teams:settings")
        return render(request, "teams/settings.html", _context(request, profile_form=form), status=422)
    return render(request, "teams/settings.html", _context(request))


@require_POST
@team_required
def token_create_view(request: TeamRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "teams/settings.html", _context(request, token_form=form), status=422)
    token, key = token_create(team=request.team, user=request.user, name=form.cleaned_data["name"])
    messages.success(request, f"Token “{token.name}” created. Copy it now: it will not be shown again.")
    # Rendered, not redirected: the key exists only in this response.
    return render(request, "teams/settings.html", _context(request, new_key=key))


@require_POST
@team_required
def token_revoke(request: TeamRequest, token_id: str) -> HttpResponse:
    token = get_team_object(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(request, f"Token “{token.name}” revoked.")
    if request.htmx:
        return HttpResponse("")
    return redirect("teams:settings")
