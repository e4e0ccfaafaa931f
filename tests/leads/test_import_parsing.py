"""Reading lead CSVs: encodings, delimiters, header guessing and cell values (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from crm.leads.services import import_parsing
from crm.leads.services.import_parsing import (
    decode_csv,
    guess_mapping,
    parse_beds,
    parse_csv,
    parse_date,
    parse_email,
    parse_money,
    parse_source,
    sniff_delimiter,
    split_full_name,
)


def test_utf8_with_a_byte_order_mark_loses_the_mark() -> None:
    text = decode_csv("\ufeffFirst Name,Email\nJosé,jose@example.com\n".encode())
    assert text.startswith("First Name")
    assert parse_csv(text).headers == ["First Name", "Email"]


def test_a_latin1_file_is_read_as_windows_1252() -> None:
    raw = "Name;Notes\nJosé Núñez;“quoted” 5€\n".encode("cp1252")
    text = decode_csv(raw)
    assert "José Núñez" in text
    assert "“quoted” 5€" in text


def test_bytes_that_windows_1252_leaves_undefined_fall_back_to_latin1() -> None:
    assert decode_csv(b"Name\nA\x81B\n") == "Name\nA\x81B\n"


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    assert decode_csv("Name\tEmail\nAna\ta@example.com\n".encode("utf-16")).startswith("Name\tEmail")


def test_an_excel_workbook_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="Excel workbook"):
        decode_csv(b"PK\x03\x04\x14\x00\x06\x00rest-of-zip")


def test_binary_data_is_refused() -> None:
    with pytest.raises(ValidationError, match="binary data"):
        decode_csv(b"Name\nAna\x00\x00\x01\n")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter: str) -> None:
    text = delimiter.join(["First Name", "Last Name", "Email"]) + "\n" + delimiter.join(["Ana", "Ruiz", "a@x.com"])
    parsed = parse_csv(text + "\n")
    assert parsed.delimiter == delimiter
    assert parsed.headers == ["First Name", "Last Name", "Email"]
    assert parsed.rows[0].cells == ["Ana", "Ruiz", "a@x.com"]


def test_commas_inside_quoted_cells_do_not_fool_the_sniffer() -> None:
    text = 'Name;Notes;Phone\n"Ruiz, Ana";"likes light, wants 2 beds";512-555-0100\nBo;"a, b, c";\n'
    assert sniff_delimiter(text) == ";"


def test_a_single_column_file_is_read_with_commas() -> None:
    parsed = parse_csv("Email\na@example.com\nb@example.com\n")
    assert parsed.headers == ["Email"]
    assert [row.cells for row in parsed.rows] == [["a@example.com"], ["b@example.com"]]


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    parsed = parse_csv('\nName,Notes\nAna,"two\nlines"\n,\nBo,x\n')
    assert [(row.number, row.cell(0)) for row in parsed.rows] == [(3, "Ana"), (5, "Bo")]
    assert parsed.rows[0].cell(1) == "two\nlines"


def test_short_rows_read_as_blank_cells_and_blank_headers_get_names() -> None:
    parsed = parse_csv("Name,,Email\nAna\n")
    assert parsed.headers == ["Name", "Column 2", "Email"]
    assert parsed.rows[0].cell(2) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("\n\n", "empty"), ("Name,Email\n", "no rows"), ("Name,Email\n,\n", "no rows")],
)
def test_files_without_leads_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_csv(text)


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_parsing, "MAX_ROWS", 3)
    with pytest.raises(ValidationError, match="more than 3 rows"):
        parse_csv("Name\na\nb\nc\nd\n")
    assert len(parse_csv("Name\na\nb\nc\n").rows) == 3


def test_common_headers_are_guessed() -> None:
    headers = [
        "First Name",
        "Last Name",
        "E-mail",
        "Phone Number",
        "Move-in",
        "Beds",
        "Max Rent",
        "Min Rent",
        "Lead Source",
        "Community",
        "Pets",
        "Comments",
        "Favourite colour",
    ]
    assert guess_mapping(headers) == {
        "first_name": 0,
        "last_name": 1,
        "email": 2,
        "phone": 3,
        "move_in_date": 4,
        "desired_beds": 5,
        "budget_max": 6,
        "budget_min": 7,
        "source": 8,
        "property": 9,
        "pets": 10,
        "notes": 11,
    }


def test_looser_headers_are_guessed_by_fragment() -> None:
    assert guess_mapping(["Prospect", "Cell #", "Email Address (work)", "Preferred move-in date"]) == {
        "full_name": 0,
        "phone": 1,
        "email": 2,
        "move_in_date": 3,
    }


def test_looser_matches_start_at_a_word() -> None:
    assert guess_mapping(["Competitor", "Carpet", "Pets allowed?", "Bedrooms wanted", "Telephone"]) == {
        "pets": 2,
        "desired_beds": 3,
        "phone": 4,
    }


def test_a_name_column_beside_first_and_last_name_is_left_out() -> None:
    assert guess_mapping(["Name", "First name", "Last name"]) == {"first_name": 1, "last_name": 2}


def test_each_field_is_guessed_for_one_column_only() -> None:
    assert guess_mapping(["Email", "E-mail", "Phone", "Mobile"]) == {"email": 0, "phone": 2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", date(2025, 3, 1)),
        ("03/01/2025", date(2025, 3, 1)),
        ("3/1/25", date(2025, 3, 1)),
        ("2025/03/01", date(2025, 3, 1)),
        ("March 1, 2025", date(2025, 3, 1)),
        ("Mar 1 2025", date(2025, 3, 1)),
        ("1 March 2025", date(2025, 3, 1)),
        ("01-Mar-2025", date(2025, 3, 1)),
        ("2025-03-01 00:00:00", date(2025, 3, 1)),
        ("3/1/2025 0:00", date(2025, 3, 1)),
    ],
)
def test_dates_in_common_formats(value: str, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["next month", "13/45/2025", "2025-02-30", "soon"])
def test_a_date_that_is_not_one_is_an_error(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a date"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("$1,500", 1500), ("1500", 1500), ("1,500.00", 1500), ("$1,499.50", 1500), ("1.5k", 1500), ("$1,500/mo", 1500)],
)
def test_budgets_as_people_write_them(value: str, expected: int) -> None:
    assert parse_money(value) == expected


@pytest.mark.parametrize("value", ["cheap", "-100", "$1,500-$2,000", "$5,000,000"])
def test_a_budget_that_is_not_an_amount_is_an_error(value: str) -> None:
    with pytest.raises(ValidationError):
        parse_money(value)


@pytest.mark.parametrize(("value", "expected"), [("2", 2), ("2 BR", 2), ("3 beds", 3), ("Studio", 0), ("1.0", 1)])
def test_bedrooms(value: str, expected: int) -> None:
    assert parse_beds(value) == expected


@pytest.mark.parametrize("value", ["two", "2.5", "99"])
def test_bedrooms_that_are_not_a_count_are_an_error(value: str) -> None:
    with pytest.raises(ValidationError, match="bedrooms"):
        parse_beds(value)


def test_email_addresses_are_checked() -> None:
    assert parse_email(" ana@example.com ") == "ana@example.com"
    with pytest.raises(ValidationError, match="not a valid email"):
        parse_email("ana@")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Zillow", ("zillow", "")),
        ("apartments.com", ("apartments_com", "")),
        ("Walk-in", ("walk_in", "")),
        ("google_ads", ("google_ads", "")),
        ("FB", ("facebook", "")),
        ("Craigslist", ("other", "Craigslist")),
    ],
)
def test_sources_by_value_label_or_alias_and_unknown_ones_kept_as_detail(value: str, expected: tuple[str, str]) -> None:
    assert parse_source(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Smith", ("Jane", "Smith")),
        ("Juan Carlos de la Cruz", ("Juan", "Carlos de la Cruz")),
        ("Smith, Jane", ("Jane", "Smith")),
        ("  Cher ", ("Cher", "")),
    ],
)
def test_full_names_are_split(value: str, expected: tuple[str, str]) -> None:
    assert split_full_name(value) == expected
