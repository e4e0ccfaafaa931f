from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from loriaa.cursors import decode_parts, encode_cursor


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` with ``count``, ``next``, ``previous`` and ``results``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(pagination.BasePagination):
    """Newest first by ``(created_at, id)``: ``?cursor=…&page_size=M`` with ``next``, ``previous``,
    ``page_size`` and ``results``.

    A page is one index range scan whatever its depth, where ``OFFSET`` reads and discards every
    row before it. There is no total ``count``: over a team's 100k leads the ``COUNT(*)`` would
    cost more than the page itself. Ties on ``created_at`` are broken by ``id``, so no row is
    skipped or repeated.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.base_url = request.build_absolute_uri()
        self.size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        position = decode_position(raw) if raw else None
        if raw and position is None:
            raise NotFound("Invalid cursor.")

        if position is None:
            rows = list(queryset.order_by("-created_at", "-id")[: self.size + 1])
            self.has_next, self.has_previous = len(rows) > self.size, False
            rows = rows[: self.size]
        else:
            moment, pk, backwards = position
            if backwards:
                # The page before: the rows just newer than the cursor, read oldest first.
                newer = Q(created_at__gte=moment) & (Q(created_at__gt=moment) | Q(id__gt=pk))
                rows = list(queryset.filter(newer).order_by("created_at", "id")[: self.size + 1])
                self.has_next, self.has_previous = True, len(rows) > self.size
                rows = rows[: self.size][::-1]
            else:
                # ``created_at <= moment`` on its own lets PostgreSQL start the index scan at the cursor.
                older = Q(created_at__lte=moment) & (Q(created_at__lt=moment) | Q(id__lt=pk))
                rows = list(queryset.filter(older).order_by("-created_at", "-id")[: self.size + 1])
                self.has_next, self.has_previous = len(rows) > self.size, True
                rows = rows[: self.size]
        self.rows = rows
        return rows

    def get_page_size(self, request: Request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def get_next_link(self) -> str | None:
        if not (self.has_next and self.rows):
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, encode_position(self.rows[-1], False))

    def get_previous_link(self) -> str | None:
        if not (self.has_previous and self.rows):
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, encode_position(self.rows[0], True))

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "page_size": self.size,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "page_size", "results"],
            "properties": {
                "next": {**link, "example": "https://crm.example.com/api/v1/leads/?cursor=WyIyMDI1…"},
                "previous": link,
                "page_size": {"type": "integer", "example": self.page_size},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: copy it from `next` or `previous`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page: {self.page_size} by default, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def encode_position(row: Model, backwards: bool) -> str:
    return encode_cursor(row.created_at, row.pk, int(backwards))  # type: ignore[attr-defined]


def decode_position(cursor: str) -> tuple[datetime, UUID, bool] | None:
    parts = decode_parts(cursor, 3)
    return (parts[0], parts[1], bool(parts[2])) if parts else None
