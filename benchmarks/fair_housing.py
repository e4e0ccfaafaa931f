"""The Fair Housing checker on its labelled phrase sets: recall, false positives and speed.

    .venv/bin/python -m benchmarks.fair_housing [--runs 2000] [--show]

Runs the rules Loriaa ships (no database needed) over the hand-labelled sets in tests/compliance.
Each row is a violation (with the protected class it concerns) or an acceptable phrase; rows with
context ``older_persons`` are checked as a property that qualifies as housing for older persons.
Every class is enabled, federal and local. Printed per set and in total: recall (violations
flagged), false-positive rate (acceptable phrases flagged) and category agreement (flagged under
the labelled class); with ``--show``, every miss and false positive; then the time one check takes.

How far to trust the figures: the rules were written against ``fair_housing_labelled.csv``. Each
holdout set was written before the round of rule changes that followed it and run once untouched;
those first runs are the honest measure of text the rules have never seen:

    holdout 1 (45 violations, 35 acceptable): recall 66.7%, false positives 0.0%
    holdout 2 (45 violations, 35 acceptable): recall 73.3%, false positives 2.9%
    holdout 3 (42 violations, 32 acceptable): recall 69.0%, false positives 0.0%

Each holdout's misses were then fixed with general frames (not per-sentence patterns), so today
every set scores what the development set does. Expect roughly 70% recall on new phrasings and
report misses as new rules: the checker is a safety net and a teacher, not a guarantee.
"""

from __future__ import annotations

import argparse
import csv
import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "compliance"
SETS = {
    "development set": DATA / "fair_housing_labelled.csv",
    "holdout 1": DATA / "fair_housing_holdout_1.csv",
    "holdout 2": DATA / "fair_housing_holdout_2.csv",
    "holdout 3": DATA / "fair_housing_holdout_3.csv",
}
OLDER_PERSONS = "older_persons"

TYPICAL_MESSAGE = (
    "Hi Dana! Thanks for reaching out about Alpha Flats. We have a 2-bedroom available June 1 for $1,450 with a "
    "walk-in closet, in-unit laundry and a balcony overlooking the pool. Tours run Monday through Saturday; "
    "would Thursday at 4 pm work for you?"
)


@dataclass(frozen=True)
class Row:
    label: str
    category: str
    context: str
    text: str


@dataclass
class Scores:
    violations: int = 0
    acceptable: int = 0
    missed: list[Row] = field(default_factory=list)
    false_positives: list[tuple[Row, list[str]]] = field(default_factory=list)
    other_category: list[tuple[Row, list[str]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return (self.violations - len(self.missed)) / self.violations

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.acceptable

    @property
    def category_agreement(self) -> float:
        flagged = self.violations - len(self.missed)
        return (flagged - len(self.other_category)) / flagged if flagged else 0.0

    def line(self, name: str) -> str:
        flagged = self.violations - len(self.missed)
        return (
            f"{name}: recall {self.recall:.1%} ({flagged}/{self.violations} violations flagged), "
            f"false positives {self.false_positive_rate:.1%} ({len(self.false_positives)}/{self.acceptable} "
            f"acceptable phrases flagged), category agreement {self.category_agreement:.1%}"
        )

    def details(self) -> str:
        lines = [f"  missed [{r.category}]: {r.text}" for r in self.missed]
        lines += [f"  false positive: {r.text} -> {found}" for r, found in self.false_positives]
        lines += [f"  other class [{r.category}]: {r.text} -> {found}" for r, found in self.other_category]
        return "\n".join(lines)


def load(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [Row(r["label"], r["category"], r["context"], r["text"]) for r in csv.DictReader(handle)]


def all_rows() -> list[Row]:
    return [row for path in SETS.values() for row in load(path)]


# A checker takes (text, older_persons) and returns the (phrase, category) pairs it flags.
Checker = Callable[[str, bool], list[tuple[str, str]]]


def evaluate(rows: list[Row], checker: Checker) -> Scores:
    scores = Scores()
    for row in rows:
        found = checker(row.text, row.context == OLDER_PERSONS)
        shown = [f"{phrase!r} ({category})" for phrase, category in found]
        if row.label == "violation":
            scores.violations += 1
            if not found:
                scores.missed.append(row)
            elif row.category not in {category for _phrase, category in found}:
                scores.other_category.append((row, shown))
        else:
            scores.acceptable += 1
            if found:
                scores.false_positives.append((row, shown))
    return scores


def shipped_checker() -> Checker:
    from crm.compliance.engine import AcceptedSpec, CompiledRules, RuleSpec
    from crm.compliance.shipped import ACCEPTED, REASONS, shipped_rules

    rules = CompiledRules(
        [
            RuleSpec(r.kind, r.pattern, r.category, r.reason, r.suggestion, r.older_persons_exempt)
            for r in shipped_rules()
        ],
        [AcceptedSpec(a.kind, a.pattern) for a in ACCEPTED],
    )
    every_class = set(REASONS)

    def check(text: str, older_persons: bool) -> list[tuple[str, str]]:
        hits = rules.scan(text, categories=every_class, older_persons=older_persons)
        return [(text[h.start : h.end], h.rule.category) for h in hits]

    return check


def per_call_microseconds(call: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(min(runs, 50)):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--show", action="store_true", help="list every miss and false positive")
    args = parser.parse_args()

    started = time.perf_counter()
    check = shipped_checker()
    print(f"compiled the shipped rules in {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    for name, path in SETS.items():
        scores = evaluate(load(path), check)
        print(scores.line(name))
        if args.show and scores.details():
            print(scores.details())
    print(evaluate(all_rows(), check).line("all sets"))
    long_ad = " ".join([TYPICAL_MESSAGE] * 8)
    for label, text in ((f"typical message ({len(TYPICAL_MESSAGE)} chars)", TYPICAL_MESSAGE),
                        (f"long listing ({len(long_ad)} chars)", long_ad)):  # fmt: skip
        p50, p95 = per_call_microseconds(functools.partial(check, text, False), args.runs)
        print(f"{label}: p50 {p50:.0f} µs, p95 {p95:.0f} µs per check")


if __name__ == "__main__":
    main()
