"""Intent routing without a model: weighted phrase features, deterministic and fast.

``classify`` scores every intent (see ``agents.offline.intents``), picks the best, and for the
questions that depend on who is asking (what is available, what it costs, what the policy is)
lets the speaker cues decide: a prospect's question goes to the leasing agent, the same question
from staff to the property agent. Nothing scoring at least ``MIN_SCORE`` is ``unknown``, with
a low confidence, and the caller answers honestly that it cannot help offline.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from agents.offline.intents import FEATURES, INTENT_AGENTS, PROSPECT, STAFF, TOPICS
from agents.offline.text import normalise, stems

AGENTS = ("leasing", "marketing", "property")
MIN_SCORE = 1.5  # a greeting on its own; any single weak cue is below it
FALLBACK_AGENT = "leasing"  # the agent that faces prospects answers what nobody else claims
MARKETING_INTENTS = frozenset(intent for intent, agent in INTENT_AGENTS.items() if agent == "marketing")


@dataclass(frozen=True)
class Route:
    agent: str
    intent: str
    confidence: float


# "text her: the pet deposit is $300" is about texting, not about pets: what follows the colon
# (or "saying") is the message to send, and only the instruction before it is classified.
_DICTATION = re.compile(
    r"^\s*(?:(?:please|pls|can you|could you)\s+)?(?:text|sms|email|e-mail|message|msg|draft|reply|send|tell)\b"
    r"[^:]{0,80}?(?::|\bsaying\b|\bthat says\b)",
    re.I,
)


def instruction(message: str) -> str:
    """The part of ``message`` that says what to do (a dictated message body is cut off)."""
    dictated = _DICTATION.match(message)
    return dictated.group(0) if dictated else message


def scores(message: str) -> dict[str, float]:
    """Every target's summed feature weight (intents, topics and the speaker cues)."""
    message = instruction(message)
    normalised = normalise(message)
    texts = {"original": message, "normalised": normalised, "stems": stems(normalised)}
    totals: dict[str, float] = {}
    for feature in FEATURES:
        if feature.pattern.search(texts[feature.space]):
            totals[feature.target] = totals.get(feature.target, 0.0) + feature.weight
    return totals


def classify(message: str) -> Route:
    totals = scores(message)
    prospect, staff = totals.pop(PROSPECT, 0.0), totals.pop(STAFF, 0.0)
    if prospect > staff:
        # Prospects do not ask about campaigns or funnels: "I saw your listing on Zillow" is a
        # question about an apartment, not about the listing's performance.
        for target in MARKETING_INTENTS.intersection(totals):
            totals[target] *= 0.5
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    if not ranked or ranked[0][1] < MIN_SCORE:
        top = ranked[0][1] if ranked else 0.0
        return Route(FALLBACK_AGENT, "unknown", round(min(0.2, 0.1 * top), 3))
    target, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Strength grows with the evidence, then is discounted by how close the runner-up came.
    confidence = (1.0 - math.exp(-best / 2.5)) * (0.5 + 0.5 * (best - runner_up) / best)
    if target in TOPICS:
        for_prospect, for_staff, on_tie = TOPICS[target]
        if prospect == staff:
            asker = on_tie
            confidence *= 0.85
        else:
            asker = PROSPECT if prospect > staff else STAFF
        agent, intent = for_prospect if asker == PROSPECT else for_staff
    else:
        agent, intent = INTENT_AGENTS[target], target
    return Route(agent, intent, round(min(1.0, confidence), 3))
