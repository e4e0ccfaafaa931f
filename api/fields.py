"""Serializer fields that name a team's objects by id.

The lookup runs through the model's scoped manager inside the request's team scope, so another
team's id gets exactly the answer an id that never existed gets: nothing about it leaks.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from rest_framework import serializers

from crm.accounts.models import User
from crm.teams.models import Membership
from crm.teams.roles import Role, role_at_least

WORKING_ROLES = [role for role in Role if role_at_least(role, Role.AGENT)]


class TeamObjectField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": "{label} not found."}

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        # Fields are built when a serializer is declared, outside any scope: ``none()`` is the one
        # call the scoped manager allows there, and it tells the OpenAPI schema the model.
        super().__init__(queryset=model.objects.none(), **kwargs)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.all()  # type: ignore[attr-defined]

    def to_internal_value(self, data: Any) -> Any:
        try:
            return self.get_queryset().get(pk=UUID(str(data)))
        except (ValueError, ObjectDoesNotExist):
            # Malformed, unknown and another team's ids all get the same answer.
            self.fail("does_not_exist", label=str(self.model._meta.verbose_name).capitalize())


class TeamWorkerField(TeamObjectField):
    """A member of the current team who works leads (agent or above); anyone else is "not found"."""

    default_error_messages = {"does_not_exist": "Not an agent, manager, admin or owner of this team."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(User, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        members = Membership.objects.filter(role__in=WORKING_ROLES).values("user_id")
        return User.objects.filter(pk__in=members, is_active=True)
