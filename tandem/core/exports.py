"""The one writer of spreadsheet files (CSV and XLSX) that Tandem hands to people.

Every export goes through `csv_lines` / `csv_download` or `xlsx_download`, so none can forget
the guard against spreadsheet formula injection (OWASP "CSV Injection"): a text cell that a
spreadsheet would run as a formula (one starting with = + - @, a tab or a carriage return, or
with = + - @ after leading whitespace) is written with a leading apostrophe, which spreadsheets
read as "this is text" and do not show. Numbers pass through as numbers, so a count of -1 stays
a number.

A cell that already starts with an apostrophe in front of something formula-like gets one more,
so `restore_cell(neutralise_cell(x)) == x` for every string and the people import can read its
own export back exactly.
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

# What a spreadsheet treats as the start of a formula (OWASP): these first, or after spaces.
FORMULA_TRIGGERS = frozenset("=+-@")
# Characters that are unsafe as the very first character (Excel and LibreOffice strip them and
# then read what follows as a formula).
UNSAFE_FIRST = frozenset("=+-@\t\r\n")
QUOTE = "'"

Cell = str | int | float | None


def _formula_like(value: str) -> bool:
    if not value:
        return False
    if value[0] in UNSAFE_FIRST:
        return True
    stripped = value.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def needs_guard(value: str) -> bool:
    """Whether a text cell must be written with a leading apostrophe: it is formula-like, or it
    is apostrophes in front of something formula-like (so the guard can be undone exactly)."""
    return _formula_like(value.lstrip(QUOTE))


def neutralise_cell(value: str) -> str:
    """The text as it is safe to write into a spreadsheet cell."""
    return QUOTE + value if needs_guard(value) else value


def restore_cell(value: str) -> str:
    """Undo `neutralise_cell` on a cell read back from one of Tandem's own exports."""
    if value.startswith(QUOTE) and needs_guard(value[1:]):
        return value[1:]
    return value


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_cell(value)
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """CSV text, one record at a time: a UTF-8 BOM (Excel needs it to read accents), the header,
    then each row, every text cell (the header's too) neutralised. Streams: a row is written
    only when the one before it has been handed on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([_cell(name) for name in header])
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        yield flush()


def csv_download(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> StreamingHttpResponse:
    """A streamed CSV attachment of `rows` (see `csv_lines`), encoded as UTF-8."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(filename)}"'
    return response


def _safe_name(filename: str) -> str:
    # The name is built by Tandem (slugs and dates), but a quote would still break the header.
    return filename.replace('"', "").replace("\r", "").replace("\n", "")


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a worksheet's name may not hold, and its longest length (Excel's rules).
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def xlsx_write(
    target: object, *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> None:
    """Write one worksheet of `rows` to `target` (a path or a binary file). Text is written as
    text, never as a formula or a link (xlsxwriter would otherwise turn "=..." into a formula),
    and neutralised like the CSV's, so a copy to CSV stays safe too; numbers as numbers.
    constant_memory: each row is written out before the next, so a large export does not sit
    in memory."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    name = _SHEET_FORBIDDEN.sub(" ", sheet).strip("' ")[:SHEET_NAME_MAX] or "Sheet1"
    worksheet = workbook.add_worksheet(name)
    for row_index, row in enumerate([header, *rows]):
        for column, value in enumerate(row):
            cell = _cell(value)
            if value is None:
                continue
            if isinstance(cell, str):
                worksheet.write_string(row_index, column, cell)
            else:
                worksheet.write_number(row_index, column, cell)
    workbook.close()


def xlsx_download(
    *, filename: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> FileResponse:
    """An XLSX attachment of `rows` (see `xlsx_write`), written to a temporary file and
    streamed from it in blocks."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    xlsx_write(handle, sheet=sheet, header=header, rows=rows)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(filename)}"'
    return response
