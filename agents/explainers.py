"""Model-written sentences that sit beside rule-based results, never in place of them.

``ScoreExplainer`` implements ``crm.leads.scoring.ExplanationModel``: it sees the score and its
factors (no name, contact, notes or free text from the lead) and returns one plain sentence. The
number is computed before it is called and is not sent back through it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings

from agents.llm import complete_json

if TYPE_CHECKING:
    from crm.leads.scoring import ExplanationModel, Factor
    from crm.teams.models import Team

SYSTEM = (
    "You explain a rental prospect's lead score to a leasing agent in one short, neutral sentence "
    "(at most 35 words) that suggests the most useful next step. Use only the factors given. Never "
    "mention or guess at personal characteristics (race, religion, sex, disability, family status, "
    "national origin, age) and do not restate the score."
)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"sentence": {"type": "string"}},
    "required": ["sentence"],
    "additionalProperties": False,
}
# On-demand rescoring happens inside a web request: a slow model must not hold it up for long.
TIMEOUT_SECONDS = 8.0


class ScoreExplainer:
    def __init__(self, team: Team | None = None) -> None:
        self.team = team

    def explain_score(self, *, score: int, factors: Sequence[Factor]) -> str:
        facts = [
            {"factor": f.name, "points": f.contribution, "out_of": f.weight, "measured": f.detail} for f in factors
        ]
        answer = complete_json(
            system=SYSTEM,
            user=json.dumps({"score": score, "factors": facts}),
            schema=SCHEMA,
            name="score_explanation",
            team=self.team,
            timeout=TIMEOUT_SECONDS,
        )
        return str(answer.get("sentence", "")).strip()


def score_explainer(team: Team | None = None) -> ExplanationModel | None:
    """A model-backed explainer when an LLM is configured, else None (rule-based text only)."""
    return ScoreExplainer(team) if settings.OPENAI_ENABLED else None
