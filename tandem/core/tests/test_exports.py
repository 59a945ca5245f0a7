"""The one spreadsheet writer: no text cell it writes can start a formula, and its guard can
be undone exactly (the people import reads its own export back)."""

import csv
import io

from hypothesis import example, given
from hypothesis import strategies as st

from tandem.core.exports import csv_download, csv_lines, neutralise_cell, restore_cell

TRIGGERS = "=+-@"
# Text that leans on the dangerous shapes: triggers, quotes, whitespace and control characters
# mixed with ordinary letters, plus arbitrary unicode.
risky_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("=+-@'\t\r\n \u00a0\u3000abc1|!")), max_size=12),
    st.text(max_size=30),
)


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet would run: a trigger first, or after leading whitespace, or a tab /
    CR / LF first."""
    stripped = cell.lstrip()
    return bool(cell) and (cell[0] in "\t\r\n" or (bool(stripped) and stripped[0] in TRIGGERS))


def read_back(lines: list[str]) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@given(risky_text)
@example('=HYPERLINK("http://evil.example","x")')
@example("  =1+1")
@example("\t=1")
@example("'=1")
@example("''-1")
def test_a_neutralised_cell_never_starts_a_formula_and_restores_exactly(value):
    # when
    written = neutralise_cell(value)
    # then
    assert not starts_a_formula(written)
    assert restore_cell(written) == value
    # and a cell that needed no guard is written as it was
    if not starts_a_formula(value.lstrip("'")):
        assert written == value


@given(
    st.lists(st.lists(risky_text, min_size=1, max_size=4), max_size=5),
    st.lists(risky_text, min_size=1, max_size=4),
)
def test_no_written_csv_cell_starts_a_formula(rows, header):
    # when
    lines = list(csv_lines(header, rows))
    # then the file reads back as the same table, every cell neutralised
    table = read_back(lines)
    assert len(table) == len(rows) + 1
    for written, given_row in zip(table, [header, *rows], strict=True):
        assert written == [neutralise_cell(cell) for cell in given_row]
        assert not any(starts_a_formula(cell) for cell in written)
        assert [restore_cell(cell) for cell in written] == given_row


def test_numbers_stay_numbers_and_none_is_empty():
    # when
    table = read_back(list(csv_lines(["n", "x", "f"], [[-1, None, -2.5]])))
    # then
    assert table == [["n", "x", "f"], ["-1", "", "-2.5"]]


def test_the_download_streams_one_record_at_a_time():
    # given rows that are produced lazily
    produced: list[int] = []

    def rows():
        for index in range(3):
            produced.append(index)
            yield [f"=row{index}"]

    # when
    response = csv_download(filename='a"b.csv', header=["H"], rows=rows())
    # then nothing is produced before the body is read
    assert produced == []
    chunks = list(response.streaming_content)
    assert produced == [0, 1, 2]
    assert chunks == [b"\xef\xbb\xbfH\r\n", b"'=row0\r\n", b"'=row1\r\n", b"'=row2\r\n"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ab.csv"'


def test_no_module_but_the_core_writer_writes_spreadsheets():
    # given every module of the code base but tests
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # (reading an uploaded workbook with openpyxl's load_workbook is not writing one)
    writers = ("csv.writer", "csv.DictWriter", "xlsxwriter", "openpyxl.Workbook", "import Workbook")
    # when
    found = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and any(w in path.read_text() for w in writers)
    )
    # then (HR sync writes no file anyone opens: it turns an uploaded workbook, or the valid
    # rows of a file, into CSV text for the people import to read, cell for cell)
    assert found == ["core/exports.py", "provisioning/hrsync.py"]


def excel_text(value: str) -> str:
    """A cell's text as a spreadsheet shows it: XLSX stores control characters (and a literal
    "_x" escape) as _xHHHH_, which openpyxl leaves encoded and Excel decodes."""
    import re

    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


@given(
    st.lists(st.lists(risky_text, min_size=1, max_size=4), max_size=5),
    st.lists(risky_text, min_size=1, max_size=4),
)
def test_no_written_xlsx_cell_is_a_formula_and_text_stays_text(rows, header):
    import openpyxl

    from tandem.core.exports import xlsx_write

    # when
    buffer = io.BytesIO()
    xlsx_write(buffer, sheet="Funnel", header=header, rows=rows)
    # then every cell reads back as text (never a formula), neutralised and restorable
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    table = [
        [excel_text(cell) if isinstance(cell, str) else cell for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    expected = [[neutralise_cell(cell) for cell in row] for row in [header, *rows]]
    for written, wanted in zip(table, expected, strict=False):
        cells = [cell if cell is not None else "" for cell in written][: len(wanted)]
        cells += [""] * (len(wanted) - len(cells))
        assert cells == wanted
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not starts_a_formula(excel_text(cell.value))


def test_xlsx_numbers_stay_numbers_and_the_download_is_an_attachment():
    import openpyxl

    from tandem.core.exports import xlsx_download

    # when
    response = xlsx_download(
        filename='a"b.xlsx',
        sheet="Dash: [1]",
        header=["n", "x", "f", "t"],
        rows=[[-1, None, -2.5, "=SUM(A1)"]],
    )
    # then
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Dash   1"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["n", "x", "f", "t"],
        [-1, None, -2.5, "'=SUM(A1)"],
    ]
    assert response["Content-Disposition"] == 'attachment; filename="ab.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
