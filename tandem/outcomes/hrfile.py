"""The HR outcomes file Tandem reads: its columns, the header spellings it accepts, CSV and
XLSX, and per-cell parsing. Pure functions, no database.

Decoding, delimiter sniffing, dates and header normalising are people's (`people.csvfile`),
so an HR export that the people import reads is read the same way here.
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from tandem.core.exports import restore_cell
from tandem.people import csvfile

# The columns, in the order a template lists them, with the header Tandem writes.
COLUMNS: list[tuple[str, str]] = [
    ("employee_id", "Employee ID"),
    ("email", "Email"),
    ("hire_date", "Hire date"),
    ("termination_date", "Termination date"),
    ("promotion_dates", "Promotion dates"),
    ("department", "Department"),
    ("grade", "Grade"),
    ("location", "Location"),
]
COLUMN_LABELS = dict(COLUMNS)

_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": (
        "employee id",
        "employeeid",
        "employee number",
        "employee no",
        "emp id",
        "staff id",
        "staff number",
        "worker id",
        "personnel number",
        "id",
    ),
    "email": ("email", "e mail", "email address", "work email", "work email address", "mail"),
    "hire_date": (
        "hire date",
        "hiredate",
        "date hired",
        "start date",
        "last hire date",
        "date of joining",
        "joining date",
        "employment start date",
    ),
    "termination_date": (
        "termination date",
        "terminationdate",
        "date terminated",
        "leaving date",
        "leave date",
        "end date",
        "exit date",
        "date left",
        "employment end date",
    ),
    "promotion_dates": (
        "promotion dates",
        "promotion date",
        "promotions",
        "promoted on",
        "date of last promotion",
        "last promotion date",
    ),
    "department": ("department", "dept", "division", "department name"),
    "grade": ("grade", "job grade", "level", "job level", "band", "seniority", "pay grade"),
    "location": ("location", "office", "site", "city", "work location"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}

MAX_LENGTHS = {"employee_id": 64, "email": 254, "department": 150, "grade": 150, "location": 150}
# Several promotion dates share one cell, separated by semicolons, commas or bars.
PROMOTION_SEPARATORS = re.compile(r"\s*[;,|]\s*")
MAX_PROMOTIONS = 50

XLSX_MAGIC = b"PK\x03\x04"


class HrFileError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


# The header and a row are people's (`csvfile.Header`, `csvfile.RawRow`), with this file's
# column labels.
Header = csvfile.Header
RawRow = csvfile.RawRow


def field_for_header(header: str) -> str | None:
    return _HEADER_TO_FIELD.get(csvfile.normalise_header(header))


def _understand_header(number: int, cells: list[str]) -> Header:
    names = [cell.strip() for cell in cells]
    field_index: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(names):
        field_name = field_for_header(name)
        if field_name is None:
            if name:
                unknown.append(name)
            continue
        if field_name in field_index:
            first = names[field_index[field_name]]
            raise HrFileError(
                f"The columns '{first}' and '{name}' both mean {COLUMN_LABELS[field_name]}; "
                "keep only one."
            )
        field_index[field_name] = index
    if "email" not in field_index and "employee_id" not in field_index:
        raise HrFileError(
            "The file has neither an email nor an employee ID column; Tandem needs one of them "
            f"to find each person. It reads these columns: {', '.join(COLUMN_LABELS.values())}."
        )
    if "hire_date" not in field_index:
        raise HrFileError("The file has no hire date column (name one column 'Hire date').")
    return Header(
        row=number, names=names, field_index=field_index, unknown=unknown, labels=COLUMN_LABELS
    )


def _rows(
    records: Iterable[tuple[int, list[str]]], *, restore: bool
) -> tuple[Header, Iterator[RawRow]]:
    iterator = iter(records)
    header: Header | None = None
    for number, cells in iterator:
        if any(cell.strip() for cell in cells):
            header = _understand_header(number, cells)
            break
    if header is None:
        raise HrFileError("The file is empty: it needs a header row and one row per person.")

    def data() -> Iterator[RawRow]:
        for number, cells in iterator:
            if not any(cell.strip() for cell in cells):
                continue
            values = {}
            for name, index in header.field_index.items():
                cell = cells[index].strip() if index < len(cells) else ""
                values[name] = restore_cell(cell) if restore else cell
            yield RawRow(row=number, values=values)

    return header, data()


def _csv_records(content: bytes) -> Iterator[tuple[int, list[str]]]:
    import csv

    text = csvfile.decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csvfile.sniff_delimiter(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise HrFileError(f"The file is not valid CSV: {exc}.") from exc


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise HrFileError("The file looks like an Excel workbook but cannot be opened.") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(value) for value in cells]
    finally:
        workbook.close()


def is_xlsx(content: bytes) -> bool:
    return content.startswith(XLSX_MAGIC)


def read_rows(content: bytes) -> tuple[Header, list[RawRow]]:
    """The header and the data rows of a CSV or XLSX file (the first sheet), numbered as a
    spreadsheet shows them (blank rows counted, then skipped)."""
    xlsx = is_xlsx(content)
    records = _xlsx_records(content) if xlsx else _csv_records(content)
    header, rows = _rows(records, restore=not xlsx)
    return header, list(rows)


def parse_date(value: str) -> date:
    """A date as YYYY-MM-DD or DD/MM/YYYY (people's rule). Raises ValueError otherwise."""
    return csvfile.parse_date(value)


def split_promotions(value: str) -> list[str]:
    return [part for part in PROMOTION_SEPARATORS.split(value.strip()) if part]


DATE_FORMATS_TEXT = csvfile.DATE_FORMATS_TEXT
