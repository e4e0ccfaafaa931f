"""The matching engine on its own: phrases, the start index, and the scan against brute force."""

from __future__ import annotations

import re

import pytest

from benchmarks.fair_housing import all_rows
from crm.compliance.engine import (
    AcceptedSpec,
    CompiledRules,
    RuleSpec,
    compile_pattern,
    normalise,
    pattern_regex,
    start_prefixes,
)
from crm.compliance.shipped import ACCEPTED, REASONS, shipped_rules


@pytest.mark.parametrize(
    ("phrase", "matches", "misses"),
    [
        ("no kid", ["no kids", "No-Kid", "no  kids"], ["nokids", "no kidding"]),
        ("christian", ["Christians", "CHRISTIAN"], ["christianity"]),
        ("single man", ["single men", "single-man"], ["single manager"]),
        ("family", ["families", "Family"], ["familiar"]),
        ("church", ["churches"], ["churchill"]),
        ("child", ["children", "child"], ["childhood"]),
        ("55+", ["55+"], ["155+"]),
    ],
)
def test_a_phrase_matches_whole_words_in_any_case_spacing_or_number(
    phrase: str, matches: list[str], misses: list[str]
) -> None:
    pattern = compile_pattern("phrase", phrase)
    for text in matches:
        assert pattern.fullmatch(normalise(text)), text
    for text in misses:
        assert not pattern.search(normalise(text)), text


def test_normalising_keeps_every_offset() -> None:
    text = "We don\u2019t rent\u00a0to no\u2013kids"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "We don't rent to no-kids"


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"no\s+kids", ["no kids", "no\tkids", "no  kids", "no \n kids"]),
        (r"(?:ideal|perfect) for", ["ideal for", "perfect for"]),
        (r"m[ae]n", ["man", "men"]),
        (r"(?:a )?kid", ["a kid", "kid"]),
    ],
)
def test_the_start_index_has_a_key_for_every_way_a_match_can_begin(pattern: str, starts: list[str]) -> None:
    keys = start_prefixes(pattern)
    assert keys is not None
    assert all(len(key) <= 5 for key in keys)
    for text in starts:
        assert re.fullmatch(pattern, text)
        assert any(text.startswith(key) for key in keys), text


def test_a_pattern_that_can_start_with_any_word_is_not_indexed() -> None:
    assert start_prefixes(r"\w+ only") is None


def test_the_indexed_scan_finds_exactly_what_trying_every_rule_at_every_word_finds() -> None:
    rules = [RuleSpec(r.kind, r.pattern, r.category, r.reason, r.suggestion) for r in shipped_rules()]
    compiled = CompiledRules(rules, [])
    every_rule = [compile_pattern(r.kind, r.pattern) for r in rules]
    every_class = set(REASONS)
    for row in all_rows():
        text = normalise(row.text)
        expected, resume = [], 0
        for start in range(len(text)):
            if start < resume:
                continue
            ends = [m.end() for p in every_rule if (m := p.match(text, start))]
            if ends:
                expected.append((start, max(ends)))
                resume = max(ends)
        found = [(h.start, h.end) for h in compiled.scan(row.text, categories=every_class)]
        assert found == expected, row.text


def test_only_the_enabled_classes_are_flagged() -> None:
    compiled = CompiledRules([RuleSpec("phrase", "no kids", "familial_status", "r", "s")], [])
    assert compiled.scan("No kids", categories={"familial_status"})
    assert not compiled.scan("No kids", categories={"race"})


def test_an_accepted_phrase_only_drops_findings_inside_it() -> None:
    compiled = CompiledRules(
        [RuleSpec("phrase", "family", "familial_status", "r", "")], [AcceptedSpec("phrase", "family room")]
    )
    assert [h.start for h in compiled.scan("family room, family", categories={"familial_status"})] == [13]


def test_every_shipped_pattern_is_indexed_by_how_it_starts() -> None:
    # A rule the index cannot place is tried at every word: correct, but slow. None ship like that.
    patterns = [pattern_regex(r.kind, r.pattern) for r in shipped_rules()]
    patterns += [pattern_regex(a.kind, a.pattern) for a in ACCEPTED]
    assert [p[:60] for p in patterns if start_prefixes(p) is None] == []
