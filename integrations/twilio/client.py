"""The only code that calls Twilio's REST API: send one text.

Every failure becomes an ``integrations.errors.ProviderError``: ``retryable`` for rate limits, 5xx
and network trouble (the delivery task backs off and tries again), not retryable for refusals (bad
number, unsubscribed recipient, wrong credentials), with Twilio's error code in ``code`` so the
caller can act on it (21610: the recipient opted out at the carrier).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from integrations.credentials import TwilioCredentials
from integrations.errors import ProviderError
from integrations.twilio import codes

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SentSms:
    sid: str
    from_: str
    status: str


def send_sms(credentials: TwilioCredentials, *, to: str, from_: str, body: str, status_callback: str) -> SentSms:
    """Hand one text to Twilio; raises ``ProviderError`` when Twilio does not accept it."""
    http_client = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    client = Client(credentials.account_sid, credentials.auth_token, http_client=http_client)
    if settings.TWILIO_API_BASE_URL:
        # Tests (and a self-hosted proxy) point the SDK elsewhere; every v2010 resource reads this.
        client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
    fields: dict[str, Any] = {"to": to, "body": body}
    if credentials.messaging_service_sid:
        fields["messaging_service_sid"] = credentials.messaging_service_sid
    else:
        fields["from_"] = from_
    if status_callback:
        fields["status_callback"] = status_callback
    try:
        message = client.messages.create(**fields)
    except TwilioRestException as exc:
        raise _refusal(exc.status, exc.code, exc.msg) from exc
    except TwilioServiceException as exc:
        raise _refusal(exc.status, exc.code, exc.detail or exc.title) from exc
    except requests.RequestException as exc:
        raise ProviderError(f"Could not reach Twilio ({type(exc).__name__}); will retry.", retryable=True) from exc
    except TwilioException as exc:
        raise ProviderError(f"Twilio client error: {exc}", retryable=False) from exc
    finally:
        if http_client.session is not None:
            http_client.session.close()
    return SentSms(sid=str(message.sid), from_=str(message.from_ or from_ or ""), status=str(message.status or ""))


def _refusal(status: int | None, code: int | str | None, detail: str | None) -> ProviderError:
    status = int(status or 0)
    code_text = str(code or "")
    detail = (detail or "").removeprefix("Unable to create record: ").strip()
    if status == 429 or status >= 500 or status == 0:
        return ProviderError(
            f"Twilio is unavailable or rate-limiting (HTTP {status or '?'}): {detail or 'no detail'}; will retry.",
            retryable=True, status=status or None, code=code_text,
        )  # fmt: skip
    if status in (401, 403):
        return ProviderError(
            "Twilio rejected the account credentials: check the Twilio settings "
            f"(HTTP {status}{', error ' + code_text if code_text else ''}).",
            retryable=False, status=status, code=code_text,
        )  # fmt: skip
    return ProviderError(
        f"Twilio refused the message: {codes.describe(code_text, detail)}.",
        retryable=False, status=status, code=code_text,
    )  # fmt: skip
