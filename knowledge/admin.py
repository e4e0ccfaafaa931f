"""Operators' view of knowledge documents, across teams (TeamMiddleware disables scopes in the admin).

Read-only: a document's text, file and chunks only change through the services (which re-read,
re-embed and clean up storage). Deleting goes through ``document_delete`` for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from knowledge.models import Document
from knowledge.services import document_delete


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "property", "kind", "source", "status", "chunk_count", "created_at"]
    list_filter = ["status", "kind", "source", "team"]
    search_fields = ["title", "original_filename"]
    list_select_related = ["team", "property"]
    date_hierarchy = "created_at"
    exclude = ["file"]
    readonly_fields = [
        "team",
        "property",
        "title",
        "kind",
        "source",
        "original_filename",
        "content_type",
        "size",
        "content_hash",
        "question",
        "text",
        "status",
        "progress",
        "error",
        "attempts",
        "chunk_count",
        "embedder",
        "expires_on",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        document_delete(document=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for document in queryset:
            document_delete(document=document)
