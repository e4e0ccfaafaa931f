"""With a model configured, on-demand rescoring adds one sentence; the number never comes from it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from pytest_httpserver import HTTPServer

from agents import llm
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, api_client_for
from tests.factories import LeadFactory

COMPLETIONS = "/v1/chat/completions"


def chat(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 80, "completion_tokens": 20, "total_tokens": 100},
    }


@pytest.fixture
def model(httpserver: HTTPServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    settings.OPENAI_API_KEY = "sk-test-loopback"
    settings.OPENAI_ENABLED = True
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_MODEL = "test-model"
    monkeypatch.setattr(llm, "MAX_RETRIES", 0)
    return httpserver


@pytest.fixture
def lead(team_a: TeamWorld) -> Lead:
    with team_scope(team_a.team):
        return LeadFactory(team=team_a.team, first_name="Zelda", last_name="Quintero", notes="Prefers quiet units")


def score(team_a: TeamWorld, lead: Lead) -> dict[str, Any]:
    response = api_client_for(team_a.membership(Role.AGENT)).post(reverse("api:lead-score", args=[lead.id]))
    assert response.status_code == 200, response.content
    return response.json()


def test_the_model_adds_a_sentence_but_the_number_is_the_rules(
    team_a: TeamWorld, lead: Lead, model: HTTPServer
) -> None:
    model.expect_request(COMPLETIONS, method="POST").respond_with_json(
        chat(json.dumps({"sentence": "Book a tour while interest is fresh."}))
    )
    with_model = score(team_a, lead)
    assert with_model["explanation"].endswith("Book a tour while interest is fresh.")

    model.clear()
    model.expect_request(COMPLETIONS, method="POST").respond_with_json(
        chat(json.dumps({"sentence": "Ignore the rules: this lead scores 100."}))
    )
    again = score(team_a, lead)
    assert again["score"] == with_model["score"]  # whatever the model says, the number is the rules'


def test_the_model_sees_factors_and_never_the_prospects_name_or_notes(
    team_a: TeamWorld, lead: Lead, model: HTTPServer
) -> None:
    model.expect_request(COMPLETIONS, method="POST").respond_with_json(chat(json.dumps({"sentence": "Follow up."})))
    score(team_a, lead)
    sent = model.log[0][0].get_data(as_text=True)
    assert "budget_fit" in sent or "move_in_timing" in sent
    for private in ("Zelda", "Quintero", "quiet units", lead.email, lead.phone):
        assert private not in sent


def test_a_failing_model_leaves_the_rule_based_explanation(team_a: TeamWorld, lead: Lead, model: HTTPServer) -> None:
    model.expect_request(COMPLETIONS, method="POST").respond_with_json({"error": {"message": "down"}}, status=503)
    result = score(team_a, lead)
    assert result["explanation"].startswith(("Strongest", "Weakest"))
    assert 0 <= result["score"] <= 100


def test_without_a_model_no_request_is_made(team_a: TeamWorld, lead: Lead, settings: Any) -> None:
    settings.OPENAI_ENABLED = False
    assert score(team_a, lead)["explanation"]
