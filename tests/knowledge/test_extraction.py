"""Extraction: each file type's text and headings, type by content, and the hostile files refused."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from knowledge import extraction
from knowledge.extraction import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    TEXT,
    Block,
    ExtractionError,
    clean_filename,
    extract,
    title_from_filename,
)
from tests.knowledge.samples import encrypt_pdf, make_docx, make_pdf, zip_bomb_docx

GUIDE_PDF = make_pdf(
    [
        ["# Pet Policy", "Dogs up to 50 lb are welcome with a $300 deposit and $35", "monthly pet rent.", "12"],
        ["PARKING", "Covered parking is $40 per month.", "Page 2 of 2"],
    ]
)


def headings(blocks: list[Block]) -> list[str]:
    return [block.text for block in blocks if block.is_heading]


def paragraphs(blocks: list[Block]) -> list[str]:
    return [block.text for block in blocks if not block.is_heading]


# --- Each type -----------------------------------------------------------------------------------


def test_a_pdf_is_read_page_by_page_with_its_headings_guessed_and_wrapped_lines_joined() -> None:
    result = extract(GUIDE_PDF, "guide.pdf")
    assert result.kind is PDF
    assert result.blocks == [
        Block("Pet Policy", level=2, page=1),
        Block("Dogs up to 50 lb are welcome with a $300 deposit and $35 monthly pet rent.", page=1),
        Block("PARKING", level=2, page=2),
        Block("Covered parking is $40 per month.", page=2),
    ]  # page numbers ("12", "Page 2 of 2") are dropped


def test_a_docx_keeps_its_heading_styles_and_reads_tables_row_by_row() -> None:
    data = make_docx(
        [("Title", "Resident guide"), ("Heading 1", "Pets"), ("", "Cats only."), ("Heading 2", "Fees"), ("", "")],
        table=[["Fee", "Amount"], ["Application", "$45"]],
    )
    result = extract(data, "guide.docx")
    assert result.kind is DOCX
    assert [(block.text, block.level) for block in result.blocks] == [
        ("Resident guide", 1),
        ("Pets", 1),
        ("Cats only.", 0),
        ("Fees", 2),
        ("Fee | Amount", 0),
        ("Application | $45", 0),
    ]


def test_html_gives_its_visible_text_only_with_h1_to_h3_as_headings() -> None:
    page = b"""<!doctype html><html><head><title>Ignored</title><style>p { color: red }</style>
    <script>document.write("<p>injected</p>")</script></head><body>
    <nav>Home</nav><h1>Pet policy</h1><p>Dogs &amp; cats <b>welcome</b>.<br>Two per home.</p>
    <h3>Fees</h3><table><tr><th>Deposit</th><td>$300</td></tr></table><noscript>Enable JS</noscript>
    <!-- a comment --></body></html>"""
    result = extract(page, "page.html")
    assert result.kind is HTML
    assert headings(result.blocks) == ["Pet policy", "Fees"]
    assert paragraphs(result.blocks) == ["Home", "Dogs & cats welcome.\nTwo per home.", "Deposit | $300"]
    assert "injected" not in result.text
    assert "color" not in result.text
    assert "Ignored" not in result.text


def test_markdown_headings_become_headings_and_the_markup_goes() -> None:
    text = (
        b"# Parking\n\nCovered parking is **$40** a month ([details](https://example.com)).\n\nGarage\n---\n\n- $85\n"
    )
    result = extract(text, "parking.md")
    assert result.kind is MARKDOWN
    assert [(block.text, block.level) for block in result.blocks] == [
        ("Parking", 1),
        ("Covered parking is $40 a month (details).", 0),
        ("Garage", 2),
        ("- $85", 0),
    ]


def test_markdown_is_recognised_by_its_headings_even_when_named_txt() -> None:
    assert extract(b"# Pets\n\nCats only.\n", "notes.txt").kind is MARKDOWN


def test_plain_text_keeps_its_paragraphs_and_takes_a_capitalised_line_for_a_heading() -> None:
    result = extract("MOVE-IN\n\nKeys are handed out\non the day.\n\nCafé hours: 9\u20135.\n".encode("cp1252"), "a.txt")
    assert result.kind is TEXT
    assert [(block.text, block.level) for block in result.blocks] == [
        ("MOVE-IN", 2),
        ("Keys are handed out\non the day.", 0),
        ("Café hours: 9\u20135.", 0),
    ]


def test_utf16_text_with_a_byte_order_mark_is_read() -> None:
    assert extract("Pets are welcome.".encode("utf-16"), "a.txt").text == "Pets are welcome."


# --- Type by content, not by name ---------------------------------------------------------------


def test_a_pdf_renamed_txt_is_read_as_a_pdf() -> None:
    assert extract(GUIDE_PDF, "innocent.txt").kind is PDF


def test_a_docx_renamed_pdf_is_read_as_a_docx() -> None:
    assert extract(make_docx([("", "Cats only.")]), "scan.pdf").kind is DOCX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), "not a PDF, Word"),  # a Windows .exe
        (b"\x7fELF\x02\x01\x01\x00" + bytes(100), "not a PDF, Word"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "Pictures cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"Old Word \(\.doc\)"),
        (b"{\\rtf1\\ansi Pets}", "RTF files"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "not a PDF, Word"),
    ],
    ids=["exe", "elf", "png", "doc", "rtf", "svg"],
)
def test_a_file_of_another_type_named_pdf_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract(data, "policy.pdf")


def test_a_zip_that_is_not_a_word_file_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ExtractionError, match="spreadsheets and presentations"):
        extract(out.getvalue(), "fees.docx")


# --- Hostile and broken files --------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings: Any) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    with pytest.raises(ExtractionError, match="larger than 1 MB"):
        extract(b"a" * (1024 * 1024 + 1), "big.txt")
    assert extract(b"a " * (512 * 1024 - 1), "just-fits.txt").kind is TEXT


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ExtractionError, match="empty"):
        extract(b"", "empty.pdf")


def test_a_docx_that_inflates_a_thousandfold_is_refused_before_python_docx_opens_it(monkeypatch: Any) -> None:
    bomb = zip_bomb_docx(inflated_mb=8)
    opened = []
    monkeypatch.setattr("docx.Document", lambda *args: opened.append(args))
    with pytest.raises(ExtractionError, match="inflates to far more data"):
        extract(bomb, "bomb.docx")
    assert opened == []


def test_a_docx_whose_members_add_up_beyond_the_cap_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(extraction, "MAX_DOCX_UNCOMPRESSED", 20_000)
    with pytest.raises(ExtractionError, match="inflates to far more data"):
        extract(make_docx([("", "word " * 5000)]), "long.docx")


def test_a_docx_with_thousands_of_members_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(extraction, "MAX_DOCX_MEMBERS", 5)
    with pytest.raises(ExtractionError, match="inflates to far more data"):
        extract(make_docx([("", "Cats only.")]), "many.docx")


def test_a_docx_whose_member_lies_about_its_size_is_refused_as_damaged() -> None:
    # Declare word/document.xml smaller than it is: zipfile inflates no more than declared, then
    # its CRC check fails. The declared sizes the zip-bomb check reads are therefore an upper bound.
    data = bytearray(make_docx([("", "Cats only. " * 200)]))
    header = data.find(b"PK\x01\x02")  # each central directory entry
    while header != -1:
        name_length = int.from_bytes(data[header + 28 : header + 30], "little")
        if data[header + 46 : header + 46 + name_length] == b"word/document.xml":
            size = int.from_bytes(data[header + 24 : header + 28], "little")
            data[header + 24 : header + 28] = (size // 4).to_bytes(4, "little")
        header = data.find(b"PK\x01\x02", header + 4)
    with pytest.raises(ExtractionError, match="could not be read"):
        extract(bytes(data), "liar.docx")


def test_a_password_protected_pdf_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ExtractionError, match="protected by a password"):
        extract(encrypt_pdf(GUIDE_PDF, user_password="s3cret"), "locked.pdf")


def test_a_pdf_that_only_restricts_copying_opens_without_a_password() -> None:
    assert "Pet Policy" in extract(encrypt_pdf(GUIDE_PDF, user_password=""), "restricted.pdf").text


def test_a_damaged_pdf_is_refused() -> None:
    with pytest.raises(ExtractionError, match="could not be read"):
        extract(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntruncated", "broken.pdf")


def test_a_pdf_without_text_says_it_may_be_a_scan() -> None:
    with pytest.raises(ExtractionError, match=r"No text was found.*scan"):
        extract(make_pdf([[]]), "scan.pdf")


@pytest.mark.parametrize(
    "data", [b"   \n\n  ", b"<html><body><script>var a = 1;</script></body></html>", b"# Only a heading\n"]
)
def test_a_file_without_any_text_is_refused(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="No text was found"):
        extract(data, "blank.txt")


def test_text_beyond_the_cap_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 100)
    with pytest.raises(ExtractionError, match="more than 100 characters"):
        extract(b"word " * 50, "long.txt")


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/var/www/.htaccess", "htaccess"),
        ("pet\x00policy.pdf", "petpolicy.pdf"),
        ("fees\r\n2026.pdf", "fees2026.pdf"),
        ("  spaced   out .md ", "spaced out .md"),
        ("", "upload"),
        ("..", "upload"),
    ],
)
def test_an_uploaded_name_is_cleaned_for_display(name: str, cleaned: str) -> None:
    assert clean_filename(name) == cleaned


def test_a_very_long_name_is_shortened_and_keeps_its_extension() -> None:
    cleaned = clean_filename("a" * 1000 + ".pdf")
    assert len(cleaned) == 255
    assert cleaned.endswith("….pdf")


def test_a_title_comes_from_the_file_name() -> None:
    assert title_from_filename("../uploads/pet_policy_2026.pdf") == "pet policy 2026"
    assert title_from_filename("...") == "upload"
