"""Is this request really from Twilio? ``X-Twilio-Signature`` checked with the SDK's RequestValidator.

Twilio signs the exact public URL it called plus every POST field (HMAC-SHA1 keyed with the account's
auth token). Behind a reverse proxy Django may see ``http://web:8000/...``, so the URL is rebuilt
from ``SITE_URL`` (what we gave Twilio) first, then from Django's own view of the request, whose
scheme and host follow forwarded headers only where settings say to trust them
(``SECURE_PROXY_SSL_HEADER``, ``USE_X_FORWARDED_HOST``) and whose host must be in ``ALLOWED_HOSTS``.
Either URL must match the signature exactly; the SDK also tries each with and without the default
port, because Twilio signs https URLs either way.

Stricter than the SDK where the SDK is loose:
- only ``application/x-www-form-urlencoded`` bodies (what Twilio sends): a multipart body could
  carry files the signature does not cover;
- the SDK signs each field's *set* of values, so a repeated identical field would pass unnoticed:
  a request that repeats a name/value pair is refused, and so is a field with an empty name
  (it adds nothing to the signed string);
- always the auth-token scheme (HMAC-SHA1): the request cannot pick the algorithm
  (``X-Twilio-Webhooks-Signature-Settings`` is ignored; SharedKey-signed webhooks are not supported).

A limit of Twilio's scheme that no verifier can close: names and values are concatenated without
separators, so whoever holds one genuine signed request could move a field boundary inside it
(``Body=hi`` → ``Bodyhi=``) without breaking the signature. Nothing new can be written that way, and
the event key (MessageSid) makes a replay of the same message a counted duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, QueryDict
from twilio.request_validator import HMAC_SHA1, RequestValidator

logger = logging.getLogger(__name__)

HEADER = "X-Twilio-Signature"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

Params = QueryDict | Mapping[str, str]


def is_valid(*, token: str, url: str, params: Params, signature: str) -> bool:
    """Whether ``signature`` is Twilio's signature of ``url`` and ``params`` under ``token``."""
    if not token or not signature or not isinstance(signature, str):
        return False
    if _malformed(params):
        return False
    return bool(RequestValidator(token).validate(url, params, signature, HMAC_SHA1))


def public_urls(request: HttpRequest) -> list[str]:
    """The URLs Twilio may have called to reach this view, most trusted first."""
    urls: list[str] = []
    if settings.SITE_URL:
        urls.append(settings.SITE_URL.rstrip("/") + request.get_full_path())
    try:
        built = request.build_absolute_uri()
    except DisallowedHost:
        built = ""
    if built and built not in urls:
        urls.append(built)
    return urls


def verify_request(request: HttpRequest, token: str | None) -> bool:
    """True only when ``request`` carries a valid Twilio signature for ``token``."""
    signature = request.headers.get(HEADER, "")
    if not token or not signature:
        return False
    if request.content_type != FORM_CONTENT_TYPE:
        logger.info("twilio webhook refused: not a form post", extra={"content_type": request.content_type})
        return False
    params = request.POST
    return any(is_valid(token=token, url=url, params=params, signature=signature) for url in public_urls(request))


def _malformed(params: Params) -> bool:
    """Fields Twilio never sends and its signature cannot see: a repeated name/value pair, or an
    empty name (``=`` adds nothing to the signed string, so it could be added to any request)."""
    fields = params.lists() if isinstance(params, QueryDict) else [(name, [value]) for name, value in params.items()]
    return any(not name or len(values) != len(set(values)) for name, values in fields)
