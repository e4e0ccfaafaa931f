"""Sign-up, verification, password reset, rate limits, MFA and the admin login, end to end."""

from __future__ import annotations

import re

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.test import Client
from django_scopes import scopes_disabled

from crm.accounts.models import User
from crm.teams.models import Membership
from crm.teams.roles import Role
from tests.factories import PASSWORD, UserFactory

SIGNUP = {
    "name": "Dana Leasing",
    "email": "dana@example.com",
    "team_name": "Sunset Apartments",
    "password1": "Harbor-Lights-2049",
    "password2": "Harbor-Lights-2049",
}


def confirmation_link() -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_signing_up_creates_the_person_and_their_team_with_them_as_owner(db: None) -> None:
    response = Client().post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="dana@example.com")
    assert user.name == "Dana Leasing"
    with scopes_disabled():
        membership = Membership.objects.select_related("team").get(user=user)
    assert (membership.team.name, membership.role) == ("Sunset Apartments", Role.OWNER)


def test_signing_up_needs_a_company_name(db: None) -> None:
    response = Client().post("/accounts/signup/", {**SIGNUP, "team_name": ""})
    assert response.status_code == 200
    assert not User.objects.exists()


def test_login_is_refused_until_the_email_is_verified_then_lands_on_the_dashboard(db: None) -> None:
    Client().post("/accounts/signup/", SIGNUP)
    link = confirmation_link()

    client = Client()
    response = client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert response["Location"] == "/accounts/confirm-email/"  # the "check your inbox" page, not the app
    assert client.get("/").status_code == 302

    assert client.post(link).status_code == 302
    response = client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert response["Location"] == "/"
    assert "Sunset Apartments" in client.get("/").content.decode()


def test_password_reset_emails_a_working_link(db: None) -> None:
    user = UserFactory(email="forgetful@example.com")
    client = Client()
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": "A-brand-new-secret-7", "password2": "A-brand-new-secret-7"})
    user.refresh_from_db()
    assert user.check_password("A-brand-new-secret-7")


def test_repeated_failed_logins_are_rate_limited(db: None) -> None:
    UserFactory(email="target@example.com")
    client = Client()
    bodies = [
        client.post("/accounts/login/", {"login": "target@example.com", "password": "wrong-guess"}).content.decode()
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in bodies[0]
    assert "Too many failed login attempts" in bodies[-1]
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "target@example.com", "password": PASSWORD})
    assert response.status_code != 302


def test_the_admin_login_goes_through_allauth(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_reach_the_admin_after_a_normal_login(db: None) -> None:
    UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.post("/accounts/login/", {"login": "ops@example.com", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


def current_code(secret: str) -> str:
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def test_totp_can_be_activated_and_is_then_required_at_login(db: None) -> None:
    user = UserFactory(email="careful@example.com")
    client = Client()
    client.post("/accounts/login/", {"login": "careful@example.com", "password": PASSWORD})
    # Security settings ask for the password again before a change, as allauth intends.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    fresh = Client()
    response = fresh.post("/accounts/login/", {"login": "careful@example.com", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert fresh.get("/").status_code == 302  # not logged in by the password alone
    assert fresh.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200  # wrong code
    response = fresh.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response["Location"] == "/"
