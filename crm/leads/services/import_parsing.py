"""Reading lead CSVs: decoding, delimiter sniffing, header guessing and cell values.

Pure functions with no database access; ``crm.leads.services.imports`` runs the import itself.
Problems the uploader can fix are raised as ``ValidationError`` with a message meant for them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from crm.leads.models import Source

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 5
DELIMITERS = [",", ";", "\t", "|"]
SNIFF_CHARS = 64 * 1024
SNIFF_RECORDS = 20

# What a CSV column can become. ``full_name`` is split into first and last name.
IMPORT_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "Email",
    "phone": "Phone",
    "source": "Source",
    "source_detail": "Source detail",
    "property": "Property (by name)",
    "desired_beds": "Bedrooms",
    "budget_min": "Budget min",
    "budget_max": "Budget max",
    "move_in_date": "Move-in date",
    "pets": "Pets",
    "notes": "Notes",
}
CONTACT_FIELDS = {"first_name", "last_name", "full_name", "email", "phone"}

# Header names people actually use, compared after lowercasing and dropping everything but
# letters and digits ("E-mail" → "email", "Move-in Date" → "moveindate").
HEADER_ALIASES: dict[str, set[str]] = {
    "first_name": {"firstname", "first", "fname", "givenname", "forename", "prospectfirstname"},
    "last_name": {"lastname", "last", "lname", "surname", "familyname", "prospectlastname"},
    "full_name": {"name", "fullname", "contactname", "prospectname", "leadname", "guestname", "prospect"},
    "email": {"email", "emailaddress", "mail", "emailaddr", "primaryemail"},
    "phone": {"phone", "phonenumber", "mobile", "mobilephone", "cell", "cellphone", "telephone", "tel", "primaryphone"},
    "source": {"source", "leadsource", "channel", "marketingsource", "origin"},
    "source_detail": {"sourcedetail", "sourcedetails", "campaign", "listing", "referrer", "referredby", "adname"},
    "property": {"property", "propertyname", "community", "building", "complex"},
    "desired_beds": {"beds", "bedrooms", "bed", "br", "desiredbeds", "desiredbedrooms", "bedroomsdesired"},
    "budget_min": {"budgetmin", "minbudget", "minrent", "rentmin", "minprice", "pricemin", "budgetfrom"},
    "budget_max": {"budgetmax", "maxbudget", "maxrent", "rentmax", "maxprice", "pricemax", "budget", "budgetto"},
    "move_in_date": {"moveindate", "movein", "desiredmovein", "movedate", "moveindesired", "leasestart"},
    "pets": {"pets", "pet", "pettype", "animals"},
    "notes": {"notes", "note", "comments", "comment", "message", "remarks"},
}
# Looser matches for headers the exact list misses ("Preferred move-in", "Cell #"): a word of
# the header (or two run together) starts with one of these.
HEADER_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "phone": ("phone", "mobile", "cell"),
    "move_in_date": ("movein",),
    "desired_beds": ("bedroom",),
    "first_name": ("firstname",),
    "last_name": ("lastname",),
    "pets": ("pet",),
    "notes": ("note", "comment"),
}


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: list[str]

    def cell(self, index: int) -> str:
        return self.cells[index].strip() if index < len(self.cells) else ""


@dataclass(frozen=True)
class ParsedCsv:
    headers: list[str]
    rows: list[Row]
    delimiter: str


# --- The file ---------------------------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252/Latin-1 as Excel writes."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError("This is an Excel workbook, not a CSV. In Excel, use File → Save As → “CSV UTF-8”.")
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = raw.decode("utf-16") if utf16 else _decode_8bit(raw)
    except UnicodeDecodeError as exc:
        raise ValidationError("This file's text encoding could not be read. Save it as “CSV UTF-8”.") from exc
    if "\x00" in text:
        raise ValidationError("This does not look like a CSV file (it contains binary data).")
    return text


def _decode_8bit(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")  # Latin-1 plus the curly quotes and € that Excel on Windows writes
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most, equally wide, columns."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:
        sample = sample[: sample.rfind("\n") + 1] or sample  # drop the cut-off record
    best, best_score = ",", (False, 1)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in _records(sample, delimiter, SNIFF_RECORDS) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        widths = {len(record) for record in records}
        score = (len(widths) == 1, max(widths, default=1))
        if score[1] > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    for record in reader:
        records.append(record)
        if limit is not None and len(records) >= limit:
            break
    return records


def parse_csv(text: str, *, limit: int | None = None) -> ParsedCsv:
    """Headers and the non-blank rows (at most ``limit``); refuse files that cannot be imported."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[Row] = []
    try:
        for number, record in enumerate(reader, start=1):
            if headers is None:
                if any(cell.strip() for cell in record):
                    headers = [cell.strip() or f"Column {i}" for i, cell in enumerate(record, start=1)]
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append(Row(number=number, cells=record))
            if limit is not None and len(rows) >= limit:
                break
            if len(rows) > MAX_ROWS:
                raise ValidationError(f"The file has more than {MAX_ROWS:,} rows. Split it and import each part.")
    except csv.Error as exc:
        raise ValidationError(f"Row {reader.line_num} could not be read as CSV ({exc}).") from exc
    if headers is None:
        raise ValidationError("The file is empty.")
    if not rows:
        raise ValidationError("The file has a header row but no rows of leads.")
    return ParsedCsv(headers=headers, rows=rows, delimiter=delimiter)


# --- The mapping -------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _word_starts(header: str) -> list[str]:
    """The header's words, and each pair of neighbours run together ("move in" → "movein")."""
    words = re.findall(r"[a-z0-9]+", header.lower())
    return words + [first + second for first, second in pairwise(words)]


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Lead field → column index, from the header names; each column and field used once."""
    squashed = [_squash(header) for header in headers]
    mapping: dict[str, int] = {}
    for field, aliases in HEADER_ALIASES.items():
        for index, name in enumerate(squashed):
            if name in aliases and index not in mapping.values():
                mapping[field] = index
                break
    words = [_word_starts(header) for header in headers]
    for field, fragments in HEADER_FRAGMENTS.items():
        if field in mapping:
            continue
        for index, starts in enumerate(words):
            if index not in mapping.values() and any(w.startswith(f) for w in starts for f in fragments):
                mapping[field] = index
                break
    # A "Name" column next to first/last name columns is usually the same thing; keep the parts.
    if "full_name" in mapping and {"first_name", "last_name"} <= mapping.keys():
        del mapping["full_name"]
    return dict(sorted(mapping.items(), key=lambda item: item[1]))


# --- Cell values -------------------------------------------------------------------------------

DATE_FORMATS = [
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
]
_BEDS = re.compile(r"^(\d{1,2})(?:\.0+)?\s*(?:b|br|bd|bds|bed|beds|bedroom|bedrooms|bdrm)?$", re.IGNORECASE)
_MONEY = re.compile(r"^(\d+(?:\.\d+)?)(k?)$", re.IGNORECASE)
_MONEY_NOISE = re.compile(r"\$|usd|,|\s|/\s*(?:mo|month)\.?$|per\s*month$|a\s*month$", re.IGNORECASE)
MAX_BEDS = 20
MAX_BUDGET = 1_000_000

SOURCE_ALIASES = {
    "web": Source.WEBSITE,
    "site": Source.WEBSITE,
    "online": Source.WEBSITE,
    "fb": Source.FACEBOOK,
    "meta": Source.FACEBOOK,
    "ig": Source.INSTAGRAM,
    "google": Source.GOOGLE_ADS,
    "adwords": Source.GOOGLE_ADS,
    "apartments": Source.APARTMENTS_COM,
    "call": Source.PHONE,
    "phonecall": Source.PHONE,
    "walkin": Source.WALK_IN,
}


def parse_date(value: str) -> date:
    """US-style and ISO dates, month names, and spreadsheet date-times (the time is dropped)."""
    value = value.strip()
    candidates = [value]
    if re.match(r"^\d", value):
        candidates.append(re.split(r"[ T]", value, maxsplit=1)[0])
    for candidate in candidates:
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    raise ValidationError(f"“{value}” is not a date. Use e.g. 2025-03-01 or 03/01/2025.")


def parse_beds(value: str) -> int:
    if _squash(value) in {"studio", "efficiency", "0br"}:
        return 0
    match = _BEDS.match(value.strip())
    if not match or int(match.group(1)) > MAX_BEDS:
        raise ValidationError(f"“{value}” is not a number of bedrooms.")
    return int(match.group(1))


def parse_money(value: str) -> int:
    """``$1,500``, ``1500.00``, ``1.5k``, ``$1,500/mo`` → whole dollars."""
    match = _MONEY.match(_MONEY_NOISE.sub("", value))
    if not match:
        raise ValidationError(f"“{value}” is not an amount of money.")
    try:
        amount = Decimal(match.group(1)) * (1000 if match.group(2) else 1)
    except InvalidOperation as exc:
        raise ValidationError(f"“{value}” is not an amount of money.") from exc
    if amount > MAX_BUDGET:
        raise ValidationError(f"“{value}” is more than ${MAX_BUDGET:,} a month.")
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(f"“{value}” is not a valid email address.") from exc
    return value


def parse_source(value: str) -> tuple[str, str]:
    """A known source (by value, label or a common alias), else Other with the text kept as detail."""
    key = _squash(value)
    for source in Source:
        if key in (_squash(source.value), _squash(source.label)):
            return source.value, ""
    if key in SOURCE_ALIASES:
        return SOURCE_ALIASES[key].value, ""
    return Source.OTHER.value, value.strip()


def split_full_name(value: str) -> tuple[str, str]:
    """``"Smith, Jane"`` or ``"Jane Smith"`` → ("Jane", "Smith"); more words go to the last name."""
    value = " ".join(value.split())
    if "," in value:
        last, _, first = value.partition(",")
        return first.strip(), last.strip()
    first, _, last = value.partition(" ")
    return first, last
