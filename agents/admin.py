"""Operators' view of the agents, across teams (TeamMiddleware disables scopes in the admin).

The audit log and the approvals queue are read-only here: an approval done in the admin would
skip the approver's role check and the re-checks ``agents.services.approvals`` makes. Policies
are editable: they are configuration.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agents.models import AgentActivity, AgentPolicy, PendingAction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgentActivity)
class AgentActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "agent", "kind", "tool", "status", "engine", "latency_ms", "team", "user"]
    list_filter = ["kind", "status", "engine", "agent", "team"]
    list_select_related = ["team", "user"]
    search_fields = ["tool", "error", "turn_id"]
    date_hierarchy = "created_at"


@admin.register(PendingAction)
class PendingActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "summary", "tool", "status", "agent", "team", "decided_by", "expires_at"]
    list_filter = ["status", "tool", "agent", "team"]
    list_select_related = ["team", "decided_by"]
    search_fields = ["summary"]


@admin.register(AgentPolicy)
class AgentPolicyAdmin(admin.ModelAdmin):
    list_display = ["team", "property", "auto_reply", "autonomous_tools", "max_steps", "updated_at"]
    list_filter = ["auto_reply", "team"]
    list_select_related = ["team", "property"]
    raw_id_fields = ["property"]
