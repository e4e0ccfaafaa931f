from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from crm.teams.roles import Role


class IsTeamMember(BasePermission):
    """The request has a current team and the user is (still) a member of it."""

    message = "You are not a member of a team."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request._request, "membership", None) is not None


def team_role(minimum: str, *, safe: str = Role.VIEWER) -> type[BasePermission]:
    """Reads need ``safe`` (any member by default); writes need ``minimum``."""

    class HasTeamRole(BasePermission):
        message = f"This needs the {Role(minimum).label} role or higher."

        def has_permission(self, request: Request, view: Any) -> bool:
            membership = getattr(request._request, "membership", None)
            if membership is None:
                return False
            return membership.has_role(safe if request.method in SAFE_METHODS else minimum)

    return HasTeamRole
