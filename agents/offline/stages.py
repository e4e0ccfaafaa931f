"""Lead stages and lost reasons as staff say them, mapped to the leads app's values."""

from __future__ import annotations

import re

from crm.leads.models import LostReason, Stage

# The stage's own name first ("mark lost, she signed elsewhere" is lost), then what people say.
_NAMES: tuple[tuple[str, str], ...] = (
    (r"tour scheduled|touring", Stage.TOUR_SCHEDULED),
    (r"toured", Stage.TOURED),
    (r"applied", Stage.APPLIED),
    (r"leased", Stage.LEASED),
    (r"lost", Stage.LOST),
    (r"contacted", Stage.CONTACTED),
    (r"new", Stage.NEW),
)
_SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"tour (?:booked|set)|scheduled? (?:a )?tour", Stage.TOUR_SCHEDULED),
    (r"visited|showed|came by", Stage.TOURED),
    (r"applicant|application", Stage.APPLIED),
    (r"signed|won|moved in|move in", Stage.LEASED),
    (r"dead|closed?(?: it)? out|ghosted|went with|not interested", Stage.LOST),
    (r"reached out|spoke|talked", Stage.CONTACTED),
)
_PASSES = [
    [(re.compile(rf"\b(?:{pattern})\b"), str(stage)) for pattern, stage in table] for table in (_NAMES, _SYNONYMS)
]
_TARGET = re.compile(r"\b(?:to|as|into|in)\s+(?:the\s+)?(?:a\s+)?(.+)$")

_LOST_REASONS: tuple[tuple[str, str], ...] = (
    (
        r"competitor|went with|elsewhere|another (?:property|place|community|apartment)|signed somewhere",
        LostReason.LEASED_ELSEWHERE,
    ),
    (r"price|expensive|budget|afford|cost", LostReason.PRICE),
    (r"location|commute|too far|neighbou?rhood", LostReason.LOCATION),
    (r"ghost|unresponsive|no response|not respond|stopped respond|never respond|no reply", LostReason.UNRESPONSIVE),
    (r"qualif|credit|income|denied|background|eviction", LostReason.NOT_QUALIFIED),
    (r"no availability|nothing available|no units?|sold out|full", LostReason.NO_AVAILABILITY),
    (r"spam|fake|not a (?:real )?prospect|bot", LostReason.SPAM),
)
_LOST_PATTERNS = [(re.compile(rf"\b(?:{pattern})"), str(reason)) for pattern, reason in _LOST_REASONS]


def stage_in(text: str) -> str | None:
    """The stage a normalised text names: after "to"/"as" first, then anywhere; names before synonyms."""
    target = _TARGET.search(text)
    for candidate in ([target.group(1)] if target else []) + [text]:
        for patterns in _PASSES:
            for pattern, stage in patterns:
                if pattern.search(candidate):
                    return stage
    return None


def lost_reason(text: str) -> str | None:
    return next((reason for pattern, reason in _LOST_PATTERNS if pattern.search(text)), None)
