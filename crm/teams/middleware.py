"""Resolve the current team once per request, check membership, and enter its scope.

- Web: the team chosen in the session (the switcher), falling back to the user's first team.
- API: an ``Authorization: Token ...`` header names one user in one team.
- Django admin: operators (``is_staff``) see every team, so the admin runs with scopes disabled;
  the admin's own login check keeps everyone else out.

The membership is read from the database on every request, so removing a member (or
deactivating a user) takes effect on their very next request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.teams.scoping import team_scope
from crm.teams.selectors import default_membership, membership_for

SESSION_KEY = "team_id"
API_PREFIX = "/api/"


class TeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.team = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.api_token = None  # type: ignore[attr-defined]

        if request.path.startswith(self.admin_prefix):
            with scopes_disabled():
                return self.get_response(request)

        membership = self._resolve(request)
        if membership is None:
            return self.get_response(request)
        request.team = membership.team  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        with team_scope(membership.team):
            return self.get_response(request)

    def _resolve(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        from api.authentication import is_token_header, token_from_header

        # Tokens are credentials for the API only; web pages use the session.
        if request.path.startswith(API_PREFIX) and is_token_header(request.headers.get("Authorization", "")):
            token = token_from_header(request.headers["Authorization"])
            if token is None:
                return None  # DRF answers 401 with a JSON body
            request.api_token = token  # type: ignore[attr-defined]
            return membership_for(user=token.user, team_id=token.team_id)

        user = request.user
        if not user.is_authenticated:
            return None
        membership = membership_for(user=user, team_id=request.session.get(SESSION_KEY))
        if membership is None:
            membership = default_membership(user=user)
            if membership is not None:
                request.session[SESSION_KEY] = str(membership.team_id)
            else:
                request.session.pop(SESSION_KEY, None)
        return membership
