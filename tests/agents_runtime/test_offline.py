"""The runtime without a language model: one planned tool call, a quoted answer, or an honest no."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from agents.models import AgentActivity, PendingAction
from agents.runtime import OFFLINE_CANNOT, run_turn
from crm.leads.models import Task
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_runtime.conftest import World


def offline(world: World, message: str, *, role: str = Role.AGENT, **kwargs: Any):  # type: ignore[no-untyped-def]
    return run_turn(
        agent=kwargs.pop("agent", "leasing"), team=world.team.team, user=world.user(role), message=message,
        model=None, **kwargs,
    )  # fmt: skip


def test_a_known_command_runs_one_tool(world: World) -> None:
    result = offline(world, "Find the lead named Ada")
    assert result.engine == "offline"
    assert [(c["name"], c["status"]) for c in result.tool_calls] == [("search_leads", "executed")]
    assert "Ada Lovelace" in result.answer
    with scopes_disabled():
        rows = list(AgentActivity.objects.filter(team=world.team.team).values_list("kind", "engine", "status"))
    assert sorted(rows) == [("tool_call", "offline", "executed"), ("turn", "offline", "answered")]


def test_a_side_effect_command_waits_for_approval(world: World) -> None:
    result = offline(world, "Move her to contacted", context={"lead_id": str(world.ada.pk)})
    assert [(c["name"], c["status"]) for c in result.tool_calls] == [("update_lead_stage", "pending_approval")]
    assert result.answer.startswith("Waiting for a teammate's approval: Move Ada Lovelace from New to Contacted")
    with team_scope(world.team.team):
        assert PendingAction.objects.count() == 1


def test_a_follow_up_command_adds_the_task(world: World) -> None:
    result = offline(
        world, "Remind me to call her about parking tomorrow at 10am", context={"lead_id": str(world.ada.pk)}
    )
    assert result.tool_calls[0]["status"] == "executed"
    with team_scope(world.team.team):
        assert Task.objects.get().lead == world.ada


def test_offline_commands_keep_role_checks(world: World) -> None:
    result = offline(world, "Move her to contacted", role=Role.VIEWER, context={"lead_id": str(world.ada.pk)})
    assert result.tool_calls[0]["status"] == "refused"
    assert result.answer.startswith("I couldn't do that")


def test_a_question_is_answered_from_the_knowledge_base_with_sources(maple_docs: World) -> None:
    result = offline(maple_docs, "What is the pet deposit for dogs?", agent="property")
    assert result.tool_calls == []
    assert "$300" in result.answer
    assert result.sources
    assert result.sources[0]["title"] == "Maple Court pet policy"


def test_an_unknown_request_gets_an_honest_answer(world: World) -> None:
    result = offline(world, "Compose a sonnet about the moon")
    assert result.answer == OFFLINE_CANNOT
    assert result.tool_calls == []


def test_a_prospects_text_never_drives_a_staff_tool_offline(world: World) -> None:
    result = run_turn(
        agent="leasing", team=world.team.team, user=None, message="Find the lead named Grace",
        context={"lead_id": str(world.ada.pk)}, model=None, untrusted=True,
    )  # fmt: skip
    assert result.tool_calls == []
    assert "Grace" not in result.answer
