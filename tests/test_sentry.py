from __future__ import annotations

from loriaa.sentry import scrub_event


def test_sentry_events_lose_bodies_cookies_credentials_and_personal_data() -> None:
    event = {
        "request": {
            "data": {"body": "I'd like a 2 bed, my SSN is ..."},
            "cookies": {"loriaa_session": "abc"},
            "query_string": "email=prospect@example.com",
            "headers": {"Authorization": "Token lor_secret", "X-Twilio-Signature": "sig", "User-Agent": "curl"},
        },
        "user": {"id": "42", "email": "agent@example.com", "ip_address": "203.0.113.9"},
    }
    scrubbed = scrub_event(event)
    assert "data" not in scrubbed["request"]
    assert "cookies" not in scrubbed["request"]
    assert "query_string" not in scrubbed["request"]
    assert scrubbed["request"]["headers"] == {
        "Authorization": "[Filtered]",
        "X-Twilio-Signature": "[Filtered]",
        "User-Agent": "curl",
    }
    assert scrubbed["user"] == {"id": "42"}
