"""The tools one by one, through ``execute``: roles, team isolation, argument checks, size caps."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from agents.models import AgentPolicy, PendingAction
from agents.tools import REGISTRY, ToolContext, execute
from agents.tools.base import MAX_RESULT_BYTES, cap, strict_schema
from agents.workforce import get_spec
from crm.leads.models import Lead, Task, Tour
from crm.teams.roles import Role
from tests.agents_runtime.conftest import Bravo, World, next_open_slot

ALL_TOOLS = tuple(REGISTRY)


def ctx(world: World, role: str = Role.AGENT, **kwargs: Any) -> ToolContext:
    return ToolContext(team=world.team.team, user=world.user(role), role=role, agent="leasing", **kwargs)


def run(world: World, name: str, args: Any, *, role: str = Role.AGENT, **kwargs: Any) -> Any:
    return execute(name, args, ctx(world, role, **kwargs), allowed=ALL_TOOLS)


# --- Schemas ---------------------------------------------------------------------------------------


def _objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_objects(item))
    return found


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_tool_schema_follows_openai_strict_mode(name: str) -> None:
    spec = REGISTRY[name]
    tool = spec.openai_tool()
    assert tool["type"] == "function"
    assert tool["function"]["strict"] is True
    assert tool["function"]["description"]
    schema = tool["function"]["parameters"]
    for obj in _objects(schema):
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])
    assert not _keywords(schema) & {"default", "title", "minLength", "maxLength"}


def _keywords(node: Any) -> set[str]:
    """Schema keywords used anywhere (property names are not keywords)."""
    if isinstance(node, list):
        return set().union(*(_keywords(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        if key == "properties":
            found |= set().union(*(_keywords(child) for child in value.values())) if value else set()
        else:
            found |= _keywords(value)
    return found


def test_optional_arguments_are_required_but_nullable() -> None:
    schema = strict_schema(REGISTRY["search_leads"].args_model)
    assert schema["required"] == ["query", "stage", "property_id", "limit"]
    assert {"type": "null"} in schema["properties"]["limit"]["anyOf"]


def test_the_contract_tool_sets_exist() -> None:
    for agent in ("leasing", "marketing", "property"):
        assert set(get_spec(agent).tools) <= set(REGISTRY)
    assert set(REGISTRY) == {
        "search_leads", "get_lead", "update_lead_stage", "create_follow_up", "available_tour_slots",
        "schedule_tour", "draft_message", "send_message", "search_knowledge", "lead_counts_by_source", "funnel",
        "campaign_performance", "integration_status", "list_units", "get_property", "generate_ad_copy",
    }  # fmt: skip


# --- Arguments ----------------------------------------------------------------------------------------


def test_bad_arguments_fail_with_the_reason_not_an_exception(in_a: World) -> None:
    outcome = run(in_a, "search_leads", {"limit": 500})
    assert outcome.status == "failed"
    assert "limit" in outcome.error
    assert run(in_a, "search_leads", "{not json").error == "The arguments are not valid JSON."
    assert run(in_a, "search_leads", "[1, 2]").error == "The arguments must be a JSON object."


@pytest.mark.parametrize("extra", ["team_id", "user_id", "role"])
def test_arguments_that_name_a_team_or_user_are_refused(in_a: World, bravo: Bravo, extra: str) -> None:
    outcome = run(in_a, "search_leads", {"query": "a", extra: str(bravo.team.team.pk)})
    assert outcome.status == "failed"
    assert "Extra inputs are not permitted" in outcome.error


def test_huge_arguments_are_refused_before_parsing(in_a: World) -> None:
    outcome = run(in_a, "draft_message", {"lead_id": str(in_a.ada.pk), "body": "x" * 20_000})
    assert outcome.status == "failed"
    assert "too large" in outcome.error
    assert len(json.dumps(outcome.arguments)) < 1_000


def test_a_tool_outside_the_allowed_set_is_refused(in_a: World) -> None:
    outcome = execute("search_leads", {}, ctx(in_a), allowed=("list_units",))
    assert outcome.status == "refused"
    assert execute("drop_database", {}, ctx(in_a), allowed=ALL_TOOLS).status == "refused"


# --- Roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("update_lead_stage", {"stage": "contacted"}),
        ("create_follow_up", {"title": "Call", "due_at": "2099-01-01T10:00:00Z"}),
        ("schedule_tour", {"starts_at": "2099-01-01T10:00:00Z"}),
        ("draft_message", {"body": "Hi"}),
        ("send_message", {"body": "Hi"}),
    ],
)
def test_a_viewer_reads_but_cannot_work_leads(in_a: World, name: str, args: dict[str, Any]) -> None:
    outcome = run(in_a, name, {"lead_id": str(in_a.ada.pk), **args}, role=Role.VIEWER, lead_id=in_a.ada.pk)
    assert outcome.status == "refused"
    assert "Leasing agent role" in outcome.error
    assert not PendingAction.objects.exists()
    assert run(in_a, "get_lead", {"lead_id": str(in_a.ada.pk)}, role=Role.VIEWER).status == "executed"


def test_a_viewer_cannot_generate_ad_copy(in_a: World) -> None:
    outcome = run(in_a, "generate_ad_copy", {"property_id": str(in_a.property.pk), "platform": "google"}, role="viewer")
    assert outcome.status == "refused"


# --- Team isolation -------------------------------------------------------------------------------


def _b_id_calls(bravo: Bravo) -> list[tuple[str, dict[str, Any]]]:
    lead, prop = str(bravo.lead.pk), str(bravo.property.pk)
    return [
        ("get_lead", {"lead_id": lead}),
        ("search_leads", {"property_id": prop}),
        ("update_lead_stage", {"lead_id": lead, "stage": "lost"}),
        ("create_follow_up", {"lead_id": lead, "title": "x", "due_at": "2099-01-01T10:00:00Z"}),
        ("available_tour_slots", {"property_id": prop, "date": str(timezone.now().date() + timedelta(days=2))}),
        ("schedule_tour", {"lead_id": lead, "starts_at": "2099-01-01T10:00:00Z"}),
        ("draft_message", {"lead_id": lead, "body": "hello"}),
        ("search_knowledge", {"query": "parking", "property_id": prop}),
        ("lead_counts_by_source", {"property_id": prop}),
        ("funnel", {"property_id": prop}),
        ("list_units", {"property_id": prop}),
        ("get_property", {"property_id": prop}),
        ("generate_ad_copy", {"property_id": prop, "platform": "facebook"}),
    ]


def test_another_teams_ids_are_not_found_and_leak_nothing(in_a: World, bravo: Bravo) -> None:
    for name, args in _b_id_calls(bravo):
        outcome = run(in_a, name, args, role=Role.OWNER)
        assert outcome.status == "failed", (name, outcome)
        assert outcome.error in {"Lead not found.", "Property not found."}, (name, outcome.error)
        for secret in [*bravo.secrets(), *bravo.ids()]:
            assert secret not in json.dumps(outcome.for_model()), (name, secret)
    assert not PendingAction.objects.exists()
    assert not Task.objects.exists()


def test_malformed_ids_read_as_not_found(in_a: World) -> None:
    assert run(in_a, "get_lead", {"lead_id": "1 OR 1=1"}).error == "Lead not found."


def test_lists_show_only_the_teams_rows(in_a: World, bravo: Bravo) -> None:
    listings = [
        run(in_a, "search_leads", {}),
        run(in_a, "list_units", {"available_only": False}),
        run(in_a, "lead_counts_by_source", {}),
        run(in_a, "funnel", {}),
        run(in_a, "campaign_performance", {}),
    ]
    for outcome in listings:
        assert outcome.status == "executed"
        text = json.dumps(outcome.result)
        for secret in [*bravo.secrets(), *bravo.ids()]:
            assert secret not in text
    leads = listings[0].result["leads"]
    assert {lead["name"] for lead in leads} == {"Ada Lovelace", "Grace Hopper"}
    assert listings[2].result["total"] == 2


# --- Reading tools -------------------------------------------------------------------------------


def test_search_leads_filters_by_name_and_stage(in_a: World) -> None:
    result = run(in_a, "search_leads", {"query": "ada"}).result
    assert [lead["name"] for lead in result["leads"]] == ["Ada Lovelace"]
    assert run(in_a, "search_leads", {"stage": "leased"}).result["count"] == 0


def test_get_lead_shows_the_guest_card(in_a: World) -> None:
    result = run(in_a, "get_lead", {"lead_id": str(in_a.ada.pk)}).result
    assert result["name"] == "Ada Lovelace"
    assert result["property"]["name"] == "Maple Court"
    assert result["recent_activity"]


def test_list_units_filters_and_hides_occupied_units_by_default(in_a: World) -> None:
    result = run(in_a, "list_units", {"beds": 2}).result
    assert [unit["number"] for unit in result["units"]] == ["101"]
    assert run(in_a, "list_units", {}).result["count"] == 2
    assert run(in_a, "list_units", {"max_rent": 1500}).result["units"][0]["number"] == "102"


def test_get_property_and_integration_status(in_a: World) -> None:
    result = run(in_a, "get_property", {"property_id": str(in_a.property.pk)}).result
    assert result["name"] == "Maple Court"
    assert result["available_units"] == 2
    status = run(in_a, "integration_status", {}).result
    assert status["sms"]["connected"] is False
    assert "TWILIO" not in json.dumps(status)


def test_available_slots_follow_office_hours_and_busy_agents(in_a: World) -> None:
    start = next_open_slot(in_a.property)
    day = start.astimezone(in_a.property.tz).date()
    result = run(in_a, "available_tour_slots", {"property_id": str(in_a.property.pk), "date": day.isoformat()}).result
    assert result["timezone"] == "America/Chicago"
    assert start.isoformat() in result["slots"]
    Tour.objects.create(
        team=in_a.team.team, lead=in_a.ada, property=in_a.property, agent=in_a.agent, starts_at=start,
        ends_at=start + timedelta(minutes=30), busy_until=start + timedelta(minutes=45),
    )  # fmt: skip
    # The agent of the property is now busy then; the asking agent is the same person.
    after = run(in_a, "available_tour_slots", {"property_id": str(in_a.property.pk), "date": day.isoformat()}).result
    assert start.isoformat() not in after["slots"]


def test_search_knowledge_returns_passages_with_their_documents(maple_docs: World, bravo_docs: Bravo) -> None:
    from crm.teams.scoping import team_scope

    with team_scope(maple_docs.team.team):
        result = run(maple_docs, "search_knowledge", {"query": "garage parking cost"}).result
    titles = [passage["title"] for passage in result["passages"]]
    assert titles[0] == "Maple Court parking"
    assert "Bravo" not in json.dumps(result)
    assert all(passage["document_id"] for passage in result["passages"])


def test_campaign_performance_says_nothing_is_synced(in_a: World) -> None:
    result = run(in_a, "campaign_performance", {}).result
    assert result["campaigns"] == []
    assert "No campaigns synced yet" in result["notice"]


def test_generate_ad_copy_uses_the_marketing_service(in_a: World) -> None:
    outcome = run(in_a, "generate_ad_copy", {"property_id": str(in_a.property.pk), "platform": "facebook"})
    assert outcome.status == "executed"
    assert outcome.result["engine"] == "offline"
    assert len(outcome.result["variations"]) == 2


# --- Working tools ------------------------------------------------------------------------------------


def test_create_follow_up_adds_a_task_at_once(in_a: World) -> None:
    due = (timezone.now() + timedelta(days=1)).isoformat()
    outcome = run(
        in_a, "create_follow_up", {"lead_id": str(in_a.ada.pk), "title": "Call about the 2-bed", "due_at": due}
    )
    assert outcome.status == "executed"
    task = Task.objects.get()
    assert (task.lead, task.title, task.created_by) == (in_a.ada, "Call about the 2-bed", in_a.agent)


def test_create_follow_up_refuses_a_past_due_date(in_a: World) -> None:
    outcome = run(in_a, "create_follow_up", {"lead_id": str(in_a.ada.pk), "title": "x", "due_at": "2001-01-01T10:00"})
    assert (outcome.status, outcome.error) == ("failed", "Pick a due time in the future.")


def test_side_effect_tools_propose_instead_of_acting(in_a: World) -> None:
    start = next_open_slot(in_a.property)
    stage = run(in_a, "update_lead_stage", {"lead_id": str(in_a.ada.pk), "stage": "contacted"})
    tour = run(in_a, "schedule_tour", {"lead_id": str(in_a.ada.pk), "starts_at": start.isoformat()})
    assert (stage.status, tour.status) == ("pending_approval", "pending_approval")
    assert "Move Ada Lovelace from New to Contacted" in stage.result["summary"]
    assert "Book a tour of Maple Court for Ada Lovelace" in tour.result["summary"]
    assert Lead.objects.get(pk=in_a.ada.pk).stage == "new"
    assert not Tour.objects.exists()
    assert PendingAction.objects.count() == 2


def test_schedule_tour_checks_office_hours_before_proposing(in_a: World) -> None:
    day = next_open_slot(in_a.property).astimezone(in_a.property.tz).replace(hour=23, minute=0)
    outcome = run(in_a, "schedule_tour", {"lead_id": str(in_a.ada.pk), "starts_at": day.isoformat()})
    assert outcome.status == "failed"
    assert "closed" in outcome.error
    assert not PendingAction.objects.exists()


def test_a_team_policy_lets_a_tool_run_without_approval(in_a: World) -> None:
    AgentPolicy.objects.create(team=in_a.team.team, autonomous_tools=["schedule_tour"])
    start = next_open_slot(in_a.property)
    args = {"lead_id": str(in_a.ada.pk), "starts_at": start.isoformat()}
    outcome = run(in_a, "schedule_tour", args, lead_id=in_a.ada.pk)
    assert outcome.status == "executed"
    assert Tour.objects.get().lead == in_a.ada
    assert not PendingAction.objects.exists()
    # Another side-effect tool still waits.
    stage = run(in_a, "update_lead_stage", {"lead_id": str(in_a.ada.pk), "stage": "toured"}, lead_id=in_a.ada.pk)
    assert stage.status == "pending_approval"


def test_autonomy_covers_only_the_lead_in_context(in_a: World) -> None:
    AgentPolicy.objects.create(team=in_a.team.team, autonomous_tools=["schedule_tour"])
    start = next_open_slot(in_a.property)
    args = {"lead_id": str(in_a.grace.pk), "starts_at": start.isoformat(), "property_id": str(in_a.property.pk)}
    assert run(in_a, "schedule_tour", args, lead_id=in_a.ada.pk).status == "pending_approval"
    assert run(in_a, "schedule_tour", args).status == "pending_approval"  # no lead in context at all
    assert not Tour.objects.exists()


def test_a_property_policy_overrides_the_team_policy(in_a: World) -> None:
    AgentPolicy.objects.create(team=in_a.team.team, autonomous_tools=["schedule_tour"])
    AgentPolicy.objects.create(team=in_a.team.team, property=in_a.property, autonomous_tools=[])
    start = next_open_slot(in_a.property)
    outcome = run(
        in_a, "schedule_tour", {"lead_id": str(in_a.ada.pk), "starts_at": start.isoformat()}, lead_id=in_a.ada.pk
    )
    assert outcome.status == "pending_approval"


def test_send_message_goes_only_to_the_lead_in_context(in_a: World) -> None:
    body = {"lead_id": str(in_a.grace.pk), "body": "Hello"}
    assert run(in_a, "send_message", body).status == "refused"  # no lead in context
    assert run(in_a, "send_message", body, lead_id=in_a.ada.pk).status == "refused"  # another lead
    outcome = run(in_a, "send_message", {**body, "lead_id": str(in_a.ada.pk)}, lead_id=in_a.ada.pk)
    assert outcome.status == "pending_approval"
    assert PendingAction.objects.get().lead == in_a.ada


def test_draft_message_sends_nothing(in_a: World) -> None:
    from crm.inbox.models import Message

    outcome = run(in_a, "draft_message", {"lead_id": str(in_a.ada.pk), "body": "Hi Ada, want a tour?"})
    assert outcome.result["sent"] is False
    assert outcome.result["channel"] == "sms"
    assert not Message.objects.exists()


# --- Size caps ----------------------------------------------------------------------------------------


def test_results_are_capped_in_size() -> None:
    huge = {"leads": [{"name": "x" * 5_000, "notes": "y" * 5_000} for _ in range(100)]}
    capped = cap(huge)
    assert len(json.dumps(capped, ensure_ascii=False).encode()) <= MAX_RESULT_BYTES
    assert capped["truncated"] is True
    assert capped["leads"]


def test_a_long_lead_list_is_limited(in_a: World) -> None:
    for n in range(30):
        Lead.objects.create(team=in_a.team.team, first_name=f"Prospect{n}", notes="n" * 3_000)
    outcome = run(in_a, "search_leads", {"limit": 25})
    assert outcome.result["count"] == 25
    assert len(json.dumps(outcome.result).encode()) <= MAX_RESULT_BYTES
