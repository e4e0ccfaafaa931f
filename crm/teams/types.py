"""The request as views see it after TeamMiddleware and django-htmx have run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from api.models import ApiToken
    from crm.accounts.models import User
    from crm.teams.models import Membership, Team


class TeamRequest(HttpRequest):
    """Views decorated with ``team_required`` may rely on ``team`` and ``membership`` being set."""

    user: User  # type: ignore[assignment]
    team: Team
    membership: Membership
    api_token: ApiToken | None
    htmx: HtmxDetails
    correlation_id: str
