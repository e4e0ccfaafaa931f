"""Operators' view of metered usage, across teams (TeamMiddleware disables scopes in the admin).

Read-only: usage rows are the record a bill is computed from. The CSV export gives finance the
selected rows as they are.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from crm.billing.models import UsageRecord

CSV_COLUMNS = [
    "created_at",
    "team_id",
    "team",
    "kind",
    "purpose",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "units",
    "cost_usd",
]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a team name must not.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "kind", "purpose", "model", "prompt_tokens", "completion_tokens", "cost_usd"]
    list_filter = ["kind", "purpose", "model", "created_at", "team"]
    list_select_related = ["team"]
    date_hierarchy = "created_at"
    search_fields = ["team__name", "model", "purpose"]
    actions = ["export_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Export selected usage as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[UsageRecord]) -> HttpResponse:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="loriaa-usage-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for record in queryset.select_related("team").order_by("created_at"):
            writer.writerow(
                [
                    _cell(record.created_at.isoformat()),
                    _cell(record.team_id),
                    _cell(record.team.name),
                    _cell(record.kind),
                    _cell(record.purpose),
                    _cell(record.model),
                    record.prompt_tokens,
                    record.completion_tokens,
                    record.units,
                    record.cost_usd,
                ]
            )
        return response
