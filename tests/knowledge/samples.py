"""Small documents built in memory for the knowledge tests: PDFs, DOCX files and hostile variants.

The PDFs are written by hand (one Helvetica font, one text line per ``Tj``) so the tests need no
PDF-writing library; pypdf reads them like any other.
"""

from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfWriter

HEADING = "#"  # a line starting with this is drawn large and bold in ``make_pdf``


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def _page_stream(lines: list[str]) -> bytes:
    parts = [b"BT", b"72 740 Td"]
    for line in lines:
        if line.startswith(HEADING):
            parts += [b"/F2 16 Tf", _pdf_string(line.removeprefix(HEADING).strip()) + b" Tj", b"0 -24 Td"]
        else:
            parts += [b"/F1 11 Tf", _pdf_string(line) + b" Tj", b"0 -15 Td"]
    parts.append(b"ET")
    return b"\n".join(parts)


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with one page per list of lines; lines starting with ``#`` are headings."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        stream = _page_stream(lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % content
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def encrypt_pdf(pdf: bytes, *, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(parts: list[tuple[str, str]], *, table: list[list[str]] | None = None) -> bytes:
    """A DOCX from ``(style, text)`` pairs, e.g. ``("Heading 1", "Pets")``, ``("", "Dogs are welcome.")``."""
    document = docx.Document()
    for style, text in parts:
        if style.startswith("Heading "):
            document.add_heading(text, level=int(style.removeprefix("Heading ")))
        elif style == "Title":
            document.add_heading(text, level=0)
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bomb_docx(*, inflated_mb: int = 64) -> bytes:
    """A real DOCX with one extra member of zeros that inflates ~1000:1."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("", "Innocent text.")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, source.read(info.filename))
        bomb.writestr("word/media/padding.bin", bytes(inflated_mb * 1024 * 1024))
    return out.getvalue()
