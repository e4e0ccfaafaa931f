"""Ad copy generation and drafts.

Every variation, from either engine, passes two gates before anyone sees it: the platform's
limits (``platforms``) and the Fair Housing checker, field by field. What fails the checker is
regenerated with the findings as feedback (language model) or rewritten with the checker's own
suggestions (offline); what still fails is blocked and reported with the reason, never shown.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from agents import llm
from agents.llm import LLMError, llm_enabled
from crm.compliance import fair_housing
from crm.marketing.facts import PropertyFacts, clean_highlights, property_facts
from crm.marketing.llm_copy import llm_variations
from crm.marketing.models import AdCopyDraft
from crm.marketing.offline import offline_variations
from crm.marketing.platforms import (
    MAX_VARIATIONS,
    Engine,
    Objective,
    Platform,
    Tone,
    fit,
    limit_problems,
    normalize_variation,
    text_items,
)

if TYPE_CHECKING:
    from crm.accounts.models import User
    from crm.compliance.fair_housing import FairHousingResult, Finding
    from crm.properties.models import Property
    from crm.teams.models import Membership, Team

logger = logging.getLogger(__name__)

# Each regeneration is one more model call (and seconds of waiting): two is enough to recover
# from an occasional slip; a model that keeps failing is better blocked than retried forever.
MAX_REGENERATIONS = 2
# All model calls of one request fit in this, well under gunicorn's 60 s worker timeout; a
# regeneration is only started with at least MIN_ROUND_SECONDS left.
LLM_BUDGET_SECONDS = 45.0
MIN_ROUND_SECONDS = 10.0


@dataclass
class Blocked:
    reason: str
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AdCopyResult:
    engine: Engine
    platform: Platform
    objective: Objective
    tone: Tone
    property: Property
    variations: list[dict[str, Any]]
    blocked: list[Blocked] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- The checker gate ---------------------------------------------------------------------------


def _check(text: str, property: Property) -> FairHousingResult:
    # The property lets lawful wording of housing for older persons ("55+ community") pass.
    return fair_housing.check_text(text, team=property.team, property=property)


def checker_findings(*, platform: str, variation: dict[str, Any], property: Property) -> list[Finding]:
    findings: list[Finding] = []
    for _, _, text in text_items(platform, variation):
        findings.extend(_check(text, property).findings)
    return findings


def passes(*, platform: str, variation: dict[str, Any], property: Property) -> bool:
    """Within every limit of the platform and clear of the Fair Housing checker."""
    return not limit_problems(platform, variation) and not checker_findings(
        platform=platform, variation=variation, property=property
    )


def _describe(findings: list[Finding]) -> str:
    phrases = dict.fromkeys(f"“{f.phrase}” ({f.category})" for f in findings)
    return ", ".join(phrases)


def _feedback(finding: Finding) -> str:
    advice = f"Do not write “{finding.phrase}” ({finding.category}): {finding.reason}"
    return f"{advice} Use “{finding.suggestion}” instead." if finding.suggestion else advice


def _blocked_by_checker(findings: list[Finding]) -> Blocked:
    return Blocked(
        reason=f"Failed the Fair Housing check: {_describe(findings)}.",
        findings=[finding.as_dict() for finding in findings],
    )


def _blocked_by_limits(platform: str, problems: list[str]) -> Blocked:
    return Blocked(reason=f"Did not fit {Platform(platform).label}'s limits: {'; '.join(problems)}.")


def _rewrite(*, platform: str, objective: str, variation: dict[str, Any], property: Property) -> dict[str, Any]:
    """Apply the checker's suggestions to each failing text; what still fails is left out."""
    fixed: dict[str, Any] = {key: list(value) if isinstance(value, list) else value for key, value in variation.items()}
    for spec, index, text in reversed(text_items(platform, variation)):  # reversed: list removals keep positions
        result = _check(text, property)
        if result.ok:
            continue
        rewritten = fit(result.rewrite(), spec.limit)
        if not rewritten or not _check(rewritten, property).ok:
            rewritten = ""
        if index is None:
            fixed[spec.key] = rewritten
        elif rewritten:
            fixed[spec.key][index] = rewritten
        else:
            del fixed[spec.key][index]
    return normalize_variation(platform, objective, fixed)[0]


# --- Engines ------------------------------------------------------------------------------------


def _offline(*, facts: PropertyFacts, result: AdCopyResult, count: int, seed: int) -> None:
    raws = offline_variations(
        facts=facts,
        platform=result.platform,
        objective=result.objective,
        tone=result.tone,
        count=count,
        seed=seed,
    )
    for number, raw in enumerate(raws, start=1):
        variation, problems = normalize_variation(result.platform, result.objective, raw)
        if problems:
            result.blocked.append(_blocked_by_limits(result.platform, problems))
            continue
        findings = checker_findings(platform=result.platform, variation=variation, property=result.property)
        if findings:
            variation = _rewrite(
                platform=result.platform, objective=result.objective, variation=variation, property=result.property
            )
            if not passes(platform=result.platform, variation=variation, property=result.property):
                result.blocked.append(_blocked_by_checker(findings))
                continue
            result.notes.append(
                f"Variation {number} was reworded to pass the Fair Housing check: {_describe(findings)}."
            )
        result.variations.append(variation)


def _with_llm(*, facts: PropertyFacts, result: AdCopyResult, count: int, team: Team) -> None:
    """Ask for ``count`` variations; regenerate the failures with feedback, then block what remains."""
    feedback: list[str] = []
    failures: list[Blocked] = []
    deadline = time.monotonic() + LLM_BUDGET_SECONDS
    for attempt in range(1 + MAX_REGENERATIONS):
        wanted = count - len(result.variations)
        remaining = deadline - time.monotonic()
        if wanted <= 0 or (attempt and remaining < MIN_ROUND_SECONDS):
            break
        try:
            raws = llm_variations(
                facts=facts,
                platform=result.platform,
                objective=result.objective,
                tone=result.tone,
                count=wanted,
                team=team,
                feedback=feedback,
                timeout=remaining / (1 + llm.MAX_RETRIES),
            )
        except LLMError:
            if attempt == 0:
                raise  # nothing from the model at all: the caller falls back to the templates
            logger.warning("Regenerating ad copy failed; blocking the variations that did not pass")
            break
        feedback, failures = [], []
        for raw in raws[:wanted]:
            variation, problems = normalize_variation(result.platform, result.objective, raw)
            if problems:
                failures.append(_blocked_by_limits(result.platform, problems))
                feedback.append(f"A variation {'; '.join(problems)}.")
                continue
            findings = checker_findings(platform=result.platform, variation=variation, property=result.property)
            if findings:
                failures.append(_blocked_by_checker(findings))
                feedback.extend(_feedback(finding) for finding in findings)
                continue
            result.variations.append(variation)
        if failures and attempt < MAX_REGENERATIONS:
            result.notes.append(
                f"{len(failures)} variation{'s' if len(failures) != 1 else ''} failed a check and "
                f"{'were' if len(failures) != 1 else 'was'} regenerated."
            )
    result.blocked.extend(failures)


def ad_copy_generate(
    *,
    team: Team,
    property: Property,
    platform: str,
    objective: str,
    tone: str,
    count: int,
    highlights: str | list[str] | tuple[str, ...] | None = None,
    seed: int = 0,
) -> AdCopyResult:
    """Variations of ad copy for ``property`` that fit the platform and pass the checker.

    The language model writes them when one is configured; otherwise, or when it cannot be
    reached, the offline templates do, and the result says which.
    """
    if property.team_id != team.pk:
        raise ValidationError({"property": "Property not found."})
    if not 1 <= count <= MAX_VARIATIONS:
        raise ValidationError({"variations": f"Ask for 1 to {MAX_VARIATIONS} variations."})
    facts = property_facts(property=property, highlights=clean_highlights(highlights))
    result = AdCopyResult(
        engine=Engine.OFFLINE,
        platform=Platform(platform),
        objective=Objective(objective),
        tone=Tone(tone),
        property=property,
        variations=[],
    )
    if not facts.available_units:
        result.notes.append("No units are marked available, so the copy mentions no prices or dates.")
    if llm_enabled():
        try:
            _with_llm(facts=facts, result=result, count=count, team=team)
        except LLMError as exc:
            result.notes.append(f"{exc} This copy comes from the offline templates instead.")
        else:
            result.engine = Engine.LLM
            return result
    _offline(facts=facts, result=result, count=count, seed=seed)
    return result


# --- Drafts ---------------------------------------------------------------------------------------


def ad_copy_draft_save(
    *,
    team: Team,
    property: Property,
    platform: str,
    objective: str,
    tone: str,
    engine: str,
    content: Any,
    actor: User | None,
) -> AdCopyDraft:
    """Keep one variation as a draft, after the same gates as fresh copy (it came from a browser)."""
    if property.team_id != team.pk:
        raise ValidationError({"property": "Property not found."})
    variation, problems = normalize_variation(platform, objective, content)
    if problems:
        raise ValidationError(f"This copy does not fit {Platform(platform).label}'s limits: {'; '.join(problems)}.")
    findings = checker_findings(platform=platform, variation=variation, property=property)
    if findings:
        raise ValidationError(f"This copy fails the Fair Housing check: {_describe(findings)}.")
    return AdCopyDraft.objects.create(
        team=team,
        property=property,
        platform=platform,
        objective=objective,
        tone=tone,
        engine=engine,
        content=variation,
        created_by=actor,
    )


def ad_copy_draft_delete(*, draft: AdCopyDraft, membership: Membership) -> None:
    if not draft.can_delete(membership):
        raise PermissionDenied("Only its author or a manager can delete this draft.")
    draft.delete()
