"""``POST /api/v1/leads/{id}/score/``: recompute a lead's score and say what it is made of."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.urls import reverse
from django.utils import timezone

from crm.leads.models import Lead
from crm.leads.scoring import ALLOWED_FEATURES
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.factories import LeadFactory, PropertyFactory, UnitFactory


def score_url(lead: Lead) -> str:
    return reverse("api:lead-score", kwargs={"pk": lead.pk})


def a_lead(world: TeamWorld, **fields: Any) -> Lead:
    with team_scope(world.team):
        place = cast(Property, PropertyFactory(team=world.team))
        UnitFactory(property=place, beds=2, rent=1500)
        return cast(
            Lead,
            LeadFactory(
                team=world.team,
                property=place,
                desired_beds=2,
                budget_max=1600,
                move_in_date=timezone.now().date() + timedelta(days=10),
                **fields,
            ),
        )


def test_an_agent_rescores_a_lead_and_gets_the_score_factors_and_explanation(team_a: TeamWorld) -> None:
    lead = a_lead(team_a)
    response = api_client_for(team_a.membership(Role.AGENT)).post(score_url(lead))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"score", "factors", "explanation"}
    assert [factor["name"] for factor in body["factors"]] == list(ALLOWED_FEATURES)
    assert all({"name", "value", "contribution"} <= set(factor) for factor in body["factors"])
    assert body["score"] == sum(factor["contribution"] for factor in body["factors"])
    budget = next(factor for factor in body["factors"] if factor["name"] == "budget_fit")
    assert (budget["value"], budget["contribution"], budget["weight"]) == (1, 15, 15)
    assert body["explanation"].startswith("Strongest: ")
    with team_scope(team_a.team):
        assert Lead.objects.get(pk=lead.pk).score == body["score"]


def test_the_lead_resource_shows_the_stored_score_afterwards(team_a: TeamWorld) -> None:
    lead = a_lead(team_a)
    client = api_client_for(team_a.membership(Role.MANAGER))
    scored = client.post(score_url(lead)).json()
    body = client.get(reverse("api:lead-detail", kwargs={"pk": lead.pk})).json()
    assert (body["score"], body["score_factors"]) == (scored["score"], scored["factors"])


def test_a_viewer_may_not_rescore(team_a: TeamWorld) -> None:
    lead = a_lead(team_a)
    assert api_client_for(team_a.membership(Role.VIEWER)).post(score_url(lead)).status_code == 403
    with team_scope(team_a.team):
        assert Lead.objects.get(pk=lead.pk).score is None


def test_another_teams_lead_is_not_found(team_a: TeamWorld, team_b: TeamWorld) -> None:
    lead = a_lead(team_b)
    assert api_client_for(team_a.membership(Role.OWNER)).post(score_url(lead)).status_code == 404
    with team_scope(team_b.team):
        assert Lead.objects.get(pk=lead.pk).score is None


def test_a_merged_lead_is_not_found(team_a: TeamWorld) -> None:
    primary = a_lead(team_a)
    duplicate = a_lead(team_a, merged_into=primary)
    assert api_client_for(team_a.membership(Role.AGENT)).post(score_url(duplicate)).status_code == 404


def test_the_schema_describes_the_score_answer(db: None) -> None:
    from rest_framework.test import APIClient

    schema = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/leads/{id}/score/"]["post"]
    assert "requestBody" not in operation
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][answer]["properties"]) == {"score", "factors", "explanation"}
