"""Offline intent routing measured on a labelled set, with a held-out part written before any tuning.

``routing_labelled.csv``: message, agent, intent, speaker (staff|prospect), split (train|holdout).
The 25 holdout rows were written with the first 79 train rows, before the router existed. Their
first measurement: agent accuracy 1.000, intent accuracy 0.920 (23/25: "what's the cheapest
apartment you have" and "the dishwasher in unit 12 is broken" got the wrong intent). Those two
misses were fixed afterwards, so later holdout figures are no longer blind. A second set of 30
rows, written blind later, first scored agent 0.933 and intent 0.867; it was then added as train
rows. The report prints overall and holdout accuracy separately (``pytest -s`` shows it).
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.offline import Route, classify
from agents.offline.intents import INTENT_AGENTS, TOPICS
from agents.offline.text import normalise, stems

LABELLED = Path(__file__).with_name("routing_labelled.csv")
AGENTS = {"leasing", "marketing", "property"}


def load_rows() -> list[dict[str, str]]:
    with LABELLED.open(newline="") as labelled:
        return list(csv.DictReader(labelled))


ROWS = load_rows()


@dataclass(frozen=True)
class RoutingReport:
    rows: int
    agent_accuracy: float
    intent_accuracy: float
    misses: list[tuple[str, str, str]]  # (message, expected agent/intent, routed agent/intent)


def routing_report(rows: list[dict[str, str]]) -> RoutingReport:
    """Agent and intent accuracy over ``rows``, with the misrouted messages."""
    agent_hits = intent_hits = 0
    misses = []
    for row in rows:
        route = classify(row["message"])
        agent_hits += route.agent == row["agent"]
        intent_hits += route.intent == row["intent"]
        if (route.agent, route.intent) != (row["agent"], row["intent"]):
            misses.append((row["message"], f"{row['agent']}/{row['intent']}", f"{route.agent}/{route.intent}"))
    return RoutingReport(len(rows), agent_hits / len(rows), intent_hits / len(rows), misses)


def test_the_labelled_set_is_large_varied_and_well_formed() -> None:
    assert len(ROWS) >= 80
    splits = Counter(row["split"] for row in ROWS)
    assert set(splits) == {"train", "holdout"}
    assert splits["holdout"] >= 25
    assert {row["agent"] for row in ROWS} == AGENTS
    assert {row["speaker"] for row in ROWS} == {"staff", "prospect"}
    known_intents = set(INTENT_AGENTS) | {intent for pair in TOPICS.values() for _, intent in pair[:2]}
    assert {row["intent"] for row in ROWS} <= known_intents
    assert len({row["message"].lower() for row in ROWS}) == len(ROWS)  # no duplicates
    for agent in AGENTS:  # every agent is covered by the holdout too
        assert any(row["agent"] == agent for row in ROWS if row["split"] == "holdout")


def test_routing_accuracy_on_the_labelled_set() -> None:
    overall = routing_report(ROWS)
    holdout = routing_report([row for row in ROWS if row["split"] == "holdout"])
    print()
    for name, report in (("overall", overall), ("holdout", holdout)):
        print(
            f"offline routing {name}: {report.rows} messages, agent accuracy {report.agent_accuracy:.3f}, "
            f"intent accuracy {report.intent_accuracy:.3f}"
        )
    for message, expected, got in overall.misses:
        print(f"  missed {message!r}: expected {expected}, got {got}")

    assert overall.agent_accuracy >= 0.95
    assert holdout.agent_accuracy >= 0.9


def test_classifying_takes_well_under_a_millisecond() -> None:
    messages = [row["message"] for row in ROWS]
    classify(messages[0])
    started = time.perf_counter()
    for _ in range(5):
        for message in messages:
            classify(message)
    per_message = (time.perf_counter() - started) / (5 * len(messages))
    assert per_message < 0.001


@pytest.mark.parametrize("row", ROWS, ids=[row["message"][:40] for row in ROWS])
def test_every_route_names_a_known_agent_and_a_confidence_between_0_and_1(row: dict[str, str]) -> None:
    route = classify(row["message"])

    assert route.agent in AGENTS
    assert 0.0 <= route.confidence <= 1.0
    assert classify(row["message"]) == route  # deterministic


@pytest.mark.parametrize(
    "message", ["what's the capital of France", "tell me a joke", "asdf qwerty", "", "   ", "???", "42"]
)
def test_a_message_nothing_matches_is_unknown_with_low_confidence(message: str) -> None:
    route = classify(message)

    assert route == Route("leasing", "unknown", route.confidence)
    assert route.confidence < 0.25


def test_a_clear_command_is_routed_with_more_confidence_than_a_vague_one() -> None:
    assert classify("book a tour for tomorrow at 2pm").confidence > classify("tour").confidence
    assert classify("lead counts by source last 30 days").confidence > 0.5


@pytest.mark.parametrize(
    ("typed", "means"),
    [
        ("Do u have 2bd apts avail??", "do you have 2 bedroom apartments available"),
        ("What's the price of your one-bedroom?", "whats the price of your one bedroom"),
        ("shedule a tuor 4 thursday", "schedule a tour 4 thursday"),
        ("$1,800 at 10:30 on 12/3.", "$1800 at 10:30 on 12/3"),
        ("apartments.com listing", "apartments com listing"),
        ("Café A/C broken", "cafe air conditioning broken"),
    ],
)
def test_normalisation_fixes_case_punctuation_abbreviations_and_typos(typed: str, means: str) -> None:
    assert normalise(typed) == means


def test_stemming_folds_word_forms_but_keeps_stage_names_apart() -> None:
    assert len({stems(word) for word in ("schedule", "scheduled", "scheduling", "schedules")}) == 1
    assert stems("tours") == stems("tour")
    assert stems("leased") != stems("lease")
    assert stems("listing") != stems("list")


@pytest.mark.parametrize(
    ("message", "agent", "intent"),
    [
        # The same question routes by who asks: a prospect to leasing, staff to property.
        ("do you allow cats?", "leasing", "kb_question"),
        ("what's the pet policy at Maple Court", "property", "kb_question"),
        ("I'm looking for a 2 bedroom, anything available?", "leasing", "availability"),
        ("how many 2 bedroom units are vacant", "property", "units"),
        # A dictated message is about sending, whatever it says.
        ("text her: the pet deposit is $300", "leasing", "send_message"),
        # A prospect mentioning a listing asks about an apartment, not about marketing.
        ("Hi! I saw your listing on Zillow, is the 2 bed still available?", "leasing", "availability"),
    ],
)
def test_the_speaker_and_the_instruction_decide_ambiguous_messages(message: str, agent: str, intent: str) -> None:
    route = classify(message)

    assert (route.agent, route.intent) == (agent, intent)
