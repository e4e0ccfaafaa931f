"""The runtime through the real ``openai`` SDK and the gateway, against the loopback ScriptedOpenAI."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from agents.models import PendingAction
from agents.runtime import run_turn
from crm.leads.models import Lead, Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_runtime.conftest import World, next_open_slot
from tests.conftest import api_client_for
from tests.fakes.openai_server import ScriptedOpenAI, error, reply, tool_call


def test_coo_routes_then_the_leasing_agent_loops_and_proposes_a_tour(world: World, llm_on: ScriptedOpenAI) -> None:
    start = next_open_slot(world.property)
    llm_on.script(
        reply({"agent": "leasing", "reason": "A tour for a lead."}, usage=(50, 9)),
        tool_call("search_leads", {"query": "Ada", "stage": None, "property_id": None, "limit": None}),
        tool_call("get_lead", {"lead_id": str(world.ada.pk)}),
        tool_call("schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat(), "property_id": None}),
        reply("I proposed a tour for Ada Lovelace; a teammate needs to approve it.", usage=(400, 20)),
    )
    result = run_turn(agent="coo", team=world.team.team, user=world.agent, message="Book Ada Lovelace a tour next week")

    assert (result.agent, result.engine, result.routed_by) == ("leasing", "llm", "coo")
    assert [(c["name"], c["status"]) for c in result.tool_calls] == [
        ("search_leads", "executed"),
        ("get_lead", "executed"),
        ("schedule_tour", "pending_approval"),
    ]
    assert result.answer.startswith("I proposed a tour")

    route, first_step, *_, last = llm_on.requests
    assert route["response_format"]["type"] == "json_schema"
    assert route["response_format"]["json_schema"]["strict"] is True
    assert "tools" not in route
    tools = {tool["function"]["name"]: tool["function"] for tool in first_step["tools"]}
    assert set(tools) == {
        "search_leads", "get_lead", "update_lead_stage", "create_follow_up", "available_tour_slots", "schedule_tour",
        "draft_message", "send_message", "search_knowledge", "list_units", "get_property",
    }  # fmt: skip
    assert all(tool["strict"] is True for tool in tools.values())
    assert tools["schedule_tour"]["parameters"]["additionalProperties"] is False
    # The last request carries the whole loop: each call answered by a fenced tool message.
    roles = [message["role"] for message in last["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant", "tool"]
    assert last["messages"][-1]["tool_call_id"] == last["messages"][-2]["tool_calls"][0]["id"]
    assert "pending_approval" in last["messages"][-1]["content"]

    with team_scope(world.team.team):
        action = PendingAction.objects.get()
        assert not Tour.objects.exists()
    api = api_client_for(world.team.membership(Role.MANAGER))
    response = api.post(reverse("api:agent-action-approve", kwargs={"action_id": action.pk}))
    assert response.status_code == 200, response.json()
    with team_scope(world.team.team):
        assert Tour.objects.get().lead == world.ada
        assert Lead.objects.get(pk=world.ada.pk).stage == "tour_scheduled"


def test_the_execute_api_drives_the_gateway(world: World, llm_on: ScriptedOpenAI) -> None:
    llm_on.script(tool_call("list_units", {"property_id": None, "beds": 2, "max_rent": None, "available_only": None}),
                  reply("Unit 101 has two bedrooms for $1,650."))  # fmt: skip
    api = api_client_for(world.team.membership(Role.VIEWER))
    response = api.post(reverse("api:agent-execute-property"), {"message": "Any 2-beds?"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["engine"] == "llm"
    assert body["tool_calls"][0]["result"]["units"][0]["number"] == "101"
    assert body["answer"] == "Unit 101 has two bedrooms for $1,650."


def test_a_model_outage_falls_back_to_the_offline_engine(world: World, llm_on: ScriptedOpenAI, settings: Any) -> None:
    settings.OPENAI_MAX_RETRIES = 0
    llm_on.script(error(503))
    result = run_turn(agent="leasing", team=world.team.team, user=world.agent, message="Find the lead named Ada")
    assert result.engine == "offline"
    assert "Ada Lovelace" in result.answer
    assert result.notes
    assert "HTTP 503" in result.notes[0]


def test_a_malformed_route_falls_back_to_the_offline_router(world: World, llm_on: ScriptedOpenAI) -> None:
    llm_on.script(reply("not json at all"), reply("Hello!"))
    result = run_turn(agent="coo", team=world.team.team, user=world.agent, message="Show me the funnel for March")
    assert result.agent == "marketing"
    assert json.loads(json.dumps(result.as_dict()))["routed_by"] == "coo"
