from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from crm.teams.roles import Role
from tests.conftest import TeamWorld, login


def test_a_correlation_id_is_generated_and_echoed(db: None) -> None:
    response = Client().get("/healthz")
    assert len(response["X-Correlation-ID"]) == 32


def test_a_well_formed_incoming_correlation_id_is_kept(db: None) -> None:
    response = Client().get("/healthz", HTTP_X_CORRELATION_ID="req-abc.123")
    assert response["X-Correlation-ID"] == "req-abc.123"


@pytest.mark.parametrize("hostile", ["a b", "x" * 200, 'x"}\n{"level":"CRITICAL"', ""])
def test_a_malformed_correlation_id_is_replaced(db: None, hostile: str) -> None:
    response = Client().get("/healthz", HTTP_X_CORRELATION_ID=hostile)
    assert response["X-Correlation-ID"] != hostile
    assert len(response["X-Correlation-ID"]) == 32


def test_log_lines_carry_the_requests_correlation_id(db: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get("/no-such-page/", HTTP_X_CORRELATION_ID="trace-42")
    record = next(r for r in caplog.records if r.name == "django.request")
    from loriaa.logging import CorrelationIdFilter, JsonFormatter

    CorrelationIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["correlation_id"] == "trace-42"
    assert line["level"] == "WARNING"


def test_every_page_has_a_strict_content_security_policy(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_scripts_or_event_handlers(team_a: TeamWorld) -> None:
    import re

    client = login(team_a.user(Role.OWNER))
    for url in ["/", reverse("teams:members"), reverse("teams:settings"), "/accounts/login/"]:
        body = client.get(url).content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        handlers = re.findall(r"\son[a-z]+=\"", body)
        assert not inline, (url, inline)
        assert not handlers, (url, handlers)


def test_large_responses_are_gzipped(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).get(reverse("teams:members"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


def test_htmx_requests_get_messages_as_toast_events(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.OWNER))
    target = team_a.membership(Role.VIEWER)
    response = client.post(reverse("teams:member-role", args=[target.id]), {"role": "owner"}, HTTP_HX_REQUEST="true")
    assert json.loads(response["HX-Trigger"])["toasts"][0]["level"] == "success"
    # Consumed by the toast: the next full page does not repeat it.
    assert "is now Owner" not in client.get("/").content.decode()


def test_full_page_requests_show_messages_in_the_page(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.OWNER))
    target = team_a.membership(Role.VIEWER)
    response = client.post(reverse("teams:member-role", args=[target.id]), {"role": "agent"}, follow=True)
    assert "HX-Trigger" not in response
    assert "is now Leasing agent" in response.content.decode()
