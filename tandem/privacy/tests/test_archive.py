"""The archive's CSV files go through the one CSV writer: a person's own words that start like
a formula are kept as text, not run by the spreadsheet that opens them."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from tandem.core.exports import QUOTE, needs_guard, restore_cell
from tandem.privacy.archive import _csv

text = st.text(alphabet=st.sampled_from('=+-@ab1,"\n\t'), max_size=12)


@given(cells=st.lists(text, min_size=1, max_size=5))
def test_every_text_cell_reads_back_and_none_starts_a_formula(cells):
    # given a section whose rows hold any text, formula-like or not
    rows = [{"id": number, "text": cell} for number, cell in enumerate(cells)]
    # when it is written as the archive's CSV
    written = [
        row["text"] for row in csv.DictReader(io.StringIO(_csv(rows).removeprefix("\ufeff")))
    ]
    # then a formula-like cell is written behind the guard, the rest as they are, and every
    # one reads back as what was written
    assert written == [QUOTE + cell if needs_guard(cell) else cell for cell in cells]
    assert [restore_cell(cell) for cell in written] == cells
