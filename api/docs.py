"""The OpenAPI schema and Swagger UI, served from local files (no CDN).

Swagger UI needs inline styles, so this page, and only this page, widens the CSP's style-src.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []


@extend_schema(exclude=True)  # the HTML page that shows the schema is not an API operation
class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response.csp_overrides = {"style-src": "'self' 'unsafe-inline'"}
        return response
