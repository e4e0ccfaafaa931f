"""The Fair Housing checker: one service used everywhere text goes out (ads, messages, agents).

INTERFACE (stable; other modules import these names):

    check_text(text, *, team=None, property=None) -> FairHousingResult
    FairHousingResult.ok -> bool                     # no findings
    FairHousingResult.findings -> list[Finding]
    FairHousingResult.rewrite() -> str                # the text with every suggestion applied
    Finding(phrase, start, end, category, reason, suggestion), Finding.as_dict()

    check_outbound(text, *, team, sender, property=None) -> OutboundDecision
    OutboundDecision.allowed / .needs_review / .warnings / .findings / .summary / .result

``team`` adds the team's local protected classes (source of income by default) to the federal
ones. ``property`` (optional) lets age-restricted wording ("55+ community") pass when that
property qualifies as housing for older persons; without it such wording is always flagged.

The rules are data (``FairHousingRule``, ``AcceptedPhrase``), compiled once per process by
``rules_cache``; a check of a typical message takes a fraction of a millisecond plus, when a
team is given, one query for its settings.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from crm.compliance import rules_cache, selectors

if TYPE_CHECKING:
    from crm.properties.models import Property
    from crm.teams.models import Team

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    phrase: str
    start: int
    end: int
    category: str
    reason: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FairHousingResult:
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def rewrite(self) -> str:
        """The text with each finding replaced by its suggestion (or removed, when it has none)."""
        out = ""
        last = 0
        for finding in sorted(self.findings, key=lambda f: f.start):
            if finding.start < last:
                continue
            out += self.text[last : finding.start]
            if finding.suggestion:
                out += finding.suggestion
            else:
                out = _close_gap(out, self.text[finding.end :])
            last = finding.end
        return out + self.text[last:]


_PUNCTUATION_NEXT = re.compile(r"^[ \t]*(?:[,.;:!?)]|$)")


def _close_gap(before: str, after: str) -> str:
    """Drop the space a removed phrase leaves behind: "quiet  building" → "quiet building"."""
    if before.endswith((" ", "\t")) and (after[:1] in (" ", "\t") or _PUNCTUATION_NEXT.match(after)):
        return before.rstrip(" \t")
    return before


def check_text(text: str, *, team: Team | None = None, property: Property | None = None) -> FairHousingResult:
    """Find the words in ``text`` that state a preference, limitation or discrimination."""
    if property is not None:
        if team is not None and property.team_id != team.pk:
            raise ValueError("The property belongs to another team.")
        team = team or property.team
    categories = selectors.enabled_categories(team)
    older_persons = property is not None and selectors.is_older_persons_housing(property, team=team)
    hits = rules_cache.compiled_rules().scan(text, categories=categories, older_persons=older_persons)
    findings = [
        Finding(
            phrase=text[hit.start : hit.end],
            start=hit.start,
            end=hit.end,
            category=hit.rule.category,
            reason=hit.rule.reason,
            suggestion=hit.suggestion,
        )
        for hit in hits
    ]
    return FairHousingResult(text=text, findings=findings)


# --- Outbound messages ---------------------------------------------------------------------------


class Sender(StrEnum):
    STAFF = "staff"  # a person on the team: warned, and decides
    AGENT = "agent"  # an AI agent: held back, and a person decides


@dataclass(frozen=True)
class OutboundDecision:
    """Whether a message may go out as written, and what the sender (or reviewer) should see.

    A staff member's message is always ``allowed``; its findings come back as ``warnings`` to
    show before sending. An agent's message with findings is not allowed: ``needs_review`` is
    set, and the caller hands the draft (with ``result.rewrite()`` as a starting point) to a
    person instead of sending it.
    """

    allowed: bool
    sender: Sender
    result: FairHousingResult

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    @property
    def warnings(self) -> list[Finding]:
        return self.result.findings if self.allowed else []

    @property
    def needs_review(self) -> bool:
        return not self.allowed

    @property
    def summary(self) -> str:
        """One line for the timeline or audit log; names the classes, never the message."""
        if self.result.ok:
            return "No Fair Housing concerns."
        categories = ", ".join(sorted({f.category.replace("_", " ") for f in self.findings}))
        count = len(self.findings)
        concerns = f"{count} possible Fair Housing concern{'s' if count != 1 else ''} ({categories})"
        return f"Sent with {concerns}." if self.allowed else f"Held for review: {concerns}."


def check_outbound(
    text: str, *, team: Team, sender: Sender | str, property: Property | None = None
) -> OutboundDecision:
    """Check a message before it leaves: warn staff, block agents.

    ``sender`` is "staff" or "agent" (``Sender``); anything else raises ``ValueError``, so a new
    kind of sender has to decide which treatment it gets.
    """
    who = Sender(sender)
    result = check_text(text, team=team, property=property)
    decision = OutboundDecision(allowed=result.ok or who is Sender.STAFF, sender=who, result=result)
    if not result.ok:
        logger.info(
            "fair housing findings on an outbound message",
            extra={"team": str(team.pk), "sender": who.value, "allowed": decision.allowed,
                   "categories": sorted({f.category for f in result.findings})},
        )  # fmt: skip
    return decision
