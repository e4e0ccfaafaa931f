from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for, login


def test_me_returns_the_user_team_and_role_the_token_carries(team_a: TeamWorld) -> None:
    response = api_client_for(team_a.membership(Role.MANAGER)).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "id": str(team_a.user(Role.MANAGER).id),
            "email": "manager@" + team_a.team.slug + ".test",
            "name": team_a.user(Role.MANAGER).name,
        },
        "team": {"id": str(team_a.team.id), "name": "Alpha Living", "slug": team_a.team.slug},
        "role": "manager",
        "auth": "token",
    }


def test_a_token_is_bound_to_its_team_even_for_people_in_several_teams(team_a: TeamWorld, team_b: TeamWorld) -> None:
    from django_scopes import scopes_disabled

    from tests.factories import MembershipFactory

    user = team_a.user(Role.AGENT)
    with scopes_disabled():
        in_b = MembershipFactory(team=team_b.team, user=user, role=Role.ADMIN)
    assert api_client_for(in_b).get(reverse("api:me")).json()["team"]["name"] == "Bravo Residential"
    assert api_client_for(team_a.membership(Role.AGENT)).get(reverse("api:me")).json()["role"] == "agent"


def test_a_session_works_for_the_api_too(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.VIEWER)).get(reverse("api:me"))
    assert response.json()["auth"] == "session"
    assert response.json()["role"] == "viewer"


def test_no_credentials_is_a_401_with_a_json_body(db: None) -> None:
    response = APIClient().get(reverse("api:me"))
    assert response.status_code in {401, 403}
    assert "detail" in response.json()


def test_an_unknown_or_revoked_token_is_a_401(team_a: TeamWorld) -> None:
    bogus = APIClient()
    bogus.credentials(HTTP_AUTHORIZATION="Token lor_not-a-real-key")
    assert bogus.get(reverse("api:me")).status_code == 401

    client = api_client_for(team_a.membership(Role.OWNER))
    with team_scope(team_a.team):
        ApiToken.objects.get().revoke()
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_deactivated_user_token_stops_working(team_a: TeamWorld) -> None:
    client = api_client_for(team_a.membership(Role.OWNER))
    user = team_a.user(Role.OWNER)
    user.is_active = False
    user.save()
    assert client.get(reverse("api:me")).status_code == 401


def test_an_api_token_does_not_log_anyone_into_the_web_pages(team_a: TeamWorld) -> None:
    client = api_client_for(team_a.membership(Role.OWNER))
    response = client.get(reverse("teams:members"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_api_urls_answer_json(db: None) -> None:
    response = Client().get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found"}


def test_the_openapi_schema_describes_me_and_token_auth(db: None) -> None:
    response = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_the_docs_page_loads_swagger_from_local_files(db: None) -> None:
    response = Client().get(reverse("api:docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn" not in body.lower()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_api_calls_are_throttled_per_user(team_a: TeamWorld, monkeypatch: object) -> None:
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})  # type: ignore[attr-defined]
    client = api_client_for(team_a.membership(Role.OWNER))
    statuses = [client.get(reverse("api:me")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_create_api_token_prints_a_working_key(team_a: TeamWorld, capsys: object) -> None:
    call_command("create_api_token", email=team_a.user(Role.AGENT).email, team=team_a.team.slug)
    key = capsys.readouterr().out.strip()  # type: ignore[attr-defined]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(reverse("api:me")).json()["role"] == "agent"
