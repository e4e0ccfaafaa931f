"""POST /api/v1/compliance/fair-housing/check/: any team member checks text; errors are JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api.compliance import MAX_TEXT_LENGTH, FairHousingCheckThrottle
from crm.properties.models import Property
from crm.teams.roles import Role
from tests.compliance.conftest import make_property
from tests.conftest import TeamWorld, api_client_for, login

URL = reverse("api:fair-housing-check")


def as_role(world: TeamWorld, role: str = Role.AGENT) -> APIClient:
    return api_client_for(world.membership(role))


def test_the_route_is_where_the_issue_says() -> None:
    assert URL == "/api/v1/compliance/fair-housing/check/"


@pytest.mark.parametrize("role", list(Role))
def test_any_member_checks_text_and_gets_findings_with_offsets_and_a_rewrite(team_a: TeamWorld, role: str) -> None:
    text = "Perfect for a young couple. No Section 8."
    response = as_role(team_a, role).post(URL, {"text": text}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ok"] is False
    assert [(f["phrase"], f["category"]) for f in body["findings"]] == [
        ("Perfect for a young couple", "familial_status"),
        ("No Section 8", "source_of_income"),
    ]
    first = body["findings"][0]
    assert text[first["start"] : first["end"]] == first["phrase"]
    assert set(first) == {"phrase", "start", "end", "category", "reason", "suggestion"}
    assert body["rewrite"] == "Perfect for anyone. All lawful sources of income considered."


def test_clean_text_is_ok(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(URL, {"text": "Spacious master bedroom, walking distance to transit."})
    assert response.json() == {
        "ok": True,
        "findings": [],
        "rewrite": "Spacious master bedroom, walking distance to transit.",
    }


def test_a_session_works_too(team_a: TeamWorld) -> None:
    client: Client = login(team_a.user(Role.VIEWER))
    response = client.post(URL, {"text": "Adults only"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is False


def test_the_teams_local_classes_apply(team_a: TeamWorld) -> None:
    from crm.compliance.services import compliance_settings_update

    compliance_settings_update(team=team_a.team, local_classes=[])
    assert as_role(team_a).post(URL, {"text": "No Section 8."}).json()["ok"] is True


def test_a_qualified_property_lets_55_plus_wording_pass(team_a: TeamWorld, senior_property: Property) -> None:
    client = as_role(team_a)
    assert client.post(URL, {"text": "55+ community"}).json()["ok"] is False
    body = client.post(URL, {"text": "55+ community", "property": str(senior_property.pk)}).json()
    assert body["ok"] is True


def test_another_teams_property_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    theirs = make_property(team_b.team, "Bravo Seniors")
    response = as_role(team_a).post(URL, {"text": "55+", "property": str(theirs.pk)})
    assert response.status_code == 400
    assert response.json() == {"property": ["Property not found."]}


def test_text_over_the_limit_is_a_400_with_a_json_reason(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(URL, {"text": "a" * (MAX_TEXT_LENGTH + 1)}, format="json")
    assert response.status_code == 400
    assert "20000" in response.json()["text"][0]
    assert as_role(team_a).post(URL, {"text": "a" * MAX_TEXT_LENGTH}, format="json").status_code == 200


def test_missing_text_is_a_400(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(URL, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"text": ["This field is required."]}


def test_offsets_index_the_text_exactly_as_sent(team_a: TeamWorld) -> None:
    text = "   \n  No kids  "
    finding = as_role(team_a).post(URL, {"text": text}, format="json").json()["findings"][0]
    assert (finding["start"], finding["end"]) == (6, 13)


def test_anonymous_callers_get_a_401_and_get_is_not_allowed(team_a: TeamWorld) -> None:
    assert APIClient().post(URL, {"text": "x"}).status_code == 401
    assert as_role(team_a).get(URL).status_code == 405


def test_checks_are_throttled_per_user(team_a: TeamWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FairHousingCheckThrottle, "THROTTLE_RATES", {"fair_housing_check": "2/minute"})
    client = as_role(team_a)
    statuses = [client.post(URL, {"text": "hello"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_openapi_schema_describes_the_check(db: None) -> None:
    schema = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/compliance/fair-housing/check/"]["post"]
    assert operation["summary"] == "Check text for Fair Housing concerns"
    assert set(operation["responses"]) == {"200", "400"}
    result = schema["components"]["schemas"]["FairHousingResult"]
    assert set(result["properties"]) == {"ok", "findings", "rewrite"}
    finding = schema["components"]["schemas"]["Finding"]
    assert set(finding["properties"]) == {"phrase", "start", "end", "category", "reason", "suggestion"}
