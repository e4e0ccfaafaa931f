from __future__ import annotations

from django.http import HttpRequest

from crm.teams.roles import Role
from crm.teams.selectors import memberships_for_user


def team(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if membership is None or user is None or not user.is_authenticated:
        return {"current_team": None, "current_membership": None}

    def switchable() -> list[object]:
        # Evaluated only when the template renders the switcher.
        return list(memberships_for_user(user=user))

    return {
        "current_team": membership.team,
        "current_membership": membership,
        "team_memberships": switchable,
        "can_admin_team": membership.has_role(Role.ADMIN),
    }
