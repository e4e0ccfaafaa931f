"""``POST /api/v1/ad-copy/generate/``: team properties only, agents and up, copy within limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crm.marketing.platforms import GOOGLE_DESCRIPTION_MAX, GOOGLE_HEADLINE_MAX
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.factories import PropertyFactory

GENERATE = reverse("api:ad-copy-generate")


def body(prop: Property, **extra: Any) -> dict[str, Any]:
    return {"platform": "google", "objective": "tours", "property": str(prop.pk), "tone": "upscale", **extra}


def as_role(world: TeamWorld, role: str = Role.AGENT) -> APIClient:
    return api_client_for(world.membership(role))


def test_an_agent_generates_google_copy_within_the_limits(team_a: TeamWorld, place: Property) -> None:
    response = as_role(team_a).post(GENERATE, body(place, variations=2, highlights=["rooftop pool"]), format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["engine"], data["platform"], data["objective"], data["tone"]) == (
        "offline",
        "google",
        "tours",
        "upscale",
    )
    assert data["property"] == str(place.pk)
    assert data["blocked"] == []
    assert len(data["variations"]) == 2
    for variation in data["variations"]:
        assert set(variation) == {"headlines", "descriptions"}
        assert 3 <= len(variation["headlines"]) <= 15
        assert all(len(h) <= GOOGLE_HEADLINE_MAX for h in variation["headlines"])
        assert 2 <= len(variation["descriptions"]) <= 4
        assert all(len(d) <= GOOGLE_DESCRIPTION_MAX for d in variation["descriptions"])


def test_meta_copy_has_primary_text_headline_description_and_a_button(team_a: TeamWorld, place: Property) -> None:
    response = as_role(team_a).post(GENERATE, body(place, platform="instagram", variations=1), format="json")
    (variation,) = response.json()["variations"]
    assert set(variation) == {"primary_text", "headline", "description", "call_to_action"}
    assert variation["call_to_action"] in {"CONTACT_US", "CALL_NOW", "MESSAGE_PAGE"}


def test_the_defaults_are_three_friendly_variations(team_a: TeamWorld, place: Property) -> None:
    response = as_role(team_a).post(
        GENERATE, {"platform": "facebook", "objective": "leads", "property": str(place.pk)}, format="json"
    )
    assert response.json()["tone"] == "friendly"
    assert len(response.json()["variations"]) == 3


def test_blocked_copy_is_reported_with_its_findings(
    team_a: TeamWorld, place: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.compliance import fair_housing
    from crm.compliance.fair_housing import FairHousingResult, Finding

    def flag_all(text: str, *, team: Any = None, property: Any = None) -> FairHousingResult:
        word = text.split()[0] if text.split() else ""
        return FairHousingResult(text=text, findings=[Finding(word, 0, len(word), "test", "Flagged.", word)])

    monkeypatch.setattr(fair_housing, "check_text", flag_all)
    data = as_role(team_a).post(GENERATE, body(place, platform="facebook", variations=1), format="json").json()
    assert data["variations"] == []
    (blocked,) = data["blocked"]
    assert blocked["reason"].startswith("Failed the Fair Housing check")
    assert {"phrase", "start", "end", "category", "reason", "suggestion"} == set(blocked["findings"][0])


def test_another_teams_property_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_b.team):
        theirs = PropertyFactory(team=team_b.team, name="Bravo Towers")
    response = as_role(team_a, Role.OWNER).post(GENERATE, body(theirs), format="json")
    assert response.status_code == 400
    assert response.json() == {"property": ["Property not found."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"variations": 6}, "variations"), ({"variations": 0}, "variations"), ({"platform": "tiktok"}, "platform")],
)
def test_invalid_requests_are_refused_field_by_field(
    team_a: TeamWorld, place: Property, change: dict[str, Any], field: str
) -> None:
    response = as_role(team_a).post(GENERATE, body(place, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_viewer_may_not_generate_and_reads_are_not_a_thing(team_a: TeamWorld, place: Property) -> None:
    assert as_role(team_a, Role.VIEWER).post(GENERATE, body(place), format="json").status_code == 403
    assert as_role(team_a).get(GENERATE).status_code == 405


def test_anonymous_callers_are_refused(place: Property) -> None:
    assert APIClient().post(GENERATE, body(place), format="json").status_code in {401, 403}


def test_the_schema_describes_both_variation_shapes(team_a: TeamWorld) -> None:
    schema = as_role(team_a).get(reverse("api:schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert {"AdCopyGenerateRequest", "AdCopyResult", "GoogleVariation", "MetaVariation"} <= set(components)
    assert components["AdCopyVariation"]["oneOf"] == [
        {"$ref": "#/components/schemas/GoogleVariation"},
        {"$ref": "#/components/schemas/MetaVariation"},
    ]
