"""The active rules, compiled once per process and rebuilt when an operator changes them.

Compiling every rule takes a few hundred milliseconds; a check then takes well under one. The
compiled set is process state shared by every request (the rules are global data, nothing in it
belongs to a request or a team). It is rebuilt:

- at once in this process when a rule or accepted phrase is saved or deleted (signals), and
- in every other process within ``REFRESH_SECONDS``: a cheap query compares the tables' row
  count and latest ``updated_at`` with the ones the compiled set was built from.

Bulk ``QuerySet.update()`` calls skip both; they must set ``updated_at`` (the admin's actions do).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from crm.compliance.engine import AcceptedSpec, CompiledRules, RuleSpec
from crm.compliance.models import AcceptedPhrase, Category, FairHousingRule

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class _Built:
    stamp: tuple[Any, ...]
    rules: CompiledRules
    checked_at: float


_lock = threading.Lock()
_built: _Built | None = None


def compiled_rules() -> CompiledRules:
    global _built
    built = _built
    now = time.monotonic()
    if built is not None and now - built.checked_at < REFRESH_SECONDS:
        return built.rules
    with _lock:
        built = _built
        if built is not None and time.monotonic() - built.checked_at < REFRESH_SECONDS:
            return built.rules
        stamp = _stamp()
        if built is not None and built.stamp == stamp:
            _built = _Built(stamp, built.rules, time.monotonic())
        else:
            _built = _Built(stamp, _build(), time.monotonic())
        return _built.rules


def invalidate(**_signal_kwargs: Any) -> None:
    """Forget the compiled rules: the next check rebuilds them (a signal receiver, too)."""
    global _built
    with _lock:
        _built = None


def _stamp() -> tuple[Any, ...]:
    rules = FairHousingRule.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    accepted = AcceptedPhrase.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return (rules["count"], rules["changed"], accepted["count"], accepted["changed"])


def _build() -> CompiledRules:
    # When two rules match the same words, the earlier one names the class: keep the order of
    # ``Category`` (the statute's classes, then the local ones) whatever order the rows come in.
    order = {category.value: index for index, category in enumerate(Category)}
    rules = sorted(
        (rule.as_spec() for rule in FairHousingRule.objects.filter(is_active=True)),
        key=lambda spec: order.get(spec.category, len(order)),
    )
    accepted = [phrase.as_spec() for phrase in AcceptedPhrase.objects.filter(is_active=True)]
    if not FairHousingRule.objects.exists():
        # An empty table is a broken install (or a flushed test database), never a decision to
        # check nothing: fall back to the shipped rules rather than pass every text.
        logger.warning("No Fair Housing rules in the database; checking with the shipped defaults.")
        rules, accepted = _shipped()
    return CompiledRules(rules, accepted)


def _shipped() -> tuple[list[RuleSpec], list[AcceptedSpec]]:
    from crm.compliance.shipped import ACCEPTED, REASONS, shipped_rules

    rules = [
        RuleSpec(r.kind, r.pattern, r.category, r.reason or REASONS[r.category], r.suggestion, r.older_persons_exempt)
        for r in shipped_rules()
    ]
    return rules, [AcceptedSpec(a.kind, a.pattern) for a in ACCEPTED]
