"""Pytest fixtures for the Twilio fake (registered in tests/conftest.py through ``pytest_plugins``).

- ``twilio_fake``: a started ``FakeTwilio`` that knows the environment account
  (``TWILIO_TEST_ACCOUNT_SID`` / ``TWILIO_TEST_AUTH_TOKEN``); add a team's own account with
  ``twilio_fake.accounts[sid] = token``.
- ``twilio_on``: Twilio switched on for the whole install against ``twilio_fake`` (the environment
  credentials, ``TWILIO_API_BASE_URL``) with ``SITE_URL`` = ``https://crm.example.com``, the public
  URL webhooks are signed for; yields the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.twilio_api import FakeTwilio

TWILIO_TEST_ACCOUNT_SID = "AC" + "0" * 31 + "1"
TWILIO_TEST_AUTH_TOKEN = "test-auth-token-environment"
TWILIO_TEST_SITE_URL = "https://crm.example.com"


@pytest.fixture
def twilio_fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(accounts={TWILIO_TEST_ACCOUNT_SID: TWILIO_TEST_AUTH_TOKEN}) as fake:
        yield fake


@pytest.fixture
def twilio_on(settings: Any, twilio_fake: FakeTwilio) -> FakeTwilio:
    settings.TWILIO_ENABLED = True
    settings.TWILIO_ACCOUNT_SID = TWILIO_TEST_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TEST_AUTH_TOKEN
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = twilio_fake.url
    settings.SITE_URL = TWILIO_TEST_SITE_URL
    settings.INBOX_SIMULATOR = False
    return twilio_fake
