from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import MeSerializer


@extend_schema(responses=MeSerializer, summary="Who am I: the user, the team and the role the credentials carry")
@api_view(["GET"])
def me(request: Request) -> Response:
    membership = request._request.membership  # type: ignore[attr-defined]  # set by TeamMiddleware
    data = {
        "user": request.user,
        "team": membership.team,
        "role": membership.role,
        "auth": "token" if request.auth is not None else "session",
    }
    return Response(MeSerializer(data).data)
