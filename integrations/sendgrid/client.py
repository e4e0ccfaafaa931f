"""The only code that talks to SendGrid's API: send one composed email, map failures to ProviderError."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING
from urllib.error import URLError

from django.conf import settings
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    ClickTracking,
    CustomArg,
    From,
    Header,
    Mail,
    ReplyTo,
    To,
    TrackingSettings,
)
from sendgrid.helpers.mail.exceptions import ApiKeyIncludedException

from integrations.errors import ProviderError

if TYPE_CHECKING:
    from crm.inbox.services.email import OutboundEmail
    from integrations.credentials import SendGridCredentials

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
# Rate limits and server trouble pass; a bad request, a bad key or a blocked sender do not.
RETRYABLE = frozenset({408, 429})


def build_mail(email: OutboundEmail) -> Mail:
    mail = Mail(
        from_email=From(email.from_email, email.from_name or None),
        to_emails=To(email.to),
        subject=email.subject,
        plain_text_content=email.text,
        html_content=email.html,
    )
    mail.reply_to = ReplyTo(email.reply_to)
    if email.headers:
        mail.header = [Header(key, value) for key, value in email.headers.items()]
    if email.custom_args:
        mail.custom_arg = [CustomArg(key, value) for key, value in email.custom_args.items()]
    # Click tracking would rewrite every link, the unsubscribe link included, through SendGrid's
    # redirector; the inbox ignores click events, so keep the links as written.
    mail.tracking_settings = TrackingSettings(click_tracking=ClickTracking(False, False))
    return mail


def send_email(credentials: SendGridCredentials, email: OutboundEmail) -> str:
    """Hand the email to SendGrid; returns its message id (the ``X-Message-Id`` response header)."""
    try:
        body = build_mail(email).get()
    except ApiKeyIncludedException as exc:
        # The SDK refuses content that looks like a SendGrid API key ("SG.xxx.yyy").
        raise ProviderError("The email looks like it contains an API key; it was not sent.", retryable=False) from exc
    client = SendGridAPIClient(api_key=credentials.api_key, host=settings.SENDGRID_API_HOST)
    try:
        response = client.client.mail.send.post(request_body=body, timeout=TIMEOUT_SECONDS)
    except HTTPError as exc:
        status = int(exc.status_code)
        retryable = status in RETRYABLE or status >= 500
        message = _error_text(exc.body) or f"SendGrid answered {status} {exc.reason}"
        logger.info("sendgrid send failed", extra={"status": status, "retryable": retryable})
        raise ProviderError(f"SendGrid: {message}", retryable=retryable, status=status) from exc
    except (URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise ProviderError(f"SendGrid could not be reached: {exc}", retryable=True) from exc
    message_id = response.headers.get("X-Message-Id") or ""
    if not message_id:
        logger.warning("sendgrid accepted a message without an X-Message-Id")
    return str(message_id)


def _error_text(body: bytes | str | None) -> str:
    """SendGrid's own explanation: ``{"errors": [{"message": ..., "field": ...}]}``."""
    if not body:
        return ""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return (body.decode(errors="replace") if isinstance(body, bytes) else str(body))[:300]
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ""
    parts = []
    for error in errors:
        if isinstance(error, dict) and error.get("message"):
            field = error.get("field")
            parts.append(f"{error['message']} ({field})" if field else str(error["message"]))
    return "; ".join(parts)[:1000]
