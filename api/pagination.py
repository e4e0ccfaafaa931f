from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` with ``count``, ``next``, ``previous`` and ``results``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
