"""The Twilio webhook views: nothing is stored unless the signature is right for the right team."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.inbox.models import EventStatus, InboundEvent, Message
from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.models import Team
from integrations.models import IntegrationConfig, Provider
from tests.conftest import TeamWorld
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.twilio_fixtures import TWILIO_TEST_AUTH_TOKEN, TWILIO_TEST_SITE_URL
from tests.leads.lead_pages import make_lead, make_property
from tests.twilio.conftest import (
    PROSPECT,
    SMS_NUMBER,
    events,
    new_sid,
    post_signed,
    sms_params,
    status_params,
)
from tests.twilio.signing import form_body, sign

SMS_URL = TWILIO_TEST_SITE_URL + "/webhooks/twilio/sms/"


def own_twilio_account(team: Team, sid: str, token: str) -> IntegrationConfig:
    config = IntegrationConfig(team=team, provider=Provider.TWILIO)
    config.set_secrets({"account_sid": sid, "auth_token": token})
    config.save()
    return config


def test_a_signed_inbound_text_is_stored_and_answered_with_empty_twiml(twilio_on: FakeTwilio, place: Property) -> None:
    params = sms_params(body="Do you allow cats?")

    response = post_signed("twilio-sms", params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    [event] = events()
    assert (event.provider, event.kind, event.event_id) == ("twilio", "twilio.sms", params["MessageSid"])
    assert event.team_id == place.team_id
    assert event.payload["Body"] == "Do you allow cats?"
    assert event.payload == params
    assert twilio_on.sent == []  # the reply, if any, goes through the REST API later, never in the TwiML


def tampered_requests() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("body changed after signing", {"body": form_body(sms_params(body="STOP") | {"MessageSid": "SMfixed"})}),
        ("signature missing", {"signature": ""}),
        ("signed with another token", {"token": "not-the-auth-token"}),
        ("signed for another host", {"url": "https://evil.example/webhooks/twilio/sms/"}),
        ("signed for another path", {"url": TWILIO_TEST_SITE_URL + "/webhooks/twilio/status/"}),
        ("signed for http, not https", {"url": SMS_URL.replace("https://", "http://")}),
        ("signature in lower case", {"signature_lower": True}),
        ("signature truncated", {"signature_cut": True}),
    ]


@pytest.mark.parametrize(("case", "change"), tampered_requests(), ids=[case for case, _ in tampered_requests()])
def test_a_tampered_inbound_text_is_refused_and_nothing_is_stored(
    twilio_on: FakeTwilio, place: Property, case: str, change: dict[str, Any]
) -> None:
    params = sms_params(body="Hello", sid="SMfixed")
    good = sign(TWILIO_TEST_AUTH_TOKEN, SMS_URL, params)
    if change.pop("signature_lower", False):
        change["signature"] = good.lower()
    if change.pop("signature_cut", False):
        change["signature"] = good[:-2]

    response = post_signed("twilio-sms", params, **change)

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_the_same_message_delivered_three_times_is_one_event_and_one_message(
    twilio_on: FakeTwilio, place: Property, commit: Any
) -> None:
    params = sms_params(body="Is parking included?")
    with commit():
        responses = [post_signed("twilio-sms", params) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    [event] = events()
    assert event.deliveries == 3
    assert event.status == EventStatus.PROCESSED
    with scopes_disabled():
        assert Message.objects.filter(provider_id=params["MessageSid"]).count() == 1


def test_behind_a_proxy_the_signature_for_the_public_site_url_validates(
    twilio_on: FakeTwilio, place: Property, settings: Any
) -> None:
    settings.SITE_URL = "https://crm.example.com"
    params = sms_params()

    # The test client speaks to http://testserver, as gunicorn behind the proxy would be spoken to.
    response = post_signed("twilio-sms", params, url="https://crm.example.com/webhooks/twilio/sms/")

    assert response.status_code == 200
    assert InboundEvent.objects.count() == 1


def test_the_url_django_sees_is_also_accepted_so_a_direct_deployment_works(
    twilio_on: FakeTwilio, place: Property
) -> None:
    response = post_signed("twilio-sms", sms_params(), url="http://testserver/webhooks/twilio/sms/")

    assert response.status_code == 200


def test_forwarded_headers_are_trusted_only_as_far_as_the_settings_say(
    twilio_on: FakeTwilio, place: Property, settings: Any
) -> None:
    spoofed = "https://evil.example/webhooks/twilio/sms/"
    # Django does not honour X-Forwarded-Host unless USE_X_FORWARDED_HOST is on.
    response = post_signed("twilio-sms", sms_params(), url=spoofed, HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0

    # With the proxy's scheme header trusted, the https URL Django rebuilds validates.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SITE_URL = "https://somewhere-else.example"
    response = post_signed(
        "twilio-sms", sms_params(), url="https://testserver/webhooks/twilio/sms/", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200
    assert InboundEvent.objects.count() == 1


def test_without_any_twilio_account_every_webhook_is_refused(place: Property, settings: Any) -> None:
    settings.INBOX_SIMULATOR = False
    settings.SITE_URL = TWILIO_TEST_SITE_URL
    for token in ("", TWILIO_TEST_AUTH_TOKEN, "anything"):
        assert post_signed("twilio-sms", sms_params(), token=token).status_code == 403
        assert post_signed("twilio-status", status_params(new_sid(), "delivered"), token=token).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_only_form_posts_are_accepted(twilio_on: FakeTwilio, place: Property) -> None:
    params = sms_params()
    signature = sign(TWILIO_TEST_AUTH_TOKEN, SMS_URL, params)
    path = reverse("webhooks:twilio-sms")

    assert Client().get(path).status_code == 405
    assert Client().get(reverse("webhooks:twilio-status")).status_code == 405
    # Multipart could carry files the signature does not cover.
    assert Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_a_signed_request_without_a_message_sid_is_rejected(twilio_on: FakeTwilio, place: Property) -> None:
    params = {k: v for k, v in sms_params().items() if k not in {"MessageSid", "SmsSid", "SmsMessageSid"}}

    assert post_signed("twilio-sms", params).status_code == 400
    assert InboundEvent.objects.count() == 0


def test_a_text_to_a_number_no_property_owns_is_kept_as_ignored_and_creates_no_lead(
    twilio_on: FakeTwilio, place: Property, commit: Any
) -> None:
    with commit():
        response = post_signed("twilio-sms", sms_params(to="+15125550777"))

    assert response.status_code == 200
    [event] = events()
    assert event.team_id is None
    assert event.status == EventStatus.IGNORED
    with scopes_disabled():
        assert not Lead.objects.filter(phone=PROSPECT).exists()
        assert Message.objects.count() == 0


def test_a_team_with_its_own_twilio_account_verifies_with_its_own_token(
    twilio_on: FakeTwilio, team_a: TeamWorld, place: Property
) -> None:
    own_twilio_account(team_a.team, "AC" + "a" * 32, "team-a-own-token")

    assert post_signed("twilio-sms", sms_params(), token=TWILIO_TEST_AUTH_TOKEN).status_code == 403
    assert post_signed("twilio-sms", sms_params(account="AC" + "a" * 32), token="team-a-own-token").status_code == 200
    assert InboundEvent.objects.count() == 1


def test_a_request_signed_by_the_team_but_naming_another_account_is_refused(
    twilio_on: FakeTwilio, place: Property
) -> None:
    assert post_signed("twilio-sms", sms_params(account="AC" + "9" * 32)).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_a_status_callback_for_team_bs_message_signed_with_team_as_token_is_refused(
    twilio_on: FakeTwilio, team_a: TeamWorld, team_b: TeamWorld
) -> None:
    a_sid, b_sid = "AC" + "a" * 32, "AC" + "b" * 32
    own_twilio_account(team_a.team, a_sid, "team-a-own-token")
    own_twilio_account(team_b.team, b_sid, "team-b-own-token")
    b_place = make_property(team_b, name="Birch Flats", sms_number="+15125550288")
    lead = make_lead(team_b, first_name="Bea", phone=PROSPECT, property=b_place)
    message_sid = new_sid()
    with scopes_disabled():
        from crm.inbox.services.sending import conversation_for

        Message.objects.create(
            team=team_b.team, conversation=conversation_for(lead, "sms"), lead=lead, direction="outbound",
            channel="sms", body="Hi Bea", status="sent", transport="twilio", provider_id=message_sid,
        )  # fmt: skip

    forged = status_params(message_sid, "failed", from_="+15125550288", account=a_sid, error_code="30007")
    assert post_signed("twilio-status", forged, token="team-a-own-token").status_code == 403
    assert post_signed("twilio-status", forged, token=TWILIO_TEST_AUTH_TOKEN).status_code == 403
    assert InboundEvent.objects.count() == 0

    genuine = status_params(message_sid, "delivered", from_="+15125550288", account=b_sid)
    assert post_signed("twilio-status", genuine, token="team-b-own-token").status_code == 204
    [event] = events()
    assert (event.team_id, event.event_id) == (team_b.team.pk, f"{message_sid}:delivered")


def test_each_status_transition_is_its_own_event(twilio_on: FakeTwilio, place: Property) -> None:
    sid = new_sid()
    for status in ("queued", "sent", "delivered", "delivered"):
        assert post_signed("twilio-status", status_params(sid, status)).status_code == 204

    assert sorted((e.event_id, e.deliveries) for e in events()) == [
        (f"{sid}:delivered", 2), (f"{sid}:queued", 1), (f"{sid}:sent", 1),
    ]  # fmt: skip
    assert all(e.kind == "twilio.status" and e.team_id == place.team_id for e in events())


def test_a_tampered_status_callback_is_refused(twilio_on: FakeTwilio, place: Property) -> None:
    sid = new_sid()
    signature = sign(
        TWILIO_TEST_AUTH_TOKEN, TWILIO_TEST_SITE_URL + "/webhooks/twilio/status/", status_params(sid, "sent")
    )

    response = post_signed("twilio-status", status_params(sid, "delivered"), signature=signature)

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_the_simulator_token_is_accepted_only_while_twilio_is_off_and_the_simulator_is_on(
    place: Property, settings: Any
) -> None:
    from integrations.credentials import SIMULATOR_TOKEN

    settings.INBOX_SIMULATOR = True
    settings.SITE_URL = TWILIO_TEST_SITE_URL
    assert post_signed("twilio-sms", sms_params(), token=SIMULATOR_TOKEN).status_code == 200

    settings.TWILIO_ENABLED = True
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "real-token"
    assert post_signed("twilio-sms", sms_params(account="AC" + "1" * 32), token=SIMULATOR_TOKEN).status_code == 403
    assert InboundEvent.objects.count() == 1


def test_the_webhooks_need_no_login_and_a_logged_in_session_changes_nothing(
    twilio_on: FakeTwilio, team_b: TeamWorld, place: Property
) -> None:
    from tests.conftest import login

    # A member of another team posting from a browser session must not shift the webhook's team.
    response = post_signed("twilio-sms", sms_params(), client=login(team_b.user("owner")))

    assert response.status_code == 200
    assert events()[0].team_id == place.team_id
    assert place.sms_number == SMS_NUMBER
