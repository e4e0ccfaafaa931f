"""The checker on the hand-labelled sets (tests/compliance/*.csv): recall and false positives.

Goes through ``check_text`` and the rules the migration seeded, as the product does. The same
figures, per set and with the first-run results of each holdout, come from
``python -m benchmarks.fair_housing``.
"""

from __future__ import annotations

from benchmarks.fair_housing import SETS, Checker, Row, Scores, all_rows, evaluate, load
from crm.compliance.fair_housing import check_text
from crm.compliance.models import Category
from crm.properties.models import Property
from crm.teams.models import Team


def _checker(team: Team, senior_property: Property) -> Checker:
    def check(text: str, older_persons: bool) -> list[tuple[str, str]]:
        result = check_text(text, team=team, property=senior_property if older_persons else None)
        return [(f.phrase, f.category) for f in result.findings]

    return check


def _report(scores: Scores, rows: list[Row]) -> str:
    return scores.line(f"labelled sets ({len(rows)} phrases)") + "\n" + scores.details()


def test_the_labelled_sets_are_big_enough_and_cover_every_class(db: None) -> None:
    rows = all_rows()
    violations = [r for r in rows if r.label == "violation"]
    assert len(violations) >= 150
    assert len(rows) - len(violations) >= 100
    assert {r.label for r in rows} == {"violation", "acceptable"}
    assert {r.category for r in violations} == set(Category)
    assert len({r.text for r in rows}) == len(rows), "a phrase appears twice"


def test_the_checker_flags_98_percent_of_violations_and_at_most_5_percent_of_acceptable_phrases(
    every_class: Team, senior_property: Property
) -> None:
    check = _checker(every_class, senior_property)
    for name, path in SETS.items():
        print(evaluate(load(path), check).line(name))  # shown with pytest -s
    rows = all_rows()
    scores = evaluate(rows, check)
    report = _report(scores, rows)
    print(report)
    assert scores.recall >= 0.98, report
    assert scores.false_positive_rate <= 0.05, report
