"""Settings → AI agents: admins set the auto-reply mode and approval-free tools, per team and property."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from agents.models import AgentPolicy
from agents.services.policy import policy_for
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from integrations.models import IntegrationConfig
from tests.conftest import TeamWorld, login
from tests.leads.lead_pages import make_property

pytestmark = pytest.mark.django_db


@pytest.fixture
def maple(team_a: TeamWorld) -> Property:
    return make_property(team_a, name="Maple Court")


def test_an_admin_sets_the_team_default(team_a: TeamWorld, maple: Property) -> None:
    client = login(team_a.user(Role.ADMIN))
    response = client.post(
        reverse("agents:policy"), {"auto_reply": "autonomous", "autonomous_tools": ["schedule_tour"]}
    )
    assert response.status_code == 302
    with team_scope(team_a.team):
        policy = policy_for(team_a.team, maple.pk)
    assert policy.auto_reply == "autonomous"
    assert policy.autonomous_tools == frozenset({"schedule_tour"})


def test_a_property_override_and_back_to_the_team_default(team_a: TeamWorld, maple: Property) -> None:
    client = login(team_a.user(Role.OWNER))
    url = reverse("agents:policy-property", kwargs={"property_id": maple.pk})
    field = f"p{maple.pk.hex}-auto_reply"
    client.post(url, {field: "off"})
    with team_scope(team_a.team):
        assert policy_for(team_a.team, maple.pk).auto_reply == "off"
        assert policy_for(team_a.team, None).auto_reply == "draft"
    client.post(url, {field: "default"})
    with team_scope(team_a.team):
        assert not AgentPolicy.objects.filter(property=maple).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.VIEWER])
def test_only_admins_change_it(team_a: TeamWorld, maple: Property, role: str) -> None:
    client = login(team_a.user(role))
    assert client.post(reverse("agents:policy"), {"auto_reply": "autonomous"}).status_code == 403
    with team_scope(team_a.team):
        assert not AgentPolicy.objects.exists()


def test_another_teams_property_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    theirs = make_property(team_b, name="Bravo Heights")
    client = login(team_a.user(Role.OWNER))
    url = reverse("agents:policy-property", kwargs={"property_id": theirs.pk})
    assert client.post(url, {f"p{theirs.pk.hex}-auto_reply": "off"}).status_code == 404
    with scopes_disabled():
        assert not AgentPolicy.objects.exists()


def test_bad_input_is_a_message_not_a_crash(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.OWNER))
    response = client.post(reverse("agents:policy"), {"auto_reply": "yolo", "autonomous_tools": ["delete_everything"]})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Choose an auto-reply mode" in page.content.decode()


def test_the_settings_page_shows_policy_usage_webhooks_and_a_teams_own_account(
    team_a: TeamWorld, maple: Property
) -> None:
    config = IntegrationConfig(team=team_a.team, provider="twilio")
    config.set_secrets({"account_sid": "AC" + "1" * 32, "auth_token": "secret-token-123"})
    with scopes_disabled():
        config.save()
    html = login(team_a.user(Role.OWNER)).get("/settings/").content.decode()
    assert "AI agents" in html
    assert "Maple Court" in html
    assert "this team&#x27;s own account" in html or "this team's own account" in html
    assert "/webhooks/twilio/sms/" in html
    assert "secret-token-123" not in html
    viewer_html = login(team_a.user(Role.VIEWER)).get("/settings/").content.decode()
    assert "Save AI settings" not in viewer_html
