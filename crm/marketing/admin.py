"""Operators' view of saved ad copy, across teams (TeamMiddleware disables scopes in the admin).

Read-only: a draft's text passed the platform limits and the Fair Housing checker when it was
saved, and an edit here would skip both.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crm.marketing.models import AdCopyDraft


@admin.register(AdCopyDraft)
class AdCopyDraftAdmin(admin.ModelAdmin):
    list_display = ["title", "property", "platform", "objective", "engine", "team", "created_by", "created_at"]
    list_filter = ["platform", "objective", "engine", "team"]
    list_select_related = ["property", "team", "created_by"]
    search_fields = ["property__name", "content"]
    readonly_fields = ["team", "property", "platform", "objective", "tone", "engine", "content", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
