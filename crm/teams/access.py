"""Decorators and helpers that views use to require a team and a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from crm.teams.roles import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])
M = TypeVar("M", bound=Model)


def team_required(view: View | None = None, *, role: str = Role.VIEWER) -> Any:
    """Log in, have a current team, and hold at least ``role`` in it (else 403)."""

    def decorator(func: View) -> View:
        @login_required
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                return redirect("teams:create")
            if not membership.has_role(role):
                raise PermissionDenied(f"This needs the {Role(role).label} role or higher.")
            return func(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator(view) if view is not None else decorator


def get_team_object(model: type[M], **lookup: Any) -> M:
    """Fetch one of the current team's objects or raise 404.

    The model's scoped manager already limits the query to the current team, so another team's
    id is indistinguishable from one that never existed.
    """
    try:
        return model.objects.get(**lookup)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError) as exc:  # type: ignore[attr-defined]
        raise Http404(f"No {model._meta.verbose_name} found.") from exc
