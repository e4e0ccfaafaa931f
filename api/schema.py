"""Teach drf-spectacular how our token authentication appears in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TeamTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TeamTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key created in Settings → API tokens or with "
            "`manage.py create_api_token`. It acts as one user in one team.",
        }
