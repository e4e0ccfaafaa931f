"""Matching Fair Housing rules against text: pure Python, no database, no Django.

A rule is a *phrase* or a *regex*. A phrase is what an operator types ("no kids"): matched
case-insensitively on word boundaries, any run of spaces or hyphens between its words ("no-kids",
"no  kids"), each word in singular or plural ("Christian" also finds "Christians", "child" finds
"children"). A regex is matched the same way (case-insensitive, whole words), and its suggestion
may use the regex's groups (``\\1``). Before matching, dashes (en, em, non-breaking) count as "-" and curly
apostrophes as "'", so patterns only ever need the plain characters.

Speed: each rule is compiled on its own and indexed by the characters it can start with, so at
each word of a message only the few rules that could start there are tried; the longest match
wins ("no children allowed" is one finding, not "no children" plus a stray "allowed"). Accepted
phrases ("family room", "Methodist Hospital") are found first, and a finding that lies inside an
accepted phrase is dropped.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:  # CPython's regex parser: used only to index rules by how they start, so a check tries few
    import re._constants as sre
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - another Python: every rule is tried at every word instead
    sre = sre_parse = None  # type: ignore[assignment]

PHRASE = "phrase"
REGEX = "regex"

SEPARATOR = r"[\s-]+"
FLAGS = re.IGNORECASE
WORD_START = r"(?<!\w)"
WORD_END = r"(?!\w)"

SPACES = " \t\n\r\x0b\x0c"
# One character for one character, so offsets in the normalised copy are offsets in the original.
_NORMALISE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u2018\u2019\u02bc", "'"),
        **dict.fromkeys(
            "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
            " ",
        ),
    }
)


def normalise(text: str) -> str:
    return text.translate(_NORMALISE)


# Words too short or too common to inflect: "no" must not also match "nos".
_UNINFLECTED = {"and", "any", "are", "but", "for", "not", "only", "the", "too", "was", "with", "this", "that", "must"}
_IRREGULAR = {
    "man": "m[ae]n",
    "men": "m[ae]n",
    "woman": "wom[ae]n",
    "women": "wom[ae]n",
    "child": "child(?:ren)?",
    "children": "child(?:ren)?",
    "person": "(?:person|people)s?",
    "people": "(?:person|people)s?",
    "wife": "wi(?:fe|ves)",
    "wives": "wi(?:fe|ves)",
}


def _word(token: str) -> str:
    """One word of a phrase, matching its singular and plural forms."""
    lower = token.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower.endswith("man") and len(lower) > 4 and token.isalpha():  # gentleman, businessman
        return re.escape(token[:-3]) + "m[ae]n"
    escaped = re.escape(token)
    if not token.isalpha() or len(token) < 3 or lower in _UNINFLECTED:
        return escaped
    if lower.endswith("ies"):
        return re.escape(token[:-3]) + "(?:y|ies)"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return re.escape(token[:-1]) + "(?:y|ies)"
    if lower.endswith(("ss", "sh", "ch", "x", "z")):
        return escaped + "(?:es)?"
    if lower.endswith("es") and lower[:-2].endswith(("ss", "sh", "ch", "x", "z")):
        return re.escape(token[:-2]) + "(?:es)?"
    if lower.endswith("s"):
        return re.escape(token[:-1]) + "s?"
    return escaped + "s?"


def phrase_regex(phrase: str) -> str:
    """The regex a plain phrase stands for (without the word boundaries)."""
    words = re.split(SEPARATOR, normalise(phrase).strip())
    return SEPARATOR.join(_word(word) for word in words if word)


def pattern_regex(kind: str, pattern: str) -> str:
    return phrase_regex(pattern) if kind == PHRASE else pattern


def compile_pattern(kind: str, pattern: str) -> re.Pattern[str]:
    return re.compile(WORD_START + f"(?:{pattern_regex(kind, pattern)})" + WORD_END, FLAGS)


def validate_pattern(kind: str, pattern: str) -> None:
    """Raise ``ValueError`` with a readable message if the pattern cannot be used."""
    if not pattern.strip():
        raise ValueError("The pattern is empty.")
    try:
        compiled = re.compile(pattern_regex(kind, pattern), FLAGS)
    except re.error as exc:
        raise ValueError(f"Not a valid regular expression: {exc}.") from exc
    if compiled.fullmatch(""):
        raise ValueError("The pattern matches empty text, so it would flag everything.")


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    pattern: str
    category: str
    reason: str
    suggestion: str
    # Lawful in housing that qualifies as housing for older persons (HOPA: 55+ or 62+).
    older_persons_exempt: bool = False


@dataclass(frozen=True)
class AcceptedSpec:
    kind: str
    pattern: str


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    rule: RuleSpec
    suggestion: str


_CANDIDATE_STARTS = re.compile(r"(?<!\w)(?=\S)")
_TEMPLATE = re.compile(r"\\(?:\d|g<)")


class CompiledRules:
    """All rules and accepted phrases, compiled once; ``scan`` picks the enabled ones per call."""

    def __init__(self, rules: Sequence[RuleSpec], accepted: Sequence[AcceptedSpec]) -> None:
        self.rules = list(rules)
        self._compiled = [compile_pattern(r.kind, r.pattern) for r in self.rules]
        self._by_prefix: dict[str, list[int]] = {}
        self._anywhere: list[int] = []  # rules whose start could not be worked out: tried everywhere
        for index, rule in enumerate(self.rules):
            prefixes = start_prefixes(pattern_regex(rule.kind, rule.pattern))
            if prefixes is None:
                self._anywhere.append(index)
            for prefix in prefixes or ():
                self._by_prefix.setdefault(prefix, []).append(index)
        bodies = [f"(?:{pattern_regex(a.kind, a.pattern)})" for a in accepted]
        self._accepted = re.compile(WORD_START + "(?:" + "|".join(bodies) + ")" + WORD_END, FLAGS) if bodies else None

    def scan(self, text: str, *, categories: Iterable[str], older_persons: bool = False) -> list[Hit]:
        enabled = set(categories)
        normal = normalise(text)
        accepted = [m.span() for m in self._accepted.finditer(normal)] if self._accepted else []
        hits: list[Hit] = []
        resume = 0
        for candidate in _CANDIDATE_STARTS.finditer(normal):
            start = candidate.start()
            if start < resume:
                continue
            best: tuple[int, int, re.Match[str]] | None = None
            for index in self._candidates(normal[start : start + PREFIX_LENGTH].lower()):
                rule = self.rules[index]
                if rule.category not in enabled or (older_persons and rule.older_persons_exempt):
                    continue
                match = self._compiled[index].match(normal, start)
                if match and (best is None or match.end() > best[1]):
                    best = (index, match.end(), match)
            if best is None:
                continue
            index, end, match = best
            if any(a_start <= start and end <= a_end for a_start, a_end in accepted):
                continue
            hits.append(Hit(start, end, self.rules[index], self._suggestion(index, match, text)))
            resume = end
        return hits

    def _candidates(self, head: str) -> list[int]:
        found = [i for n in range(1, len(head) + 1) for i in self._by_prefix.get(head[:n], ())]
        # Sorted, so that between equally long matches the earlier rule wins, whatever its index.
        return sorted(found + self._anywhere)

    def _suggestion(self, index: int, match: re.Match[str], text: str) -> str:
        rule = self.rules[index]
        suggestion = rule.suggestion
        if rule.kind == REGEX and _TEMPLATE.search(suggestion):
            # A template naming a group the regex lacks is shown as written.
            with contextlib.suppress(re.error, IndexError):
                suggestion = match.expand(suggestion)
        return match_case(text, match.start(), match.end(), suggestion)


# --- How can a pattern start? ---------------------------------------------------------------------

PREFIX_LENGTH = 5
_MAX_PREFIXES = 4000
_MAX_RANGE = 64
Prefixes = set[tuple[str, bool]]  # (lower-cased start, closed: nothing more is known after it)


@functools.lru_cache(maxsize=2048)  # rebuilding after one rule changed re-analyses that rule only
def start_prefixes(pattern: str, length: int = PREFIX_LENGTH) -> frozenset[str] | None:
    """Every way a match can begin, cut at ``length`` characters or fewer if there are too many ways.

    None when it could begin with anything.
    """
    if sre_parse is None:
        return None
    try:
        parsed = list(sre_parse.parse(pattern, FLAGS))
    except Exception:  # noqa: BLE001 - the engine reports invalid patterns; here it only costs speed
        return None
    for cut in range(length, 0, -1):
        try:
            found = _sequence(parsed, cut)
        except _Unknown:
            continue
        except Exception:  # noqa: BLE001 - a parse tree this does not know only costs speed, never a finding
            return None
        keys = frozenset(text for text, _closed in found)
        return None if "" in keys else keys
    return None


class _Unknown(Exception):
    pass


def _sequence(items: list[tuple[Any, Any]], length: int) -> Prefixes:
    results: Prefixes = {("", False)}
    for op, av in items:
        grown: Prefixes = set()
        for text, closed in results:
            if closed or len(text) >= length:
                grown.add((text[:length], True))
                continue
            for more, more_closed in _item(op, av, length - len(text)):
                joined = text + more
                grown.add((joined, more_closed or len(joined) >= length))
        if len(grown) > _MAX_PREFIXES:
            raise _Unknown
        results = grown
        if all(closed for _text, closed in results):
            break
    return results


def _item(op: Any, av: Any, length: int) -> Prefixes:
    if op is sre.LITERAL:
        return {(chr(av).lower(), False)}
    if op is sre.IN:
        chars = _set_chars(av)
        return {("", True)} if chars is None else {(c, False) for c in chars}
    if op is sre.BRANCH:
        return set().union(*(_sequence(list(branch), length) for branch in av[1]))
    if op is sre.SUBPATTERN:
        return _sequence(list(av[-1]), length)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, item = av
        # Exactly one repetition, then whatever follows; or two (or more), known only that far.
        once = _sequence(list(item), length)
        found = set(once)
        if high >= 2:
            found |= {((first + second)[:length], True) for first, closed in once if not closed for second, _ in once}
        return found | {("", False)} if low == 0 else found
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return {("", False)}  # zero-width: the match starts with whatever follows
    return {("", True)}


def _set_chars(items: list[tuple[Any, Any]]) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av).lower())
        elif op is sre.RANGE and av[1] - av[0] <= _MAX_RANGE:
            chars.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            chars.update("0123456789")
        elif op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            chars.update(SPACES)  # normalise() turns every other space character into one of these
        else:
            return None  # negated sets, \w, \s, wide ranges: anything could come next
    return chars


# --- Fitting a replacement into the text ---------------------------------------------------------

_SENTENCE_END = re.compile(r"(?:^|[.!?\n])[\s\"'\u201c\u2018(\[*-]*$")


def match_case(text: str, start: int, end: int, replacement: str) -> str:
    """Fit a replacement to where it goes: SHOUTED stays shouted, a sentence start is capitalised."""
    if not replacement:
        return replacement
    letters = [c for c in text[start:end] if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return replacement.upper()
    if _SENTENCE_END.search(text[max(0, start - 40) : start]) and replacement[0].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement
