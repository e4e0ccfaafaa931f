"""Queries per agent turn, excluding the model: a fixed handful, whatever the team's size.

Counted inside the test transaction, so each tool call shows its savepoint pair (two statements
that cost next to nothing). In autocommit (benchmarks/agent_overhead.py) the pairs are gone and
the audit insert brings its own transaction with ``SET LOCAL synchronous_commit``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.runtime import run_turn
from crm.leads.models import Lead
from crm.teams.scoping import team_scope
from tests.agents_runtime.conftest import World
from tests.agents_runtime.scripted import ScriptedModel, call, say
from tests.factories import UnitFactory


def scenarios(world: World) -> dict[str, list[Any]]:
    return {
        "answer only": [say("Hello!")],
        "one tool call": [call("list_units", {}), say("ok")],
        "three-step loop": [
            call("search_leads", {"query": "Ada"}),
            call("get_lead", {"lead_id": str(world.ada.pk)}),
            call("list_units", {"beds": 2}),
            say("ok"),
        ],
    }


def queries(world: World, steps: list[Any], *, context: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        run_turn(
            agent="leasing", team=world.team.team, user=world.agent, message="hi", context=context,
            model=ScriptedModel(*steps),
        )  # fmt: skip
    return len(captured)


# membership role, policy, the audit insert; + the lead in context; + savepoint pair and reads per tool
EXPECTED = {"answer only": 3, "one tool call": 6, "three-step loop": 14}


@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_a_turn_costs_a_fixed_number_of_queries(world: World, scenario: str) -> None:
    steps = scenarios(world)[scenario]
    queries(world, steps)  # warm the tool registry and the prompt cache
    assert queries(world, scenarios(world)[scenario]) == EXPECTED[scenario]
    assert queries(world, scenarios(world)[scenario], context={"lead_id": str(world.ada.pk)}) == EXPECTED[scenario] + 1


def test_the_count_does_not_grow_with_the_team(world: World) -> None:
    before = queries(world, scenarios(world)["three-step loop"])
    with team_scope(world.team.team):
        for n in range(40):
            Lead.objects.create(team=world.team.team, first_name=f"Ada{n}", property=world.property)
            UnitFactory(property=world.property, number=f"9{n:02d}", beds=2)
    assert queries(world, scenarios(world)["three-step loop"]) == before
