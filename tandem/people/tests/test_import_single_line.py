"""The people import refuses a name or title that is not one line (a quoted CSV cell may hold
a line break), naming the row and column, and writes nothing."""

import pytest

from tandem.core.errors import FieldError, InvalidInput
from tandem.core.text import SINGLE_LINE_MESSAGE
from tandem.people import services
from tandem.people.tests.test_import_services import csv_bytes, org_state

COLUMNS = ["First name", "Last name", "Job title", "Department", "Location"]
BREAKS = ["Ada\r\nBcc: x@evil.example", "Ada\nLovelace", "Ada\rL", "Ada\tL", "Ada\u2028L"]


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("value", BREAKS, ids=repr)
def test_a_multi_line_cell_rejects_its_row_and_commits_nothing(cast, column, value):
    # given a good row and a row whose cell holds a line break
    content = csv_bytes(
        f"Email,{column}",
        "good@northwind.test,Fine",
        f"new@northwind.test,{_quoted(value)}",
    )
    before = org_state(cast.org)
    # when previewed
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then the row is rejected on that column
    assert plan.errors == [FieldError(column, SINGLE_LINE_MESSAGE, row=3)]
    # when committed
    with pytest.raises(InvalidInput) as raised:
        services.people_import_commit(actor=cast.admin, content=content)
    # then nothing is written
    assert raised.value.errors == [FieldError(column, SINGLE_LINE_MESSAGE, row=3)]
    assert org_state(cast.org) == before
