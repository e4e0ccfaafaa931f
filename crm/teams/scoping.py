"""The one way into a tenant scope.

django-scopes treats ``scope(team=None)`` as "no filter", which would silently read every
team's rows. Everything in Loriaa enters a scope through ``team_scope``, which refuses that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django_scopes import scope

from crm.teams.models import Team


@contextmanager
def team_scope(team: Team) -> Iterator[Team]:
    if not isinstance(team, Team) or team._state.adding:
        raise ValueError("team_scope needs a saved Team; refusing to run unscoped.")
    with scope(team=team):
        yield team
