"""check_outbound: staff are warned and decide; an agent's draft with findings is held for a person."""

from __future__ import annotations

import pytest

from crm.compliance.fair_housing import OutboundDecision, Sender, check_outbound
from crm.properties.models import Property
from tests.conftest import TeamWorld

DRAFT = "Hi! The studio is perfect for a single professional, and sorry, no vouchers."


def test_a_staff_message_with_findings_may_go_out_with_warnings(team_a: TeamWorld) -> None:
    decision = check_outbound(DRAFT, team=team_a.team, sender="staff")
    assert decision.allowed
    assert not decision.needs_review
    assert [f.phrase for f in decision.warnings] == ["perfect for a single professional", "no vouchers"]
    assert decision.summary == "Sent with 2 possible Fair Housing concerns (familial status, source of income)."


def test_an_agent_message_with_findings_is_held_for_review_with_a_rewrite_to_start_from(team_a: TeamWorld) -> None:
    decision = check_outbound(DRAFT, team=team_a.team, sender=Sender.AGENT)
    assert not decision.allowed
    assert decision.needs_review
    assert decision.warnings == []
    assert len(decision.findings) == 2
    assert decision.summary == "Held for review: 2 possible Fair Housing concerns (familial status, source of income)."
    assert decision.result.rewrite() == (
        "Hi! The studio is perfect for anyone, and sorry, all lawful sources of income considered."
    )


@pytest.mark.parametrize("sender", ["staff", "agent"])
def test_a_clean_message_goes_out_from_anyone(team_a: TeamWorld, sender: str) -> None:
    decision = check_outbound("Tours are open Saturday 10 to 4. See you then!", team=team_a.team, sender=sender)
    assert decision == OutboundDecision(allowed=True, sender=Sender(sender), result=decision.result)
    assert decision.result.ok
    assert decision.summary == "No Fair Housing concerns."


def test_an_agent_may_describe_qualified_housing_for_older_persons(senior_property: Property) -> None:
    decision = check_outbound(
        "Yes, we're a 55+ community.", team=senior_property.team, sender="agent", property=senior_property
    )
    assert decision.allowed


def test_an_unknown_sender_is_refused_rather_than_guessed(team_a: TeamWorld) -> None:
    with pytest.raises(ValueError, match="'bot' is not a valid Sender"):
        check_outbound("Hello", team=team_a.team, sender="bot")
