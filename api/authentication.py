"""Token authentication: ``Authorization: Token <key>`` (``Bearer`` is accepted too).

``TeamMiddleware`` resolves the token (and so the team) before any view runs; this class only
hands DRF the result, or a 401 when a key was sent but is unknown, revoked or its user is no
longer a member.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from crm.teams.models import hash_token

SCHEMES = {"token", "bearer"}
# Writing last_used_at on every call would turn each GET into a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def is_token_header(header: str) -> bool:
    return header.partition(" ")[0].lower() in SCHEMES


def token_from_header(header: str) -> ApiToken | None:
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() not in SCHEMES or not key or len(key) > 200:
        return None
    token = (
        ApiToken.by_key.select_related("user", "team").filter(key_hash=hash_token(key), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.by_key.filter(pk=token.pk).update(last_used_at=now)
    return token


class TeamTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        header = request.headers.get("Authorization", "")
        if not is_token_header(header):
            return None
        django_request = request._request
        token = getattr(django_request, "api_token", None)
        if token is None or getattr(django_request, "membership", None) is None:
            raise exceptions.AuthenticationFailed("Invalid token, or its user is no longer a member of the team.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
