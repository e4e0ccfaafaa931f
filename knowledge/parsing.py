"""Text formats into headings and paragraphs: HTML, Markdown, plain text and re-flowed PDF lines.

No file handling here (``knowledge.extraction`` decides what a file is and reads it); these
functions take text and return ``Block``s, in reading order, for the chunker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1 to 6) or a paragraph (``level`` 0); ``page`` for PDFs."""

    text: str
    level: int = 0
    page: int | None = None

    @property
    def is_heading(self) -> bool:
        return self.level > 0


# --- HTML ----------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "title"})
    BLOCK = frozenset(
        {
            "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
            "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "nav", "ol",
            "p", "pre", "section", "summary", "table", "tbody", "thead", "tr", "ul",
        }
    )  # fmt: skip
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.level = 0
        self.skipping = 0

    def flush(self) -> None:
        lines = [clean_line(line) for line in "".join(self.buffer).split("\n")]
        text = "\n".join(line for line in lines if line).strip(" |")
        if text:
            self.blocks.append(Block(text, level=self.level))
        self.buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.HEADINGS:
            self.flush()
            self.level = self.HEADINGS[tag]
        elif tag in self.BLOCK:
            self.flush()
        elif tag == "br":
            self.buffer.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.buffer.append("\n")
        elif tag in self.BLOCK and tag not in self.SKIP:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.HEADINGS:
            self.flush()
            self.level = 0
        elif tag in ("td", "th"):
            self.buffer.append(" | ")
        elif tag in self.BLOCK:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.buffer.append(data)


def html_blocks(html: str) -> list[Block]:
    """Visible text only: scripts, styles and markup are dropped; h1 to h6 become headings."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


# --- Markdown and plain text ---------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](\S(?:[^*_\n]*\S)?)[*_](?![\w*])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
]


def _markdown_inline(line: str) -> str:
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return line


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    fence: str | None = None

    def flush() -> None:
        joined = "\n".join(clean_line(_markdown_inline(line.lstrip("> "))) for line in paragraph).strip()
        if joined:
            blocks.append(Block(joined))
        paragraph.clear()

    for line in text.split("\n"):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                flush()
            else:
                paragraph.append(line)
            continue
        if match := _FENCE.match(line):
            flush()
            fence = match.group(1)
        elif match := _ATX.match(line):
            flush()
            blocks.append(Block(clean_line(_markdown_inline(match.group(2))), level=len(match.group(1))))
        elif (match := _SETEXT.match(line)) and len(paragraph) == 1 and paragraph[0].strip():
            heading = clean_line(_markdown_inline(paragraph.pop()))
            blocks.append(Block(heading, level=1 if match.group(1).startswith("=") else 2))
        elif not line.strip():
            flush()
        elif not _TABLE_RULE.match(line):
            paragraph.append(line)
    flush()
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Paragraphs split on blank lines; a short, title-like line on its own is taken as a heading."""
    blocks: list[Block] = []
    for part in re.split(r"\n\s*\n", text):
        blocks.extend(lines_to_blocks(part.split("\n"), wrapped=False))
    return blocks


def lines_to_blocks(lines: Iterable[str], *, page: int | None = None, wrapped: bool) -> list[Block]:
    """Group lines into headings and paragraphs.

    ``wrapped`` lines (PDF text) are re-flowed into paragraphs: a line that ends a sentence well
    short of the usual line length ends its paragraph, and words hyphenated across lines are
    joined. Otherwise line breaks are kept.
    """
    cleaned = [clean_line(line) for line in lines]
    cleaned = [line for line in cleaned if not _is_page_furniture(line)]
    lengths = sorted(len(line) for line in cleaned if line)
    usual = lengths[(len(lengths) * 3) // 4] if lengths else 0
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(_join_wrapped(paragraph) if wrapped else "\n".join(paragraph), page=page))
            paragraph.clear()

    for line in cleaned:
        if not line:
            flush()
        elif looks_like_heading(line) and (not paragraph or _ends_sentence(paragraph[-1]) or not wrapped):
            flush()
            blocks.append(Block(line.rstrip(":"), level=2, page=page))
        else:
            paragraph.append(line)
            if wrapped and _ends_sentence(line) and len(line) < 0.7 * usual:
                flush()
    flush()
    return blocks


_NUMBERED = re.compile(r"^((\d+(\.\d+)*\.?)|([IVXLC]+\.)|([A-Z]\.)|(section|article|part)\s+\w+[.:]?)\s+\S", re.I)


def looks_like_heading(line: str) -> bool:
    """A best guess: short, no closing punctuation, and in capitals, title case or numbered."""
    words = line.split()
    if not 1 <= len(words) <= 10 or len(line) > 80 or line.endswith((".", ",", ";", "?", "!")):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    letters = [char for char in line if char.isalpha()]
    if len(letters) < 3:
        return False
    if line.isupper() or _NUMBERED.match(line):
        return True
    significant = [word for word in words if len(word) > 3 and word[0].isalpha()]
    return bool(significant) and sum(word[0].isupper() for word in significant) / len(significant) >= 0.75


def _ends_sentence(line: str) -> bool:
    return line.rstrip("\"')\u201d\u2019").endswith((".", "!", "?", ":"))


def _is_page_furniture(line: str) -> bool:
    return bool(re.fullmatch(r"(page\s+)?\d{1,4}(\s+(of|/)\s+\d{1,4})?", line, re.I))


def _join_wrapped(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        hyphenated = text.endswith("-") and line[:1].islower()
        text = text[:-1] + line if hyphenated else f"{text} {line}"
    return text


def clean_line(line: str) -> str:
    return re.sub(r"[ \t\f\v\u00a0\u200b]+", " ", line).strip()
