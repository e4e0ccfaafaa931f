"""The agents API: execute, approve/reject, pending actions and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from agents import gateway
from agents.models import PendingAction
from api.agents import AgentTurnThrottle
from crm.leads.models import Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_runtime.conftest import Bravo, World, next_open_slot
from tests.agents_runtime.scripted import ScriptedModel, call, route_to, say
from tests.conftest import api_client_for


def execute_url(agent: str) -> str:
    return reverse(f"api:agent-execute-{agent}")


def use_model(monkeypatch: pytest.MonkeyPatch, model: Any) -> None:
    monkeypatch.setattr(gateway, "get_chat_model", lambda: model)


@pytest.fixture
def agent_api(world: World) -> Any:
    return api_client_for(world.team.membership(Role.AGENT))


def test_execute_answers_with_the_turn(world: World, agent_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    start = next_open_slot(world.property)
    model = ScriptedModel(
        route_to("leasing"),
        call("get_lead", {"lead_id": str(world.ada.pk)}),
        call("schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat()}),
        call("get_lead", {"lead_id": "nope"}),
        say("A tour for Ada is waiting for approval."),
    )
    use_model(monkeypatch, model)
    response = agent_api.post(
        execute_url("coo"), {"message": "Book Ada a tour", "context": {"lead_id": str(world.ada.pk)}}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["agent"], body["engine"], body["routed_by"]) == ("leasing", "llm", "coo")
    assert body["answer"] == "A tour for Ada is waiting for approval."
    assert [(c["name"], c["status"]) for c in body["tool_calls"]] == [
        ("get_lead", "executed"),
        ("schedule_tour", "pending_approval"),
        ("get_lead", "failed"),
    ]
    assert body["tool_calls"][2]["error"] == "Lead not found."
    assert body["pending_actions"][0]["summary"].startswith("Book a tour of Maple Court for Ada Lovelace")
    assert set(body) >= {"agent", "answer", "tool_calls", "pending_actions", "sources", "engine"}


def test_execute_without_a_model_uses_the_offline_engine(world: World, agent_api: Any) -> None:
    response = agent_api.post(execute_url("property"), {"message": "Tell me a joke about llamas"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["engine"] == "offline"
    assert body["agent"] == "property"
    assert body["answer"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"message": ""},
        {"message": "x" * 4001},
        {"message": "hi", "context": {"lead_id": "nope"}},
        {"message": ["hi"]},
        {"message": "hi", "context": "x"},
    ],
)
def test_a_bad_body_is_a_400_with_json(world: World, agent_api: Any, payload: dict[str, Any]) -> None:
    response = agent_api.post(execute_url("leasing"), payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_another_teams_context_is_a_404(world: World, bravo: Bravo, agent_api: Any) -> None:
    for context in ({"lead_id": str(bravo.lead.pk)}, {"property_id": str(bravo.property.pk)}):
        response = agent_api.post(execute_url("leasing"), {"message": "hi", "context": context}, format="json")
        assert response.status_code == 404
        assert "Canary" not in response.content.decode()


def test_an_unknown_agent_is_a_404(world: World, agent_api: Any) -> None:
    response = agent_api.post("/api/v1/agents/hacker/execute/", {"message": "hi"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found"}


def test_execute_needs_a_member(world: World) -> None:
    from rest_framework.test import APIClient

    assert APIClient().post(execute_url("leasing"), {"message": "hi"}, format="json").status_code in {401, 403}


def test_execute_is_throttled_per_user(world: World, agent_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AgentTurnThrottle, "DEFAULT_RATE", "2/minute")
    statuses = [agent_api.post(execute_url("property"), {"message": "hi"}, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- Approvals -----------------------------------------------------------------------------------------


@pytest.fixture
def action(world: World, monkeypatch: pytest.MonkeyPatch, agent_api: Any) -> PendingAction:
    start = next_open_slot(world.property)
    use_model(
        monkeypatch,
        ScriptedModel(call("schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat()}), say("ok")),
    )
    body = agent_api.post(execute_url("leasing"), {"message": "book it"}, format="json").json()
    with team_scope(world.team.team):
        return PendingAction.objects.get(pk=body["pending_actions"][0]["id"])


def test_approve_over_the_api_books_once(world: World, action: PendingAction, agent_api: Any) -> None:
    url = reverse("api:agent-action-approve", kwargs={"action_id": action.pk})
    first, second = agent_api.post(url), agent_api.post(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == "approved"
    with team_scope(world.team.team):
        assert Tour.objects.count() == 1
    rejected = agent_api.post(reverse("api:agent-action-reject", kwargs={"action_id": action.pk}))
    assert rejected.status_code == 409
    assert rejected.json()["action"]["status"] == "approved"


def test_reject_over_the_api(world: World, action: PendingAction, agent_api: Any) -> None:
    url = reverse("api:agent-action-reject", kwargs={"action_id": action.pk})
    response = agent_api.post(url, {"reason": "Wrong day"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error"]) == ("rejected", "Wrong day")
    approve = agent_api.post(reverse("api:agent-action-approve", kwargs={"action_id": action.pk}))
    assert approve.status_code == 409


def test_a_viewer_cannot_approve_over_the_api(world: World, action: PendingAction) -> None:
    viewer = api_client_for(world.team.membership(Role.VIEWER))
    response = viewer.post(reverse("api:agent-action-approve", kwargs={"action_id": action.pk}))
    assert response.status_code == 403
    with team_scope(world.team.team):
        assert not Tour.objects.exists()


def test_another_teams_action_is_a_404(world: World, bravo: Bravo, action: PendingAction) -> None:
    outsider = api_client_for(bravo.team.membership(Role.OWNER))
    for name in ("api:agent-action-approve", "api:agent-action-reject"):
        assert outsider.post(reverse(name, kwargs={"action_id": action.pk})).status_code == 404
    with team_scope(world.team.team):
        assert PendingAction.objects.get().status == "pending"


def test_pending_actions_list(world: World, action: PendingAction, agent_api: Any, bravo: Bravo) -> None:
    body = agent_api.get(reverse("api:agent-actions")).json()
    assert [row["id"] for row in body["results"]] == [str(action.pk)]
    assert agent_api.get(reverse("api:agent-actions"), {"lead": str(world.grace.pk)}).json()["results"] == []
    outsider = api_client_for(bravo.team.membership(Role.OWNER))
    assert outsider.get(reverse("api:agent-actions")).json()["results"] == []


# --- Activity ------------------------------------------------------------------------------------------


def test_activity_is_keyset_paginated_and_filtered_by_lead(
    world: World, action: PendingAction, agent_api: Any, bravo: Bravo
) -> None:
    url = reverse("api:agent-activity")
    first = agent_api.get(url, {"page_size": 1}).json()
    assert len(first["results"]) == 1
    assert first["next"]
    everything = agent_api.get(url).json()["results"]
    assert {row["kind"] for row in everything} == {"turn", "tool_call"}
    for_ada = agent_api.get(url, {"lead": str(world.ada.pk)}).json()["results"]
    assert [row["tool"] for row in for_ada] == ["schedule_tour"]
    assert agent_api.get(url, {"lead": "nope"}).status_code == 400
    outsider = api_client_for(bravo.team.membership(Role.OWNER))
    assert outsider.get(url).json()["results"] == []
