"""The language-model engine: a prompt built from the property's facts, JSON back in a fixed shape.

The schema fixes the shape (and Meta's buttons, as an enum); the lengths are stated in the
prompt and the schema descriptions, because strict structured output does not enforce string
lengths on every OpenAI-compatible server. ``platforms.normalize_variation`` enforces them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from agents.llm import LLMBadAnswer, complete_json
from crm.marketing.facts import PropertyFacts
from crm.marketing.platforms import (
    GOOGLE_DESCRIPTION_MAX,
    GOOGLE_DESCRIPTIONS_MAX,
    GOOGLE_DESCRIPTIONS_MIN,
    GOOGLE_HEADLINE_MAX,
    GOOGLE_HEADLINES_MAX,
    GOOGLE_HEADLINES_MIN,
    META_DESCRIPTION_MAX,
    META_HEADLINE_MAX,
    META_PRIMARY_TEXT_MAX,
    CallToAction,
    Objective,
    Platform,
    Tone,
)

if TYPE_CHECKING:
    from crm.teams.models import Team

SYSTEM = """You write rental apartment ads for a property management company.

Rules you must follow:
- Use only the facts given. Never invent prices, specials, amenities, distances or dates.
- Fair Housing: describe the property and the homes, never the people who should live there.
  No words about race, colour, religion, sex, disability, familial status, national origin, age,
  or any other protected class, directly or indirectly ("family-friendly", "perfect for
  singles", "ideal for young professionals", "Christian community", "no kids", "able-bodied",
  "safe neighborhood", "exclusive"). Do not name churches, schools or clubs as attractions.
- Stay within every character limit; count characters, spaces included.
- Plain text only: no emoji, no hashtags, no markdown."""

PLATFORM_RULES = {
    "google": (
        f"Google responsive search ads: each variation has {GOOGLE_HEADLINES_MIN} to {GOOGLE_HEADLINES_MAX} "
        f"different headlines of at most {GOOGLE_HEADLINE_MAX} characters (no exclamation marks) and "
        f"{GOOGLE_DESCRIPTIONS_MIN} to {GOOGLE_DESCRIPTIONS_MAX} descriptions of at most "
        f"{GOOGLE_DESCRIPTION_MAX} characters. Aim for 8 to 10 headlines and 3 descriptions."
    ),
    "meta": (
        f"Meta (Facebook and Instagram) ads: primary text of at most {META_PRIMARY_TEXT_MAX} characters, "
        f"a headline of at most {META_HEADLINE_MAX}, a description of at most {META_DESCRIPTION_MAX}, "
        "and a call to action from the allowed list. These are housing ads in Meta's Special Ad Category."
    ),
}


def _text(limit: int, what: str) -> dict[str, Any]:
    return {"type": "string", "description": f"{what}, at most {limit} characters."}


def variation_schema(platform: str) -> dict[str, Any]:
    if Platform(platform).is_meta:
        properties: dict[str, Any] = {
            "primary_text": _text(META_PRIMARY_TEXT_MAX, "The main text above the image"),
            "headline": _text(META_HEADLINE_MAX, "The bold line under the image"),
            "description": _text(META_DESCRIPTION_MAX, "The line under the headline"),
            "call_to_action": {"type": "string", "enum": list(CallToAction.values)},
        }
    else:
        properties = {
            "headlines": {"type": "array", "items": _text(GOOGLE_HEADLINE_MAX, "A headline")},
            "descriptions": {"type": "array", "items": _text(GOOGLE_DESCRIPTION_MAX, "A description")},
        }
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def answer_schema(platform: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"variations": {"type": "array", "items": variation_schema(platform)}},
        "required": ["variations"],
        "additionalProperties": False,
    }


def user_prompt(
    *, facts: PropertyFacts, platform: str, objective: str, tone: str, count: int, feedback: list[str]
) -> str:
    rules = PLATFORM_RULES["meta" if Platform(platform).is_meta else "google"]
    lines = [
        f"Write {count} different ad variation{'s' if count != 1 else ''} for {Platform(platform).label}.",
        rules,
        f"Campaign objective: {Objective(objective).label}. Tone: {Tone(tone).label}.",
        "Property facts (JSON; the only facts you may use):",
        json.dumps(facts.as_prompt(), ensure_ascii=False, indent=2),
    ]
    if feedback:
        lines.append("Earlier variations were rejected. Do not repeat these problems:")
        lines.extend(f"- {item}" for item in feedback)
    return "\n".join(lines)


def llm_variations(
    *,
    facts: PropertyFacts,
    platform: str,
    objective: str,
    tone: str,
    count: int,
    team: Team | None,
    feedback: list[str] | None = None,
    timeout: float | None = None,
) -> list[Any]:
    """Raw variations from the model (unchecked); raises ``agents.llm.LLMError`` without an answer."""
    answer = complete_json(
        system=SYSTEM,
        user=user_prompt(
            facts=facts, platform=platform, objective=objective, tone=tone, count=count, feedback=feedback or []
        ),
        schema=answer_schema(platform),
        name="ad_copy",
        team=team,
        timeout=timeout,
    )
    variations = answer.get("variations")
    if not isinstance(variations, list):
        raise LLMBadAnswer("The language model's answer has no variations.")
    return variations
