"""Chunking: headings carried, sizes bounded, overlap between neighbours, words never cut."""

from __future__ import annotations

import itertools
import random
import re

from knowledge.chunking import BREADCRUMB, MAX_CHARS, chunk_blocks, overlap_tail, split_long
from knowledge.parsing import Block

WORDS = ["the", "resident", "may", "keep", "one", "dog", "or", "cat", "with", "a", "deposit", "and", "monthly", "rent"]


def prose(sentences: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(sentences)
    )


def long_policy() -> list[Block]:
    return [
        Block("Pet policy", level=1),
        Block("Dogs", level=2),
        *[Block(prose(5, seed)) for seed in range(6)],
        Block("Cats", level=2),
        Block("Cats are welcome."),
        Block("Fees", level=1),
        Block(prose(40, 99)),  # one paragraph far longer than a chunk
    ]


def test_every_chunk_carries_the_headings_above_it() -> None:
    headings = [chunk.heading for chunk in chunk_blocks(long_policy())]
    assert headings[0] == f"Pet policy{BREADCRUMB}Dogs"
    assert f"Pet policy{BREADCRUMB}Cats" in headings
    assert headings[-1] == "Fees"
    assert headings == sorted(
        headings, key=[f"Pet policy{BREADCRUMB}Dogs", f"Pet policy{BREADCRUMB}Cats", "Fees"].index
    )


def test_a_heading_always_starts_a_new_chunk() -> None:
    chunks = chunk_blocks(long_policy())
    cats = [chunk for chunk in chunks if chunk.heading.endswith("Cats")]
    assert [chunk.text for chunk in cats] == ["Cats are welcome."]


def test_chunks_stay_within_the_size_and_full_ones_are_at_least_800_characters() -> None:
    chunks = chunk_blocks(long_policy())
    assert all(len(chunk.text) <= MAX_CHARS for chunk in chunks)
    by_section: dict[str, list[int]] = {}
    for chunk in chunks:
        by_section.setdefault(chunk.heading, []).append(len(chunk.text))
    for sizes in by_section.values():
        assert all(size >= 800 for size in sizes[:-1]), sizes  # only a section's last chunk may be short


def test_neighbouring_chunks_overlap_by_about_fifteen_percent() -> None:
    chunks = [chunk.text for chunk in chunk_blocks(long_policy()) if chunk.heading == "Fees"]
    assert len(chunks) >= 3
    for before, after in itertools.pairwise(chunks):
        shared = next(size for size in range(len(after), 0, -1) if before.endswith(after[:size]))
        assert 0.05 * len(before) <= shared <= 0.2 * len(before), (shared, len(before))


def test_no_chunk_starts_or_ends_inside_a_word() -> None:
    text = " ".join(block.text for block in long_policy())
    words = set(re.findall(r"[A-Za-z]+", text))
    for chunk in chunk_blocks(long_policy()):
        first, last = re.findall(r"[A-Za-z]+", chunk.text)[0], re.findall(r"[A-Za-z]+", chunk.text)[-1]
        assert first.lower() in {word.lower() for word in words}
        assert last.lower() in {word.lower() for word in words}
        assert chunk.text == chunk.text.strip()


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [prose(3, seed) for seed in range(10)]
    chunks = chunk_blocks([Block(text) for text in paragraphs], default_heading="Guide")
    for chunk in chunks:
        pieces = chunk.text.split("\n\n")
        assert all(piece in paragraphs or any(p.endswith(piece) for p in paragraphs) for piece in pieces)


def test_pdf_pages_are_boundaries_and_named_in_the_heading() -> None:
    blocks = [
        Block("Pets", level=2, page=1),
        Block("Cats only.", page=1),
        Block("Dogs need approval.", page=2),
        Block("Untitled start.", page=None),
    ]
    assert [(chunk.heading, chunk.text) for chunk in chunk_blocks(blocks)] == [
        ("Pets (page 1)", "Cats only."),
        ("Pets (page 2)", "Dogs need approval."),
        ("Pets", "Untitled start."),
    ]
    assert chunk_blocks([Block("Text without headings.", page=3)])[0].heading == "Page 3"


def test_a_document_without_headings_uses_its_title() -> None:
    assert chunk_blocks([Block("Rent is due on the first.")], default_heading="Lease basics")[0].heading == (
        "Lease basics"
    )


def test_the_embedded_text_includes_the_heading() -> None:
    chunk = chunk_blocks([Block("Deposits", level=1), Block("$300 per pet.")])[0]
    assert chunk.embedding_text == "Deposits\n$300 per pet."


def test_splitting_prefers_sentences_then_words_and_cuts_a_word_only_when_it_is_longer_than_a_chunk() -> None:
    assert split_long("One two. Three four.", 10) == ["One two.", "Three", "four."]
    assert split_long("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_the_overlap_starts_at_a_sentence_when_one_is_near() -> None:
    assert overlap_tail("First sentence here. Second one is the tail", 30) == "Second one is the tail"
    assert overlap_tail("alpha beta gamma delta", 9) == "delta"
    assert overlap_tail("short", 10) == ""
