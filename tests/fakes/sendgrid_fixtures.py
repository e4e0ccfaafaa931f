"""SendGrid fixtures (registered in tests/conftest.py through ``pytest_plugins``).

- ``sendgrid_fake``: a started ``FakeSendGrid`` (loopback ``/v3/mail/send``).
- ``sendgrid_on``: SendGrid switched on against ``sendgrid_fake``, with an Inbound Parse domain and
  secret (``INBOUND_SECRET``); yields the fake.
- ``sendgrid_signer``: an ``EventSigner`` whose public key is ``SENDGRID_EVENT_PUBLIC_KEY``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.sendgrid_api import EventSigner, FakeSendGrid

INBOUND_DOMAIN = "replies.loriaa.test"
INBOUND_SECRET = "inbound-secret-for-tests-0123456789"


@pytest.fixture
def sendgrid_fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake


@pytest.fixture
def sendgrid_on(settings: Any, sendgrid_fake: FakeSendGrid) -> FakeSendGrid:
    settings.SENDGRID_ENABLED = True
    settings.SENDGRID_API_KEY = sendgrid_fake.api_key
    settings.SENDGRID_API_HOST = sendgrid_fake.host
    settings.SENDGRID_INBOUND_DOMAIN = INBOUND_DOMAIN
    settings.SENDGRID_INBOUND_SECRET = INBOUND_SECRET
    settings.DEFAULT_FROM_EMAIL = "Loriaa <leasing@loriaa.test>"
    return sendgrid_fake


@pytest.fixture
def sendgrid_signer(settings: Any) -> EventSigner:
    signer = EventSigner()
    settings.SENDGRID_EVENT_PUBLIC_KEY = signer.public_key
    return signer
