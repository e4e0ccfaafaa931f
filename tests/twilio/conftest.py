"""Shared by the Twilio tests: a property with an SMS number, and signed webhook posts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.inbox.models import InboundEvent
from crm.properties.models import Property
from tests.conftest import TeamWorld
from tests.fakes.twilio_fixtures import TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN, TWILIO_TEST_SITE_URL
from tests.leads.lead_pages import make_property
from tests.twilio.signing import form_body, sign

SMS_NUMBER = "+15125550199"  # Maple Court's Twilio number
PROSPECT = "+15125550123"

Params = Mapping[str, str] | Iterable[tuple[str, str]]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def place(team_a: TeamWorld) -> Property:
    return make_property(team_a, name="Maple Court", sms_number=SMS_NUMBER, email="leasing@maplecourt.example")


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """``with commit(): ...`` runs what the block enqueued on commit (webhook processing, delivery)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def new_sid(prefix: str = "SM") -> str:
    return prefix + uuid.uuid4().hex


def sms_params(
    *, body: str = "Hi, is a two-bedroom available?", from_: str = PROSPECT, to: str = SMS_NUMBER,
    sid: str | None = None, account: str = TWILIO_TEST_ACCOUNT_SID, media: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:  # fmt: skip
    """The fields Twilio posts for an inbound text (``media``: (url, content type) pairs)."""
    sid = sid or new_sid("MM" if media else "SM")
    media = list(media)
    params = {
        "ToCountry": "US", "ToState": "TX", "SmsMessageSid": sid, "NumMedia": str(len(media)), "ToCity": "AUSTIN",
        "FromZip": "78701", "SmsSid": sid, "FromState": "TX", "SmsStatus": "received", "FromCity": "AUSTIN",
        "Body": body, "FromCountry": "US", "To": to, "MessagingServiceSid": "", "ToZip": "78701",
        "NumSegments": "1", "MessageSid": sid, "AccountSid": account, "From": from_, "ApiVersion": "2010-04-01",
    }  # fmt: skip
    for index, (url, content_type) in enumerate(media):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params


def status_params(
    sid: str, status: str, *, from_: str = SMS_NUMBER, to: str = PROSPECT, account: str = TWILIO_TEST_ACCOUNT_SID,
    error_code: str = "", error_message: str = "",
) -> dict[str, str]:  # fmt: skip
    params = {
        "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": to, "MessageSid": sid,
        "AccountSid": account, "From": from_, "ApiVersion": "2010-04-01",
    }  # fmt: skip
    if error_code:
        params["ErrorCode"] = error_code
    if error_message:
        params["ErrorMessage"] = error_message
    return params


def post_signed(
    name: str, params: Params, *, token: str = TWILIO_TEST_AUTH_TOKEN, url: str | None = None,
    signature: str | None = None, client: Client | None = None, body: str | None = None, **extra: Any,
) -> Any:  # fmt: skip
    """POST ``params`` to webhook ``name`` as Twilio would: form-encoded, signed for the public URL."""
    path = reverse(f"webhooks:{name}")
    signed_url = url or TWILIO_TEST_SITE_URL + path
    return (client or Client()).post(
        path,
        form_body(params) if body is None else body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(token, signed_url, params) if signature is None else signature,
        **extra,
    )


def events() -> list[InboundEvent]:
    return list(InboundEvent.objects.order_by("received_at"))
