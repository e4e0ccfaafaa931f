"""``GET /api/v1/knowledge/search/``."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.properties.models import Property
from crm.teams.roles import Role
from tests.conftest import TeamWorld, api_client_for
from tests.factories import PropertyFactory
from tests.knowledge.passages import add_passage

URL = "/api/v1/knowledge/search/"
PETS = "Pet policy: cats and dogs up to 50 pounds are welcome with a $300 deposit and $35 monthly pet rent."


def test_the_route_is_where_the_docs_say() -> None:
    assert reverse("api:knowledge-search") == URL


def test_any_member_gets_results_with_text_document_and_score(team_a: TeamWorld, riverside: Property) -> None:
    pets = add_passage(team_a.team, PETS, title="Pet policy", heading="Pets", property=riverside)
    add_passage(team_a.team, "The rooftop pool is open from 8am to 10pm.", title="Amenities", kind="amenities")

    response = api_client_for(team_a.membership(Role.VIEWER)).get(URL, {"q": "dogs and cats"})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "dogs and cats"
    first = body["results"][0]
    assert first == {
        "chunk": str(pets.pk),
        "document": {"id": str(pets.document_id), "title": "Pet policy"},
        "property": str(riverside.pk),
        "kind": "policy",
        "heading": "Pets",
        "text": PETS,
        "score": pytest.approx(2 / 61),
        "vector_rank": 1,
        "text_rank": 1,
    }


def test_k_and_the_filters_apply(team_a: TeamWorld, riverside: Property, maple: Property) -> None:
    add_passage(team_a.team, "Riverside dogs: welcome.", property=riverside)
    add_passage(team_a.team, "Maple dogs: welcome.", property=maple)
    add_passage(team_a.team, "Dog fees: $35.", kind="fees")
    api = api_client_for(team_a.membership(Role.AGENT))

    assert len(api.get(URL, {"q": "dogs", "k": "2"}).json()["results"]) == 2
    at_maple = api.get(URL, {"q": "dogs", "property": str(maple.pk)}).json()["results"]
    assert {r["text"] for r in at_maple} == {"Maple dogs: welcome.", "Dog fees: $35."}  # the team-wide one too
    fees = api.get(URL, {"q": "dogs", "kind": "fees"}).json()["results"]
    assert [r["kind"] for r in fees] == ["fees"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "dogs", "k": 51}, "k"),
        ({"q": "dogs", "k": 0}, "k"),
        ({"q": "x", "kind": "nope"}, "kind"),
    ],
)
def test_bad_parameters_are_refused(team_a: TeamWorld, params: dict[str, Any], field: str) -> None:
    response = api_client_for(team_a.membership(Role.AGENT)).get(URL, params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_another_teams_property_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with scopes_disabled():
        bravo = cast(Property, PropertyFactory(team=team_b.team, name="Bravo Towers"))
    response = api_client_for(team_a.membership(Role.OWNER)).get(URL, {"q": "dogs", "property": str(bravo.pk)})
    assert response.status_code == 400
    assert "Property not found." in str(response.json())


def test_team_bs_passages_never_appear(team_a: TeamWorld, team_b: TeamWorld) -> None:
    add_passage(team_b.team, "Bravo canary: do you allow dogs? Yes.")
    add_passage(team_a.team, PETS)
    results = api_client_for(team_a.membership(Role.OWNER)).get(URL, {"q": "do you allow dogs"}).json()["results"]
    assert [r["text"] for r in results] == [PETS]


def test_callers_without_credentials_are_refused(db: None) -> None:
    assert Client().get(URL, {"q": "dogs"}).status_code in {401, 403}


def test_the_schema_describes_the_search(db: None) -> None:
    schema = Client().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "property", "kind", "k"}
    assert operation["operationId"] == "knowledge_search"
