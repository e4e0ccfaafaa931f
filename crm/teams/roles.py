"""Team roles, from most to least powerful, and what each may do."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Leasing agent"
    VIEWER = "viewer", "Viewer"


_RANK = {Role.OWNER: 50, Role.ADMIN: 40, Role.MANAGER: 30, Role.AGENT: 20, Role.VIEWER: 10}

ROLE_HELP = {
    Role.OWNER: "Everything, including billing and deleting the team.",
    Role.ADMIN: "Manage members, integrations, AI policies and settings.",
    Role.MANAGER: "Work every lead, see reports, manage properties.",
    Role.AGENT: "Work leads, conversations and tours.",
    Role.VIEWER: "Read-only access.",
}


def role_rank(role: str) -> int:
    return _RANK[Role(role)]


def role_at_least(role: str, minimum: str) -> bool:
    return role_rank(role) >= role_rank(minimum)


def grantable_roles(actor_role: str) -> list[Role]:
    """Roles a member may give others: owners any, admins up to admin, nobody else any."""
    if actor_role == Role.OWNER:
        return list(Role)
    if actor_role == Role.ADMIN:
        return [r for r in Role if r != Role.OWNER]
    return []
