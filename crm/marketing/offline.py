"""The offline engine: ad copy from templates filled with the property's facts.

Honest by construction: a template that needs a fact the property lacks (a rent, a date, a
highlight) is skipped, never filled with a guess. Deterministic: the same request gives the
same copy, and ``seed`` gives another wording. Variations of one batch start from different
templates so they read differently.

The wording describes the homes and the building, never the people who might live there, as
the Fair Housing Act asks; the checker still reads every line before anyone sees it.
"""

from __future__ import annotations

import random
import string
from typing import Any

from crm.marketing.facts import FEW_LEFT, PropertyFacts
from crm.marketing.platforms import (
    DEFAULT_CTA,
    GOOGLE_DESCRIPTION_MAX,
    GOOGLE_HEADLINE_MAX,
    META_DESCRIPTION_MAX,
    META_HEADLINE_MAX,
    META_PRIMARY_TEXT_MAX,
    CallToAction,
    Objective,
    Platform,
    Tone,
    fit,
)

GOOGLE_HEADLINES_WANTED = 10
GOOGLE_DESCRIPTIONS_WANTED = 3

# --- Sentences and phrases, by tone and by objective -------------------------------------------

OPENERS = {
    Tone.FRIENDLY: [
        "Come home to {name} in {city}.",
        "Say hello to {name}.",
        "Your next home could be at {name}.",
        "Meet {name}, now leasing in {city}.",
    ],
    Tone.PROFESSIONAL: [
        "{name} is now leasing in {place}.",
        "Now leasing: {name} in {city}.",
        "Discover {name} in {place}.",
        "{name} is accepting applications.",
    ],
    Tone.UPSCALE: [
        "Elevated apartment living at {name}.",
        "Live beautifully at {name} in {city}.",
        "Thoughtfully designed homes at {name}.",
        "Discover a new standard at {name}.",
    ],
    Tone.URGENT: [
        "Only {few_left} homes left at {name}.",
        "Don't wait: {name} is leasing now.",
        "Homes at {name} are {when}.",
        "Now leasing at {name} in {city}.",
    ],
}

FACT_SENTENCES = [
    "{Beds} from {rent}/month, {when}.",
    "Choose from {beds} starting at {rent}/month.",
    "{Beds}. Highlights: {highlights}.",
    "Highlights: {highlights}.",
    "{Beds}, {when}.",
    "{Beds} from {rent}/month.",
]
# When none of the sentences above fits (or the property lacks their facts).
FALLBACK_FACTS = ["{Beds} in {place}.", "Apartment homes in {place}."]

ACTIONS = {
    Objective.AWARENESS: ["Take a look around.", "See what {name} has to offer.", "Get to know {name}."],
    Objective.TRAFFIC: [
        "See floor plans, photos and pricing online.",
        "Explore floor plans and pricing on our website.",
        "Browse floor plans and check availability.",
    ],
    Objective.LEADS: [
        "Tell us what you're looking for and we'll be in touch.",
        "Sign up for pricing and availability updates.",
        "Start your application online.",
    ],
    Objective.TOURS: [
        "Schedule a tour today.",
        "Come see it in person: schedule a tour.",
        "Book a tour at a time that suits you.",
    ],
}

META_HEADLINES = {
    Tone.FRIENDLY: ["Find Your Next Home at {name}", "Make {name} Home"],
    Tone.PROFESSIONAL: ["{name}: Now Leasing", "Apartments for Rent in {city}"],
    Tone.UPSCALE: ["Elevated Living at {name}", "Live Beautifully in {city}"],
    Tone.URGENT: ["Only {few_left} Homes Left at {name}", "Lease Today at {name}"],
}
META_HEADLINES_BY_OBJECTIVE = {
    Objective.AWARENESS: ["Now Leasing in {city}", "{name}"],
    Objective.TRAFFIC: ["{BedsShort} from {rent}", "See Floor Plans at {name}"],
    Objective.LEADS: ["Apply Now at {name}", "{BedsShort} from {rent}"],
    Objective.TOURS: ["Schedule a Tour of {name}", "Tour {name} Today"],
}
META_DESCRIPTIONS = [
    "From {rent}/month",
    "{When}",
    "{BedsShort}",
    "{place}",
    "Now leasing",
]

CTAS = {
    Objective.AWARENESS: [CallToAction.LEARN_MORE],
    Objective.TRAFFIC: [CallToAction.LEARN_MORE],
    Objective.LEADS: [CallToAction.SIGN_UP, CallToAction.APPLY_NOW, CallToAction.CONTACT_US],
    Objective.TOURS: [CallToAction.CONTACT_US, CallToAction.CALL_NOW, CallToAction.MESSAGE_PAGE],
}

# Google headlines come from several groups so each ad mixes brand, place, product and action.
GOOGLE_HEADLINE_GROUPS = [
    ["{name}", "Discover {name}", "Live at {name}"],
    ["Apartments in {city}", "Now Leasing in {city}", "{city} Apartments for Rent"],
    ["{BedsShort}", "{BedsShort} in {city}"],
    ["From {rent}/mo", "{BedsShort} from {rent}", "Rent from {rent}/mo"],
    ["{When}", "Only {few_left} Homes Left", "Now Leasing"],
    ["{Highlight}"],
]
GOOGLE_HEADLINES_BY_OBJECTIVE = {
    Objective.AWARENESS: ["Get to Know {name}", "See What's New in {city}", "Now Leasing"],
    Objective.TRAFFIC: ["View Floor Plans", "See Photos and Floor Plans", "Check Availability Online"],
    Objective.LEADS: ["Apply Online Today", "Start Your Application", "Get Pricing and Availability"],
    Objective.TOURS: ["Schedule a Tour Today", "Tour {name}", "Book Your Tour Today"],
}
GOOGLE_HEADLINES_BY_TONE = {
    Tone.FRIENDLY: ["Find Your Next Home", "Your New Home Awaits"],
    Tone.PROFESSIONAL: ["Professionally Managed Homes", "Apartments Ready to Lease"],
    Tone.UPSCALE: ["Elevated Apartment Living", "Modern Apartment Homes"],
    Tone.URGENT: ["Lease Today", "Don't Miss Out"],
}
GOOGLE_DESCRIPTIONS = [
    "{Beds} in {place}, from {rent}/month. {action}",
    "{name} is now leasing in {city}. {WhenSentence}. {action}",
    "Explore floor plans, photos and pricing for {name}. {action}",
    "Highlights at {name}: {highlights}. {action}",
    "{Beds}, {when}. {action}",
    "{opener} {action}",
]


# --- Filling templates ---------------------------------------------------------------------------


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def _join(items: tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def context(facts: PropertyFacts) -> dict[str, str]:
    """Placeholder values; a fact the property lacks is absent, so its templates are skipped."""
    values = {
        "name": facts.name,
        "city": facts.city,
        "place": facts.place,
        "beds": facts.beds_long(),
        "Beds": _capitalize(facts.beds_long()),
        "BedsShort": facts.beds_short(),
        "rent": facts.rent(),
        "when": facts.when(),
        "When": facts.when(short=True),
        "WhenSentence": _capitalize(facts.when()),
        "highlights": _join(facts.highlights[:3]),
        "Highlight": string.capwords(facts.highlights[0]) if facts.highlights else "",
        "few_left": str(facts.available_units) if 0 < facts.available_units <= FEW_LEFT else "",
    }
    return {key: value for key, value in values.items() if value}


def render(template: str, values: dict[str, str]) -> str | None:
    try:
        return " ".join(template.format_map(_Strict(values)).split())
    except KeyError:
        return None


def _rotated(options: list[str], start: int) -> list[str]:
    start %= max(len(options), 1)
    return options[start:] + options[:start]


def _first_fitting(templates: list[str], values: dict[str, str], limit: int) -> str:
    """The first template that renders within ``limit``; failing that, the first one trimmed."""
    rendered = [text for text in (render(t, values) for t in templates) if text]
    for text in rendered:
        if len(text) <= limit:
            return text
    for text in rendered:
        trimmed = fit(text, limit)
        if trimmed:
            return trimmed
    return ""


class _Batch:
    """One generation request: a seeded shuffle of every pool, then variation ``i`` starts at ``i``."""

    def __init__(self, facts: PropertyFacts, platform: str, objective: str, tone: str, seed: int) -> None:
        self.values = context(facts)
        self.objective = Objective(objective)
        self.tone = Tone(tone)
        self.rng = random.Random(f"{facts.name}|{platform}|{objective}|{tone}|{seed}")  # noqa: S311 - not security
        self.has_phone = bool(facts.phone)

    def shuffled(self, options: list[Any]) -> list[Any]:
        options = list(options)
        self.rng.shuffle(options)
        return options


def _meta_variation(batch: _Batch, index: int, pools: dict[str, list[Any]]) -> dict[str, Any]:
    values = batch.values
    openers = _rotated(pools["openers"], index)
    facts = _rotated(pools["facts"], index)
    actions = _rotated(pools["actions"], index)
    action = actions[0]
    # Richest first: opener, a fact and the objective's call; then shorter mixes when it won't fit.
    candidates = [f"{o} {f} {action}" for o in openers for f in facts]
    candidates += [f"{f} {action}" for f in facts]
    candidates += [f"{o} {f} {action}" for o in openers for f in FALLBACK_FACTS]
    candidates += [f"{o} {action}" for o in openers]
    candidates += [f"{o} {f}" for o in openers for f in facts + FALLBACK_FACTS] + openers
    cta_options = [c for c in pools["ctas"] if c != CallToAction.CALL_NOW or batch.has_phone]
    return {
        "primary_text": _first_fitting(candidates, values, META_PRIMARY_TEXT_MAX),
        "headline": _first_fitting(_rotated(pools["headlines"], index), values, META_HEADLINE_MAX),
        "description": _first_fitting(_rotated(pools["descriptions"], index), values, META_DESCRIPTION_MAX),
        "call_to_action": str(_rotated(cta_options, index)[0] if cta_options else DEFAULT_CTA[batch.objective]),
    }


def _google_variation(batch: _Batch, index: int, pools: dict[str, list[Any]]) -> dict[str, Any]:
    values = batch.values
    headlines: list[str] = []
    groups = pools["headline_groups"]
    # Take one from each group in turn (brand, place, product, price, ...) until enough.
    for round_ in range(max(len(group) for group in groups)):
        for group in groups:
            if len(headlines) >= GOOGLE_HEADLINES_WANTED:
                break
            option = _rotated(group, index + round_)[0]
            text = render(option, values)
            if text and len(text) <= GOOGLE_HEADLINE_MAX and text.casefold() not in {h.casefold() for h in headlines}:
                headlines.append(text)
    descriptions: list[str] = []
    actions = _rotated(pools["actions"], index)
    openers = _rotated(pools["openers"], index)
    for number, template in enumerate(_rotated(pools["descriptions"], index)):
        if len(descriptions) >= GOOGLE_DESCRIPTIONS_WANTED:
            break
        local = {**values, "action": render(actions[number % len(actions)], values) or ""}
        opener = next((text for text in (render(o, values) for o in openers[number:] + openers[:number]) if text), "")
        if opener:
            local["opener"] = opener
        text = _first_fitting([template], {k: v for k, v in local.items() if v}, GOOGLE_DESCRIPTION_MAX)
        if text and text.casefold() not in {d.casefold() for d in descriptions}:
            descriptions.append(text)
    return {"headlines": headlines, "descriptions": descriptions}


def offline_variations(
    *, facts: PropertyFacts, platform: str, objective: str, tone: str, count: int, seed: int = 0
) -> list[dict[str, Any]]:
    """``count`` variations for ``platform``, already within its limits (checked again later)."""
    batch = _Batch(facts, platform, objective, tone, seed)
    objective_, tone_ = batch.objective, batch.tone
    if Platform(platform).is_meta:
        pools = {
            "openers": batch.shuffled(OPENERS[tone_]),
            "facts": batch.shuffled(FACT_SENTENCES),
            "actions": batch.shuffled(ACTIONS[objective_]),
            "headlines": batch.shuffled(META_HEADLINES[tone_] + META_HEADLINES_BY_OBJECTIVE[objective_]),
            "descriptions": batch.shuffled(META_DESCRIPTIONS),
            "ctas": batch.shuffled(CTAS[objective_]),
        }
        return [_meta_variation(batch, index, pools) for index in range(count)]
    pools = {
        "headline_groups": [
            batch.shuffled(group)
            for group in [
                *GOOGLE_HEADLINE_GROUPS,
                GOOGLE_HEADLINES_BY_OBJECTIVE[objective_],
                GOOGLE_HEADLINES_BY_TONE[tone_],
            ]
        ],
        "descriptions": batch.shuffled(GOOGLE_DESCRIPTIONS),
        "actions": batch.shuffled(ACTIONS[objective_]),
        "openers": batch.shuffled(OPENERS[tone_]),
    }
    return [_google_variation(batch, index, pools) for index in range(count)]
