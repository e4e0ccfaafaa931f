"""Cut extracted blocks into chunks for search: a heading each, 800 to 1,200 characters, overlapping.

A heading always starts a new chunk and every chunk carries the headings above it ("Pet policy >
Deposits" on screen), so a passage is never cited without its context. Within a section, paragraphs are
packed up to ``MAX_CHARS``; a paragraph too long for one chunk is cut between sentences, else
between words — never inside a word. Each chunk after the first of a section starts with the last
~15% of the one before, so a fact that straddles the cut is whole in at least one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.parsing import Block

MAX_CHARS = 1200
OVERLAP = 0.15
HEADING_CHARS = 300  # Chunk.heading's max_length
HEADING_PART_CHARS = 120
PARAGRAPH = "\n\n"
BREADCRUMB = " \u203a "  # a single right-pointing angle quote: "Pet policy > Deposits"


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it is embedded and stored."""

    heading: str
    text: str

    @property
    def embedding_text(self) -> str:
        # The heading is part of what the passage means ("Deposits" under "Pet policy").
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True)
class _Piece:
    text: str
    joiner: str  # what separates it from the piece before: a paragraph break or a space


@dataclass
class _Section:
    heading: str
    paragraphs: list[str]


def chunk_blocks(blocks: Sequence[Block], *, default_heading: str = "", max_chars: int = MAX_CHARS) -> list[ChunkDraft]:
    chunks: list[ChunkDraft] = []
    for section in _sections(blocks, default_heading):
        chunks.extend(ChunkDraft(heading=section.heading, text=text) for text in _pack(section.paragraphs, max_chars))
    return chunks


def _sections(blocks: Sequence[Block], default_heading: str) -> list[_Section]:
    sections: list[_Section] = []
    trail: list[tuple[int, str]] = []  # the headings above the current block, outermost first
    current: _Section | None = None
    page: int | None = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.is_heading:
            trail = [(level, heading) for level, heading in trail if level < block.level]
            trail.append((block.level, text))
            current = None
            continue
        if current is None or block.page != page:  # PDF pages are section boundaries too
            page = block.page
            current = _Section(heading=_heading(trail, page, default_heading), paragraphs=[])
            sections.append(current)
        current.paragraphs.append(text)
    return sections


def _heading(trail: list[tuple[int, str]], page: int | None, default: str) -> str:
    parts = [_shorten(heading, HEADING_PART_CHARS) for _, heading in trail]
    heading = BREADCRUMB.join(parts) if parts else default.strip()
    if page is not None:
        heading = f"{heading} (page {page})" if heading else f"Page {page}"
    return _shorten(heading, HEADING_CHARS)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def _pack(paragraphs: list[str], max_chars: int) -> list[str]:
    # Room is kept for the overlap: a piece plus the tail of the chunk before still fits.
    piece_chars = max_chars - int(max_chars * OVERLAP) - 1
    pieces: list[_Piece] = []
    for paragraph in paragraphs:
        for index, part in enumerate(split_long(paragraph, piece_chars)):
            pieces.append(_Piece(part, " " if index else PARAGRAPH))

    chunks: list[str] = []
    current: list[_Piece] = []
    for piece in pieces:
        if current and _length(current) + len(piece.joiner) + len(piece.text) > max_chars:
            done = _join(current)
            chunks.append(done)
            tail = overlap_tail(done, int(len(done) * OVERLAP))
            fits = len(tail) + len(piece.joiner) + len(piece.text) <= max_chars
            current = [_Piece(tail, "")] if tail and fits else []
        current.append(piece)
    if current:
        chunks.append(_join(current))
    return chunks


def _length(pieces: list[_Piece]) -> int:
    return len(_join(pieces))


def _join(pieces: list[_Piece]) -> str:
    return "".join((piece.joiner if index else "") + piece.text for index, piece in enumerate(pieces))


_SENTENCE_END = re.compile("(?<=[.!?])[\"')\\]\u201d\u2019]*\\s+")


def split_long(text: str, max_chars: int) -> list[str]:
    """``text`` in parts of at most ``max_chars``, cut between sentences, else between words."""
    if len(text) <= max_chars:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        for unit in _words_within(sentence, max_chars) if len(sentence) > max_chars else [sentence]:
            if current and len(current) + 1 + len(unit) > max_chars:
                parts.append(current)
                current = unit
            else:
                current = f"{current} {unit}" if current else unit
    if current:
        parts.append(current)
    return parts


def _words_within(sentence: str, max_chars: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for word in sentence.split():
        while len(word) > max_chars:  # a "word" longer than a chunk (a URL, a hash): the one forced cut
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:max_chars])
            word = word[max_chars:]
        if current and len(current) + 1 + len(word) > max_chars:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        parts.append(current)
    return parts


def overlap_tail(text: str, size: int) -> str:
    """About the last ``size`` characters of ``text``, starting at a sentence or at least a word."""
    if size <= 0 or len(text) <= size:
        return ""
    start = len(text) - size
    window = text[start:]
    # A sentence start within the first half of the window reads better than a mid-sentence word.
    sentence = _SENTENCE_END.search(window[: size // 2])
    if sentence:
        return window[sentence.end() :].strip()
    if text[start - 1].isspace():
        return window.strip()
    space = re.search(r"\s", window)
    return window[space.end() :].strip() if space else ""
