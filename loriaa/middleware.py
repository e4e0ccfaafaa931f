"""Project-wide middleware: correlation ids, security headers, and messages for htmx."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from loriaa.logging import clean_correlation_id, correlation_id

Handler = Callable[[HttpRequest], HttpResponse]

CORRELATION_HEADER = "X-Correlation-ID"


class CorrelationIdMiddleware:
    """Accept the caller's ``X-Correlation-ID`` (or make one), log with it, echo it back."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = clean_correlation_id(request.headers.get(CORRELATION_HEADER))
        request.correlation_id = value  # type: ignore[attr-defined]
        # Not reset afterwards: Django logs 4xx/5xx responses (django.request) after the middleware
        # chain returns, and those lines need the id too. The next request sets its own.
        correlation_id.set(value)
        response = self.get_response(request)
        response[CORRELATION_HEADER] = value
        return response


# No inline scripts or styles anywhere: htmx is configured (base.html) not to inject its
# indicator <style>, and every behaviour lives in static/js. ``data:`` images are needed for
# the TOTP QR code that allauth renders.
DEFAULT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def build_csp(overrides: dict[str, str] | None = None) -> str:
    policy = {**DEFAULT_CSP, **(overrides or {})}
    return "; ".join(f"{key} {value}" for key, value in policy.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    A view may widen its own policy with ``response.csp_overrides`` (the API docs page needs
    inline styles from Swagger UI); nothing else may.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = build_csp(getattr(response, "csp_overrides", None))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class HtmxMessagesMiddleware:
    """Turn Django messages into an ``HX-Trigger`` toast event on htmx responses.

    Views call ``messages.success(...)`` whatever the request; a full page shows them in the
    layout, an htmx swap shows them as toasts (``static/js/app.js``). Redirects keep them for the
    page they lead to.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400 or "HX-Redirect" in response:
            return response
        toasts = [{"message": str(m.message), "level": m.level_tag or "info"} for m in messages.get_messages(request)]
        if not toasts:
            return response
        triggers: dict[str, object] = {}
        if "HX-Trigger" in response:
            existing = response["HX-Trigger"]
            try:
                triggers = json.loads(existing)
            except ValueError:
                triggers = {name.strip(): None for name in existing.split(",")}
        triggers["toasts"] = toasts
        response["HX-Trigger"] = json.dumps(triggers)
        return response
