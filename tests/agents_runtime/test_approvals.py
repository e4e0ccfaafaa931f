"""Approving and rejecting what an agent proposed: once, by the right people, with fresh checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from agents.models import AgentActivity, PendingAction
from agents.runtime import run_turn
from agents.services.approvals import ApprovalRefused, approve, pending_actions, reject
from crm.inbox.models import Channel, ConsentSource, ConsentState, Message
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead, Tour
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.agents_runtime.conftest import Bravo, World, next_open_slot
from tests.agents_runtime.scripted import ScriptedModel, call, say


def propose(world: World, tool: str, args: dict[str, object], **context: object) -> PendingAction:
    model = ScriptedModel(call(tool, args), say("Waiting for approval."))
    result = run_turn(
        agent="leasing",
        team=world.team.team,
        user=world.agent,
        message="do it",
        context={key: str(value) for key, value in context.items()},
        model=model,
    )
    assert result.tool_calls[0]["status"] == "pending_approval", result.tool_calls
    with team_scope(world.team.team):
        return PendingAction.objects.get(pk=result.pending_actions[0]["id"])


@pytest.fixture
def tour_action(world: World) -> PendingAction:
    start = next_open_slot(world.property)
    return propose(world, "schedule_tour", {"lead_id": str(world.ada.pk), "starts_at": start.isoformat()})


def test_approving_books_the_tour_once_and_records_it(world: World, tour_action: PendingAction) -> None:
    manager = world.user(Role.MANAGER)
    with team_scope(world.team.team):
        assert list(pending_actions()) == [tour_action]
        done = approve(tour_action, manager)
        again = approve(tour_action, manager)
        tour = Tour.objects.get()
        assert (done.status, again.status) == ("approved", "approved")
        assert (tour.lead, tour.created_by, tour.agent) == (world.ada, manager, world.agent)
        assert Tour.objects.count() == 1
        assert Lead.objects.get(pk=world.ada.pk).stage == "tour_scheduled"
        assert done.decided_by == manager
        assert done.result["tour_id"] == str(tour.pk)
        assert list(pending_actions()) == []
        rows = list(AgentActivity.objects.filter(kind="approval"))
    assert [(row.status, row.user, row.tool) for row in rows] == [("executed", manager, "schedule_tour")]


def test_rejecting_does_nothing_but_record_the_decision(world: World, tour_action: PendingAction) -> None:
    with team_scope(world.team.team):
        done = reject(tour_action, world.agent, "Ada asked for Tuesday instead.")
        assert (done.status, done.error) == ("rejected", "Ada asked for Tuesday instead.")
        assert approve(tour_action, world.agent).status == "rejected"  # a decided action stays decided
        assert not Tour.objects.exists()
        assert AgentActivity.objects.get(kind="approval").status == "refused"


def test_an_expired_action_cannot_be_approved(world: World, tour_action: PendingAction) -> None:
    with team_scope(world.team.team):
        PendingAction.objects.filter(pk=tour_action.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        done = approve(tour_action, world.agent)
        assert done.status == "expired"
        assert not Tour.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_viewer_cannot_approve(world: World, tour_action: PendingAction, role: str) -> None:
    with team_scope(world.team.team), pytest.raises(ApprovalRefused):
        approve(tour_action, world.user(role))
    with team_scope(world.team.team):
        assert PendingAction.objects.get().status == "pending"
        assert not Tour.objects.exists()


def test_a_member_of_another_team_cannot_approve(world: World, bravo: Bravo, tour_action: PendingAction) -> None:
    with team_scope(world.team.team), pytest.raises(ApprovalRefused):
        approve(tour_action, bravo.team.user(Role.OWNER))
    with team_scope(bravo.team.team), pytest.raises(PendingAction.DoesNotExist):
        PendingAction.objects.get(pk=tour_action.pk)


def test_a_failed_effect_is_recorded_and_not_retried(world: World, tour_action: PendingAction) -> None:
    with team_scope(world.team.team):
        start = tour_action.arguments["starts_at"]
        # Someone booked the agent at that time since the proposal.
        other = propose(world, "schedule_tour", {"lead_id": str(world.grace.pk), "starts_at": start,
                                                  "property_id": str(world.property.pk)})  # fmt: skip
        approve(other, world.agent)
        done = approve(tour_action, world.agent)
        assert done.status == "failed"
        assert "already has a tour" in done.error
        assert Tour.objects.count() == 1
        assert approve(tour_action, world.agent).status == "failed"


def test_approving_a_stage_change_moves_the_lead(world: World) -> None:
    action = propose(
        world, "update_lead_stage", {"lead_id": str(world.ada.pk), "stage": "lost", "lost_reason": "price"}
    )
    with team_scope(world.team.team):
        approve(action, world.agent)
        ada = Lead.objects.get(pk=world.ada.pk)
    assert (ada.stage, ada.lost_reason) == ("lost", "price")


def test_approving_a_message_sends_it_to_the_lead_in_context(world: World) -> None:
    action = propose(
        world, "send_message", {"lead_id": str(world.ada.pk), "body": "Hi Ada, your tour is confirmed."},
        lead_id=world.ada.pk,
    )  # fmt: skip
    with team_scope(world.team.team):
        done = approve(action, world.user(Role.MANAGER))
        message = Message.objects.get()
    assert done.status == "approved"
    assert (message.lead, message.to_address, message.sent_by_agent) == (world.ada, "+15125550100", "leasing")
    assert message.sent_by == world.user(Role.MANAGER)


def test_consent_is_checked_again_when_a_message_is_approved(world: World) -> None:
    action = propose(world, "send_message", {"lead_id": str(world.ada.pk), "body": "Hi Ada!"}, lead_id=world.ada.pk)
    with team_scope(world.team.team):
        record_consent(world.ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
        done = approve(action, world.agent)
        assert done.status == "failed"
        assert "opted out" in done.error
        assert not Message.objects.exists()


def test_pending_actions_are_per_team(world: World, bravo: Bravo, tour_action: PendingAction) -> None:
    with team_scope(bravo.team.team):
        assert list(pending_actions()) == []
    with scopes_disabled():
        assert PendingAction.objects.get().team == world.team.team
