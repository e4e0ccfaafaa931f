from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "DEBUG": settings.DEBUG,
        "AI_ONLINE": settings.OPENAI_ENABLED,
        "API_DOCS_ENABLED": settings.API_DOCS_ENABLED,
    }
