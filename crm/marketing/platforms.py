"""What each ad platform accepts: the shape of a variation, its length limits, Meta's buttons.

Both engines (templates and the language model) go through ``normalize_variation``: whatever
they produce is cleaned, trimmed on word boundaries and checked here, so no copy that breaks a
platform's limits leaves this app.

Limits enforced (characters, as the platforms count them for Latin text):

- Google responsive search ads: 3 to 15 headlines of at most 30, 2 to 4 descriptions of at most 90,
  no duplicate headlines, no "!" in headlines (Google's editorial policy).
- Meta (Facebook and Instagram): primary text at most 125 (what shows before "See more"; Meta
  accepts more but cuts it off in the feed, so 125 is our hard cap), headline at most 40,
  description at most 30, and a call to action from Meta's button list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    GOOGLE = "google", "Google Search"

    @property
    def is_meta(self) -> bool:
        return self in (Platform.FACEBOOK, Platform.INSTAGRAM)


class Objective(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    TRAFFIC = "traffic", "Website visits"
    LEADS = "leads", "Leads (guest cards)"
    TOURS = "tours", "Tours"


class Tone(models.TextChoices):
    FRIENDLY = "friendly", "Friendly"
    PROFESSIONAL = "professional", "Professional"
    UPSCALE = "upscale", "Upscale"
    URGENT = "urgent", "Urgent"


class Engine(models.TextChoices):
    OFFLINE = "offline", "Offline templates"
    LLM = "llm", "AI model"


class CallToAction(models.TextChoices):
    """The buttons of Meta's ``call_to_action.type`` list that suit a rental listing."""

    LEARN_MORE = "LEARN_MORE", "Learn more"
    APPLY_NOW = "APPLY_NOW", "Apply now"
    CONTACT_US = "CONTACT_US", "Contact us"
    SIGN_UP = "SIGN_UP", "Sign up"
    CALL_NOW = "CALL_NOW", "Call now"
    MESSAGE_PAGE = "MESSAGE_PAGE", "Send message"
    GET_DIRECTIONS = "GET_DIRECTIONS", "Get directions"
    GET_OFFER = "GET_OFFER", "Get offer"


# Used when a model's button is not on the list: the natural one for what the ad is for.
DEFAULT_CTA = {
    Objective.AWARENESS: CallToAction.LEARN_MORE,
    Objective.TRAFFIC: CallToAction.LEARN_MORE,
    Objective.LEADS: CallToAction.SIGN_UP,
    Objective.TOURS: CallToAction.CONTACT_US,
}

GOOGLE_HEADLINE_MAX = 30
GOOGLE_DESCRIPTION_MAX = 90
GOOGLE_HEADLINES_MIN, GOOGLE_HEADLINES_MAX = 3, 15
GOOGLE_DESCRIPTIONS_MIN, GOOGLE_DESCRIPTIONS_MAX = 2, 4
META_PRIMARY_TEXT_MAX = 125
META_HEADLINE_MAX = 40
META_DESCRIPTION_MAX = 30

MAX_VARIATIONS = 5


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    limit: int
    many: bool = False
    min_items: int = 1
    max_items: int = 1


GOOGLE_FIELDS = (
    FieldSpec("headlines", "Headlines", GOOGLE_HEADLINE_MAX, True, GOOGLE_HEADLINES_MIN, GOOGLE_HEADLINES_MAX),
    FieldSpec(
        "descriptions", "Descriptions", GOOGLE_DESCRIPTION_MAX, True, GOOGLE_DESCRIPTIONS_MIN, GOOGLE_DESCRIPTIONS_MAX
    ),
)
META_FIELDS = (
    FieldSpec("primary_text", "Primary text", META_PRIMARY_TEXT_MAX),
    FieldSpec("headline", "Headline", META_HEADLINE_MAX),
    FieldSpec("description", "Description", META_DESCRIPTION_MAX),
)


def text_fields(platform: str) -> tuple[FieldSpec, ...]:
    """The free-text fields of a variation (Meta's call to action is a fixed button, not text)."""
    return META_FIELDS if Platform(platform).is_meta else GOOGLE_FIELDS


def limits(platform: str) -> dict[str, int]:
    return {spec.key: spec.limit for spec in text_fields(platform)}


# --- Trimming --------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A trimmed phrase must not end on a word that needs a continuation ("from", "and", ...).
_DANGLING = {
    "a", "an", "and", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "your", "our",
}  # fmt: skip
_TRAILING_JUNK = " ,;:-\u2013\u2014&/|\u00b7+("  # spaces, punctuation, dashes, bullets


def squash(text: Any) -> str:
    """One line, single spaces: ad fields are plain text."""
    return " ".join(str(text or "").split())


def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a sentence or word boundary, never mid-word.

    Whole sentences are kept when they fit; otherwise words are dropped from the end, with any
    dangling connector or punctuation. Returns "" when not even the first word fits.
    """
    text = squash(text)
    if len(text) <= limit:
        return text
    sentences = _SENTENCE_END.split(text)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    words = sentences[0].split(" ")
    while words and len(" ".join(words)) > limit:
        words.pop()
    while words:
        last = words[-1].rstrip(_TRAILING_JUNK)
        if not last or last.lower() in _DANGLING:
            words.pop()
            continue
        words[-1] = last
        break
    return " ".join(words)


# --- Normalising a variation ------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int | float)]
    return []


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _normalize_google(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    # Google refuses "!" in headlines and repeated punctuation anywhere.
    headlines = [fit(squash(h).replace("!", "").strip(), GOOGLE_HEADLINE_MAX) for h in _as_list(raw.get("headlines"))]
    descriptions = [
        fit(re.sub(r"([!?.])\1+", r"\1", squash(d)), GOOGLE_DESCRIPTION_MAX) for d in _as_list(raw.get("descriptions"))
    ]
    variation = {
        "headlines": _unique(headlines)[:GOOGLE_HEADLINES_MAX],
        "descriptions": _unique(descriptions)[:GOOGLE_DESCRIPTIONS_MAX],
    }
    problems = []
    if len(variation["headlines"]) < GOOGLE_HEADLINES_MIN:
        problems.append(
            f"needs at least {GOOGLE_HEADLINES_MIN} different headlines of up to {GOOGLE_HEADLINE_MAX} characters"
        )
    if len(variation["descriptions"]) < GOOGLE_DESCRIPTIONS_MIN:
        problems.append(
            f"needs at least {GOOGLE_DESCRIPTIONS_MIN} different descriptions "
            f"of up to {GOOGLE_DESCRIPTION_MAX} characters"
        )
    return variation, problems


def _normalize_meta(raw: dict[str, Any], objective: str) -> tuple[dict[str, Any], list[str]]:
    variation: dict[str, Any] = {spec.key: fit(squash(raw.get(spec.key)), spec.limit) for spec in META_FIELDS}
    cta = squash(raw.get("call_to_action")).upper().replace(" ", "_")
    variation["call_to_action"] = cta if cta in CallToAction.values else DEFAULT_CTA[Objective(objective)].value
    problems = [
        f"needs a {spec.label.lower()} of up to {spec.limit} characters"
        for spec in META_FIELDS
        if not variation[spec.key]
    ]
    return variation, problems


def normalize_variation(platform: str, objective: str, raw: Any) -> tuple[dict[str, Any], list[str]]:
    """Clean and trim a variation to the platform's shape and limits.

    Returns the variation and what is still wrong with it (empty when it is ready to use).
    """
    if not isinstance(raw, dict):
        raw = {}
    if Platform(platform).is_meta:
        return _normalize_meta(raw, objective)
    return _normalize_google(raw)


def limit_problems(platform: str, variation: dict[str, Any]) -> list[str]:
    """Every way ``variation`` breaks the platform's rules; the last gate before copy is shown."""
    normalized, problems = normalize_variation(platform, Objective.AWARENESS, variation)
    if normalized != variation:
        problems.append("is not in the platform's shape or exceeds its limits")
    return problems


# --- Reading a variation -----------------------------------------------------------------------


def text_items(platform: str, variation: dict[str, Any]) -> list[tuple[FieldSpec, int | None, str]]:
    """Each piece of free text: (field, position in a list or None, text)."""
    items: list[tuple[FieldSpec, int | None, str]] = []
    for spec in text_fields(platform):
        if spec.many:
            items.extend((spec, index, text) for index, text in enumerate(variation.get(spec.key) or []))
        else:
            items.append((spec, None, variation.get(spec.key) or ""))
    return items


def plain_text(platform: str, variation: dict[str, Any]) -> str:
    """The variation as text to paste into the platform's ad editor."""
    lines: list[str] = []
    for spec in text_fields(platform):
        if spec.many:
            lines.append(f"{spec.label}:")
            lines.extend(f"- {text}" for text in variation.get(spec.key) or [])
        else:
            lines.append(f"{spec.label}: {variation.get(spec.key, '')}")
    if Platform(platform).is_meta:
        cta = variation.get("call_to_action", "")
        label = CallToAction(cta).label if cta in CallToAction.values else cta
        lines.append(f"Call to action: {label} ({cta})")
    return "\n".join(lines)


def headline_of(platform: str, variation: dict[str, Any]) -> str:
    if Platform(platform).is_meta:
        return str(variation.get("headline", ""))
    return " | ".join((variation.get("headlines") or [])[:2])
