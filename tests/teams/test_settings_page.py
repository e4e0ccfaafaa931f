from __future__ import annotations

import re

from django.urls import reverse
from django_scopes import scopes_disabled

from api.models import ApiToken
from crm.teams.models import Team
from crm.teams.roles import Role
from tests.conftest import TeamWorld, login


def test_the_settings_page_shows_every_integration_as_off_by_default(team_a: TeamWorld) -> None:
    body = login(team_a.user(Role.AGENT)).get(reverse("teams:settings")).content.decode()
    for name in ("Twilio", "SendGrid", "OpenAI", "Google Ads", "Vapi", "ResMan", "Meta"):
        assert name in body
    assert body.count('badge-muted">Off') == 7


def test_a_new_api_token_is_shown_once_and_works(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.AGENT))
    response = client.post(reverse("teams:token-create"), {"name": "Zapier"})
    key = re.search(r'value="(lor_[^"]+)"', response.content.decode()).group(1)  # type: ignore[union-attr]
    assert key not in client.get(reverse("teams:settings")).content.decode()
    with scopes_disabled():
        token = ApiToken.objects.get(name="Zapier")
    assert token.key_hash != key
    assert key.startswith(token.key_hint)


def test_revoking_a_token_needs_to_be_its_owner(team_a: TeamWorld) -> None:
    login(team_a.user(Role.AGENT)).post(reverse("teams:token-create"), {"name": "mine"})
    with scopes_disabled():
        token = ApiToken.objects.get(name="mine")
    assert login(team_a.user(Role.OWNER)).post(reverse("teams:token-revoke", args=[token.id])).status_code == 404
    assert login(team_a.user(Role.AGENT)).post(reverse("teams:token-revoke", args=[token.id])).status_code == 302
    with scopes_disabled():
        token.refresh_from_db()
    assert token.revoked_at is not None


def test_only_admins_edit_the_team_profile(team_a: TeamWorld) -> None:
    url = reverse("teams:settings")
    login(team_a.user(Role.MANAGER)).post(url, {"name": "Hacked", "postal_address": ""})
    assert Team.objects.get(pk=team_a.team.pk).name == "Alpha Living"
    login(team_a.user(Role.ADMIN)).post(url, {"name": "Alpha Living Group", "postal_address": "1 Main St"})
    assert Team.objects.get(pk=team_a.team.pk).postal_address == "1 Main St"


def test_a_blank_team_name_is_a_form_error(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).post(reverse("teams:settings"), {"name": "", "postal_address": ""})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
