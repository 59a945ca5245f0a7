"""The HR CSV format Tandem reads and writes: its columns, the header spellings it accepts,
decoding, delimiter detection and per-cell parsing.

Pure functions with no database access, so the import service can validate 20,000 rows quickly
and the export writes exactly the columns the import reads back.
"""

import csv
import io
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol

from django.utils.translation import gettext, gettext_noop

from tandem.core.errors import InvalidInput
from tandem.core.exports import csv_lines, restore_cell

# The columns, in the order the export writes them, with the header the export uses.
COLUMNS: list[tuple[str, str]] = [
    ("email", "Email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("job_title", "Job title"),
    ("department", "Department"),
    ("location", "Location"),
    ("timezone", "Timezone"),
    ("manager_email", "Manager email"),
    ("hire_date", "Hire date"),
]
COLUMN_LABELS = dict(COLUMNS)

# Header spellings seen in HR exports, after normalising (lower case, punctuation -> spaces).
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "work email",
        "work email address",
        "mail",
    ),
    "first_name": ("first name", "firstname", "given name", "givenname", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "familyname", "last"),
    "job_title": ("job title", "jobtitle", "title", "position", "job", "job name"),
    "department": ("department", "dept", "division", "department name"),
    "location": ("location", "office", "site", "city", "work location"),
    "timezone": ("timezone", "time zone", "tz", "time zone name"),
    "manager_email": (
        "manager email",
        "manager e mail",
        "manager email address",
        "manageremail",
        "line manager email",
        "manager",
        "reports to",
        "supervisor email",
    ),
    "hire_date": (
        "hire date",
        "hiredate",
        "date hired",
        "hired on",
        "start date",
        "startdate",
        "date of joining",
        "joining date",
        "employment start date",
    ),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}

MAX_LENGTHS = {
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "job_title": 150,
    "department": 150,
    "location": 150,
}

DATE_FORMATS_TEXT = gettext_noop("YYYY-MM-DD (e.g. 2024-03-31) or DD/MM/YYYY (e.g. 31/03/2024)")
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


class Upload(Protocol):
    """What an uploaded file (Django's or ninja's `UploadedFile`) offers the import."""

    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...


def size_text(size: int) -> str:
    """A file size as people read it: bytes, KB or MB (binary units, one decimal)."""
    if size < 1024:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def too_large_message(size: int, limit: int) -> str:
    """Why a file of `size` bytes is refused, with its real size and the limit. When rounding
    would show the two as the same number, both are given in exact bytes."""
    shown, allowed = size_text(size), size_text(limit)
    if shown == allowed:
        shown, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    return gettext(
        "The file is %(shown)s; the limit is %(allowed)s. Split it into smaller files."
    ) % {
        "shown": shown,
        "allowed": allowed,
    }


def read_upload(upload: Upload, limit: int) -> bytes:
    """The content of an uploaded file, or InvalidInput on `file` (with the file's real size)
    when it is over `limit` bytes. Only a file within the limit is read into memory."""
    if upload.size is not None and upload.size > limit:
        raise InvalidInput.for_field("file", too_large_message(upload.size, limit))
    # One byte past the limit, in case the size was not known: the service refuses it.
    return upload.read(limit + 1)


@lru_cache(maxsize=1)
def _timezones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def timezone_names() -> list[str]:
    """Every IANA timezone name, sorted, for a picker."""
    return sorted(_timezones_by_lower_name().values())


def canonical_timezone(value: str) -> str | None:
    """The IANA name for `value` (matched case-insensitively), or None if there is none."""
    return _timezones_by_lower_name().get(value.strip().lower())


def parse_date(value: str) -> date:
    """A hire date written as YYYY-MM-DD or DD/MM/YYYY. Raises ValueError otherwise."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(value)


def normalise_header(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.strip().lower()).split())


def field_for_header(header: str) -> str | None:
    """The field a column header means, or None for a column Tandem does not know."""
    return _HEADER_TO_FIELD.get(normalise_header(header))


def decode(content: bytes) -> str:
    """Text from an HR export: UTF-16 or UTF-8 (with or without BOM), else Windows-1252/Latin-1."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(
                gettext("The file says it is UTF-16 but is not readable as such.")
            ) from exc
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so this never fails.
        return content.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most: comma, semicolon, tab or pipe (comma if none)."""
    for line in text.splitlines():
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in _CANDIDATE_DELIMITERS}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else ","
    return ","


@dataclass
class Header:
    """The file's header row, understood: which column holds which field."""

    row: int
    names: list[str]
    field_index: dict[str, int]
    unknown: list[str] = field(default_factory=list)
    # Tandem's own label of each field, for a column the file does not have (another
    # import, reading its own columns with this header, gives its own).
    labels: dict[str, str] = field(default_factory=lambda: COLUMN_LABELS)

    def column_name(self, field_name: str) -> str:
        """The column as the file spells it (falls back to Tandem's own label)."""
        index = self.field_index.get(field_name)
        return self.names[index] if index is not None else self.labels[field_name]


@dataclass
class RawRow:
    row: int
    values: dict[str, str]
    extra_cells: int = 0


def read_rows(text: str) -> tuple[Header, Iterator[RawRow]]:
    """Split the text into the header and the data rows.

    Row numbers are the ones a spreadsheet shows for the same file: every record counts,
    blank ones included, and the header is row 1 when it is the first line. Blank rows
    (no cell with content) are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records = enumerate(reader, start=1)
    header: Header | None = None
    try:
        for number, cells in records:
            if any(cell.strip() for cell in cells):
                header = _understand_header(number, cells)
                break
    except csv.Error as exc:
        raise CsvFormatError(
            gettext("The file is not valid CSV: %(reason)s.") % {"reason": exc}
        ) from exc
    if header is None:
        raise CsvFormatError(
            gettext("The file is empty: it needs a header row and one row per person.")
        )
    return header, _data_rows(header, records)


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
            raise CsvFormatError(
                gettext(
                    "The columns '%(first)s' and '%(second)s' both mean %(label)s; keep only one."
                )
                % {"first": first, "second": name, "label": COLUMN_LABELS[field_name]}
            )
        field_index[field_name] = index
    if "email" not in field_index:
        raise CsvFormatError(
            gettext(
                "The file has no email column. Name one column 'Email' (row 1 is the header); "
                "Tandem reads these columns: %(columns)s."
            )
            % {"columns": ", ".join(COLUMN_LABELS.values())}
        )
    return Header(row=number, names=names, field_index=field_index, unknown=unknown)


def _data_rows(header: Header, records: Iterable[tuple[int, list[str]]]) -> Iterator[RawRow]:
    width = len(header.names)
    try:
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                name: restore_cell(cells[index].strip() if index < len(cells) else "")
                for name, index in header.field_index.items()
            }
            extra = sum(1 for cell in cells[width:] if cell.strip())
            yield RawRow(row=number, values=values, extra_cells=extra)
    except csv.Error as exc:
        raise CsvFormatError(
            gettext("The file is not valid CSV: %(reason)s.") % {"reason": exc}
        ) from exc


def write_rows(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text, line by line, starting with a UTF-8 BOM (Excel needs it) and the header. The
    core writer guards every cell against formula injection; `_data_rows` undoes the guard when
    the export is read back."""
    return csv_lines([label for _, label in COLUMNS], rows)
