"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process, so tests share its database connection
settings and see the mail it sends in ``django.core.mail.outbox``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page

# pytest-playwright keeps an asyncio event loop running in the test thread; without this,
# Django refuses the test's own ORM calls ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded one (no ``playwright install``)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)  # fail in seconds, not Playwright's default 30
    return page


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors (CSP violations included) collected while the test drives ``page``."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    """``page.goto("/path")`` goes to the live server."""
    return live_server.url
