"""Turn an uploaded file (or pasted text) into text blocks: headings and paragraphs, in order.

The type comes from the bytes, never from the name: a PDF renamed ``.txt`` is read as a PDF and
an executable renamed ``.pdf`` is refused. The name only decides between Markdown and plain text,
which are the same bytes. Every refusal is an ``ExtractionError`` whose message can be shown to
the person who uploaded the file as is.

Uploads are extracted in full before anything is stored (a file that cannot be read never
becomes a document), and again by the ingestion task from the stored copy.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings

from knowledge.parsing import Block, clean_line, html_blocks, lines_to_blocks, markdown_blocks, text_blocks

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 1000
MAX_TEXT_CHARS = 2_000_000  # ~2,000 chunks: minutes of embedding on one core
# DOCX files are ZIP archives. These limits are checked on the archive's directory before
# python-docx inflates anything. (zipfile never inflates a member past its declared size: a
# member that lies about its size fails its CRC check instead.)
MAX_DOCX_MEMBERS = 2000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 100  # XML compresses 5 to 20 times; a megabyte-sized member at 100:1 is padding
RATIO_CHECKED_FROM = 1024 * 1024


class ExtractionError(ValueError):
    """The file cannot be used; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class FileKind:
    name: str
    label: str
    content_type: str
    extension: str


PDF = FileKind("pdf", "PDF", "application/pdf", "pdf")
DOCX = FileKind(
    "docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
)
HTML = FileKind("html", "HTML page", "text/html", "html")
MARKDOWN = FileKind("markdown", "Markdown", "text/markdown", "md")
TEXT = FileKind("text", "Plain text", "text/plain", "txt")
KINDS = {kind.name: kind for kind in (PDF, DOCX, HTML, MARKDOWN, TEXT)}
ACCEPT = ".pdf,.docx,.html,.htm,.md,.markdown,.txt,application/pdf,text/plain,text/markdown,text/html"

UNSUPPORTED = "This file is not a PDF, Word (.docx), HTML, Markdown or plain-text file."


@dataclass(frozen=True)
class Extracted:
    kind: FileKind
    blocks: list[Block]

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


def max_upload_bytes() -> int:
    return int(settings.KNOWLEDGE_MAX_UPLOAD_MB) * 1024 * 1024


def check_size(size: int) -> None:
    if size > max_upload_bytes():
        raise ExtractionError(f"The file is larger than {settings.KNOWLEDGE_MAX_UPLOAD_MB} MB.")
    if size == 0:
        raise ExtractionError("The file is empty.")


def extract(data: bytes, filename: str = "") -> Extracted:
    """Read ``data`` as whatever its bytes say it is, or raise ``ExtractionError``."""
    check_size(len(data))
    kind = sniff(data, filename)
    if kind is PDF:
        blocks = _pdf_blocks(data)
    elif kind is DOCX:
        blocks = _docx_blocks(data)
    else:
        text = decode_text(data)
        if text is None:  # sniff() decoded it already; this keeps mypy and a future edit honest
            raise ExtractionError(UNSUPPORTED)
        blocks = html_blocks(text) if kind is HTML else markdown_blocks(text) if kind is MARKDOWN else text_blocks(text)
    return Extracted(kind=kind, blocks=checked_blocks(blocks, kind))


def checked_blocks(blocks: list[Block], kind: FileKind | None = None) -> list[Block]:
    if not any(block.text.strip() and not block.is_heading for block in blocks):
        hint = " If it is a scan, it holds pictures of text, which cannot be read yet." if kind is PDF else ""
        raise ExtractionError(f"No text was found in this file.{hint}")
    if sum(len(block.text) for block in blocks) > MAX_TEXT_CHARS:
        raise ExtractionError(
            f"This file holds more than {MAX_TEXT_CHARS:,} characters of text; split it into smaller documents."
        )
    return blocks


# --- What is it? ---------------------------------------------------------------------------------

_HTML_TAGS = re.compile(r"<(!doctype\s+html|html|head|body|p|div|h[1-6]|table|ul|ol|article|section|br)\b", re.I)


def sniff(data: bytes, filename: str = "") -> FileKind:
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ExtractionError("Old Word (.doc) files cannot be read. Save it as .docx or PDF and upload that.")
    if head.startswith(b"{\\rtf"):
        raise ExtractionError("RTF files cannot be read. Save it as .docx or PDF and upload that.")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")):
        raise ExtractionError("Pictures cannot be read: upload the text as PDF, Word, HTML or plain text.")
    text = decode_text(data)
    if text is None:
        raise ExtractionError(UNSUPPORTED)
    start = text[:2048].lstrip().lower()
    if start.startswith("<") and _HTML_TAGS.search(start):
        return HTML
    if start.startswith("<?xml") or start.startswith("<svg"):
        raise ExtractionError(UNSUPPORTED)
    if filename.lower().endswith((".md", ".markdown")) or re.search(r"^#{1,6} \S", text[:20_000], re.M):
        return MARKDOWN
    return TEXT


def _sniff_zip(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError("This file looks like a damaged ZIP or Word file.") from exc
    if "word/document.xml" in names:
        return DOCX
    raise ExtractionError("ZIP archives, spreadsheets and presentations cannot be read: upload PDF or Word files.")


def decode_text(data: bytes) -> str | None:
    """The text of ``data``, or ``None`` when it is binary rather than text in a common encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data[:8192]:
        return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # Windows "ANSI", what Notepad saved for years
            except UnicodeDecodeError:
                return None
    sample = text[:20_000]
    controls = sum(1 for char in sample if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f")
    if controls > max(2, len(sample) // 200):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- File names ----------------------------------------------------------------------------------


def clean_filename(name: str, *, limit: int = 255) -> str:
    """A name fit for display: no folders, control characters or NULs; at most ``limit`` characters.

    Only ever shown; files are stored under generated keys.
    """
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if not name:
        return "upload"
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: limit - len(extension) - 2].rstrip() + "…." + extension
        else:
            name = name[: limit - 1].rstrip() + "…"
    return name


def title_from_filename(name: str) -> str:
    """ "pet_policy-2026.pdf" → "pet policy-2026": the default title of an uploaded document."""
    stem = clean_filename(name)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    return (re.sub(r"_+", " ", stem).strip() or "Untitled document")[:200]


# --- PDF -----------------------------------------------------------------------------------------


def _pdf_blocks(data: bytes) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    locked = "This PDF is protected by a password. Save an unprotected copy and upload that."
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                # Many "protected" PDFs only restrict printing or copying and open with no password.
                if not reader.decrypt(""):
                    raise ExtractionError(locked)
            except (DependencyError, NotImplementedError, FileNotDecryptedError, PdfReadError) as exc:
                raise ExtractionError(locked) from exc
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(f"This PDF has more than {MAX_PDF_PAGES} pages; split it into smaller documents.")
        blocks: list[Block] = []
        for number, page in enumerate(reader.pages, start=1):
            blocks.extend(lines_to_blocks((page.extract_text() or "").split("\n"), page=number, wrapped=True))
        return blocks
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many types on malformed input; all mean "unreadable"
        logger.info("PDF could not be read", extra={"error": repr(exc)[:300]})
        raise ExtractionError("This PDF could not be read; it may be damaged.") from exc


# --- DOCX ----------------------------------------------------------------------------------------


def check_zip_limits(data: bytes) -> None:
    """Refuse archives that would inflate far beyond their size (zip bombs) before anything reads them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError("This Word file is damaged.") from exc
    bomb = ExtractionError("This Word file inflates to far more data than it holds, so it was refused.")
    if len(members) > MAX_DOCX_MEMBERS:
        raise bomb
    if sum(member.file_size for member in members) > MAX_DOCX_UNCOMPRESSED:
        raise bomb
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM and member.file_size > MAX_DOCX_RATIO * max(member.compress_size, 1):
            raise bomb


def _docx_blocks(data: bytes) -> list[Block]:
    check_zip_limits(data)
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        # python-docx parses XML with resolve_entities=False: no entity-expansion bombs either.
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        for element in document.element.body.iterchildren():
            if element.tag == qn("w:p"):
                paragraph = Paragraph(element, document)
                text = clean_line(paragraph.text)
                if text:
                    blocks.append(Block(text, level=_docx_heading_level(paragraph)))
            elif element.tag == qn("w:tbl"):
                for row in Table(element, document).rows:
                    cells = list(dict.fromkeys(clean_line(cell.text) for cell in row.cells))  # merged cells repeat
                    line = " | ".join(cell for cell in cells if cell)
                    if line:
                        blocks.append(Block(line))
        return blocks
    except ExtractionError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types on malformed input
        logger.info("DOCX could not be read", extra={"error": repr(exc)[:300]})
        raise ExtractionError("This Word file could not be read; it may be damaged.") from exc


def _docx_heading_level(paragraph: object) -> int:
    try:
        name = paragraph.style.name or ""  # type: ignore[attr-defined]
    except (AttributeError, KeyError, ValueError):
        return 0
    if name == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", name)
    return min(int(match.group(1)), 6) if match else 0
