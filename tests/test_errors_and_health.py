from __future__ import annotations

from django.test import Client, RequestFactory

from crm.teams.roles import Role
from loriaa import views
from tests.conftest import TeamWorld, login


def test_the_health_check_reports_the_database(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_unknown_page_is_a_friendly_404(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Go to the dashboard" in response.content.decode()


def test_a_forbidden_action_is_a_friendly_403_naming_the_role_needed(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.VIEWER)).post("/team/invite/", {"email": "x@example.com", "role": "agent"})
    assert response.status_code == 403
    assert "needs the Admin role or higher" in response.content.decode()


def test_the_500_page_renders_without_a_request_context(db: None) -> None:
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_api_server_errors_are_json(db: None) -> None:
    response = views.server_error(RequestFactory().get("/api/v1/me/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
