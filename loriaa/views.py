"""Error pages, and the health check used by docker-compose and load balancers."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_PAGES = {
    400: ("Bad request", "The request could not be understood. Check what you entered and try again."),
    403: (
        "You don't have access to this",
        "Your role in this team does not allow this. Ask an owner or admin if you need it.",
    ),
    404: ("Page not found", "It may have been moved or deleted, or it belongs to a team you are not in."),
}


def _error(request: HttpRequest, code: int, exception: Exception | None = None) -> HttpResponse:
    title, text = _PAGES[code]
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": title}, status=code)
    if code == 403 and exception is not None and str(exception):
        text = str(exception)
    return render(request, "errors/page.html", {"code": code, "title": title, "text": text}, status=code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. It has been logged."}, status=500)
    from django.views.defaults import server_error as default

    return default(request)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
