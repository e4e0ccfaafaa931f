from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crm.properties.models import Property, Unit
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.factories import PropertyFactory, UnitFactory

PROPERTIES = reverse("api:property-list")
UNITS = reverse("api:unit-list")


def detail(prop: Property) -> str:
    return reverse("api:property-detail", kwargs={"pk": prop.pk})


def as_role(world: TeamWorld, role: str = Role.MANAGER) -> APIClient:
    return api_client_for(world.membership(role))


def make_property(world: TeamWorld, **fields: Any) -> Property:
    with team_scope(world.team):
        return PropertyFactory(team=world.team, **fields)


def make_unit(prop: Property, **fields: Any) -> Unit:
    with team_scope(prop.team):
        return UnitFactory(property=prop, **fields)


# --- Properties --------------------------------------------------------------------------------


def test_a_manager_adds_a_property_with_a_normalised_sms_number(team_a: TeamWorld) -> None:
    response = as_role(team_a).post(
        PROPERTIES,
        {
            "name": "Alpha Flats",
            "city": "Austin",
            "timezone": "America/Chicago",
            "sms_number": "(512) 555-0123",
            "office_hours": {"mon": [["09:00", "17:00"]], "sun": []},
            "closed_dates": ["2025-12-25", "2025-01-01"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sms_number"] == "+15125550123"
    assert body["office_hours"] == {"mon": [["09:00", "17:00"]], "sun": []}
    assert body["closed_dates"] == ["2025-01-01", "2025-12-25"]
    with team_scope(team_a.team):
        assert Property.objects.get(pk=body["id"]).sms_number == "+15125550123"


def test_a_property_gets_the_defaults_it_was_not_given(team_a: TeamWorld) -> None:
    body = as_role(team_a).post(PROPERTIES, {"name": "Alpha Flats"}, format="json").json()
    assert (body["timezone"], body["tour_minutes"], body["sms_number"], body["is_active"]) == (
        "America/Chicago",
        30,
        None,
        True,
    )
    assert body["office_hours"]["mon"] == [["09:00", "18:00"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"office_hours": {"mon": [["18:00", "09:00"]]}}, "office_hours"),
        ({"office_hours": {"someday": []}}, "office_hours"),
        ({"office_hours": {"mon": [["nine", "five"]]}}, "office_hours"),
        ({"sms_number": "12345"}, "sms_number"),
        ({"closed_dates": ["christmas"]}, "closed_dates"),
        ({"email": "nope"}, "email"),
        ({"website": "not a url"}, "website"),
        ({"tour_minutes": -5}, "tour_minutes"),
    ],
)
def test_invalid_property_input_is_a_400_naming_the_field(
    team_a: TeamWorld, payload: dict[str, Any], field: str
) -> None:
    response = as_role(team_a).post(PROPERTIES, {"name": "Alpha Flats", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_an_sms_number_another_team_uses_is_refused_without_saying_whose(team_a: TeamWorld, team_b: TeamWorld) -> None:
    make_property(team_b, name="Bravo Lofts", sms_number="+15125550999")
    response = as_role(team_a).post(PROPERTIES, {"name": "Alpha Flats", "sms_number": "512 555 0999"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"sms_number": ["This number is already in use."]}
    mine = make_property(team_a, name="Alpha Gardens")
    patched = as_role(team_a).patch(detail(mine), {"sms_number": "+15125550999"}, format="json")
    assert patched.json() == {"sms_number": ["This number is already in use."]}


def test_a_property_keeps_its_own_sms_number_when_patched(team_a: TeamWorld) -> None:
    prop = make_property(team_a, sms_number="+15125550123")
    response = as_role(team_a).patch(
        detail(prop), {"sms_number": "+1 512 555 0123", "city": "Round Rock"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["sms_number"], response.json()["city"]) == ("+15125550123", "Round Rock")


def test_a_property_name_is_unique_within_the_team_only(team_a: TeamWorld, team_b: TeamWorld) -> None:
    make_property(team_a, name="The Grove")
    make_property(team_b, name="Shared Name")
    client = as_role(team_a)
    assert client.post(PROPERTIES, {"name": "The Grove"}, format="json").json() == {
        "name": ["The team already has a property with this name."]
    }
    assert client.post(PROPERTIES, {"name": "Shared Name"}, format="json").status_code == 201


def test_a_manager_changes_a_property_and_can_clear_its_number(team_a: TeamWorld) -> None:
    prop = make_property(team_a, sms_number="+15125550123")
    response = as_role(team_a).patch(detail(prop), {"sms_number": "", "tour_minutes": 45}, format="json")
    assert response.status_code == 200, response.json()
    prop.refresh_from_db()
    assert (prop.sms_number, prop.tour_minutes) == (None, 45)


def test_everyone_in_the_team_reads_properties_but_only_managers_write(team_a: TeamWorld) -> None:
    prop = make_property(team_a, name="Alpha Flats")
    for role in (Role.VIEWER, Role.AGENT):
        client = as_role(team_a, role)
        assert client.get(PROPERTIES).json()["results"][0]["name"] == "Alpha Flats"
        assert client.get(detail(prop)).status_code == 200
        assert client.post(PROPERTIES, {"name": "New"}, format="json").status_code == 403
        assert client.patch(detail(prop), {"name": "Renamed"}, format="json").status_code == 403
    prop.refresh_from_db()
    assert prop.name == "Alpha Flats"
    assert as_role(team_a, Role.ADMIN).patch(detail(prop), {"name": "Renamed"}, format="json").status_code == 200


def test_another_teams_property_is_a_404_and_never_listed(team_a: TeamWorld, team_b: TeamWorld) -> None:
    theirs = make_property(team_b, name="Bravo Lofts", sms_number="+15125550999")
    client = as_role(team_a, Role.OWNER)
    assert client.get(detail(theirs)).status_code == 404
    assert client.patch(detail(theirs), {"name": "Mine now"}, format="json").status_code == 404
    assert client.delete(detail(theirs)).status_code in {404, 405}
    assert "Bravo" not in client.get(PROPERTIES).content.decode()
    theirs.refresh_from_db()
    assert theirs.name == "Bravo Lofts"


def test_properties_are_listed_by_name_and_paginated(team_a: TeamWorld) -> None:
    for name in ["Cedar", "Aspen", "Birch"]:
        make_property(team_a, name=name)
    body = as_role(team_a, Role.VIEWER).get(PROPERTIES, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [row["name"] for row in body["results"]] == ["Aspen", "Birch"]
    assert body["next"] is not None


# --- Units -------------------------------------------------------------------------------------


def test_a_manager_adds_a_unit_to_a_property(team_a: TeamWorld) -> None:
    prop = make_property(team_a)
    response = as_role(team_a).post(
        UNITS,
        {"property": str(prop.pk), "number": "204", "beds": 2, "baths": "1.5", "rent": "1725.00", "status": "notice"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["property"], body["number"], body["beds"], body["baths"], body["rent"], body["status"]) == (
        str(prop.pk),
        "204",
        2,
        "1.5",
        "1725.00",
        "notice",
    )
    with team_scope(team_a.team):
        assert Unit.objects.get(pk=body["id"]).team_id == team_a.team.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"number": ""}, "number"),
        ({"status": "haunted"}, "status"),
        ({"beds": -1}, "beds"),
        ({"rent": "lots"}, "rent"),
        ({"number": "101"}, "number"),  # already taken at this property
        ({"property": None}, "property"),
    ],
)
def test_invalid_unit_input_is_a_400_naming_the_field(team_a: TeamWorld, payload: dict[str, Any], field: str) -> None:
    prop = make_property(team_a)
    make_unit(prop, number="101")
    response = as_role(team_a).post(UNITS, {"property": str(prop.pk), "number": "102", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_unit_for_another_teams_property_is_a_400_like_an_unknown_property(
    team_a: TeamWorld, team_b: TeamWorld
) -> None:
    theirs = make_property(team_b)
    response = as_role(team_a, Role.OWNER).post(UNITS, {"property": str(theirs.pk), "number": "1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"property": ["Property not found."]}
    with team_scope(team_b.team):
        assert not Unit.objects.filter(number="1").exists()


def test_agents_and_viewers_list_units_but_cannot_add_them(team_a: TeamWorld) -> None:
    prop = make_property(team_a)
    make_unit(prop, number="101")
    for role in (Role.VIEWER, Role.AGENT):
        client = as_role(team_a, role)
        assert [row["number"] for row in client.get(UNITS).json()["results"]] == ["101"]
        assert client.post(UNITS, {"property": str(prop.pk), "number": "102"}, format="json").status_code == 403


def test_units_filter_by_property_status_and_beds(team_a: TeamWorld, team_b: TeamWorld) -> None:
    north, south = make_property(team_a, name="North"), make_property(team_a, name="South")
    make_unit(north, number="N1", beds=1, status="available")
    make_unit(north, number="N2", beds=2, status="occupied")
    make_unit(south, number="S1", beds=2, status="available")
    make_unit(make_property(team_b), number="B-CANARY", beds=2, status="available")
    client = as_role(team_a, Role.VIEWER)

    def numbers(**query: Any) -> list[str]:
        response = client.get(UNITS, query)
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert numbers() == ["N1", "N2", "S1"]
    assert numbers(property=str(north.pk)) == ["N1", "N2"]
    assert numbers(status="available") == ["N1", "S1"]
    assert numbers(beds=2) == ["N2", "S1"]
    assert numbers(beds=2, status="available", property=str(south.pk)) == ["S1"]
    assert client.get(UNITS, {"status": "haunted"}).status_code == 400
    assert client.get(UNITS, {"beds": "two"}).status_code == 400


# --- The schema --------------------------------------------------------------------------------


def test_the_schema_describes_every_resource_and_both_answers_to_a_lead_post(db: None) -> None:
    response = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    assert {
        "/api/v1/leads/": {"get", "post"},
        "/api/v1/leads/{id}/": {"get", "patch", "delete"},
        "/api/v1/leads/{id}/activities/": {"get"},
        "/api/v1/compliance/fair-housing/check/": {"post"},
        "/api/v1/ad-copy/generate/": {"post"},
        "/api/v1/leads/{id}/score/": {"post"},
        "/api/v1/knowledge/documents/": {"get", "post"},
        "/api/v1/knowledge/documents/{id}/": {"get", "delete"},
        "/api/v1/knowledge/search/": {"get"},
        "/api/v1/properties/": {"get", "post"},
        "/api/v1/properties/{id}/": {"get", "patch"},
        "/api/v1/units/": {"get", "post"},
        "/api/v1/agents/coo/execute/": {"post"},
        "/api/v1/agents/leasing/execute/": {"post"},
        "/api/v1/agents/marketing/execute/": {"post"},
        "/api/v1/agents/property/execute/": {"post"},
        "/api/v1/agents/actions/": {"get"},
        "/api/v1/agents/actions/{action_id}/approve/": {"post"},
        "/api/v1/agents/actions/{action_id}/reject/": {"post"},
        "/api/v1/agents/activity/": {"get"},
        "/api/v1/conversations/": {"get"},
        "/api/v1/conversations/{id}/": {"get"},
        "/api/v1/conversations/{id}/messages/": {"get", "post"},
    } == {path: set(paths[path]) for path in paths if path != "/api/v1/me/"}
    assert set(paths["/api/v1/leads/"]["post"]["responses"]) == {"200", "201"}
    filters = {parameter["name"] for parameter in paths["/api/v1/leads/"]["get"]["parameters"]}
    assert {"stage", "property", "source", "assigned_to", "q", "cursor", "page_size"} <= filters
    unit_filters = {parameter["name"] for parameter in paths["/api/v1/units/"]["get"]["parameters"]}
    assert {"property", "status", "beds"} <= unit_filters
    assert "sms_number" in response.json()["components"]["schemas"]["PropertyRequest"]["properties"]


def test_the_schema_generates_without_a_single_warning(db: None) -> None:
    # The same check ``manage.py check --deploy`` runs: any warning would fail the deployment checklist.
    from drf_spectacular.checks import schema_check
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    assert schema_check(None) == []
