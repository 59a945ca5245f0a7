"""The export archive: one JSON and one CSV file per section, and a README.txt saying what each
file is. Pure: sections in, zip bytes out."""

import io
import json
import zipfile
from collections.abc import Sequence

from tandem.core.exports import csv_lines
from tandem.core.personal_data import Section

README_HEAD = """\
Everything Tandem holds about {name} <{email}>, as of {at}.

Each section is in two files: NAME.json (the rows as a list of objects, readable by any
program) and NAME.csv (the same rows as a table for a spreadsheet). Dates and times are
ISO 8601 in UTC. Private text (your journal, survey answers, assessment notes) is decrypted.
Shared things (meetings, goals, action items) are those of the relationships you were part of.

Files:
"""


def _csv(rows: list[dict[str, object]]) -> str:
    # Through the one CSV writer: a person's own words (a journal line starting with "=")
    # must not run as a formula in the spreadsheet they open the file with.
    columns = list(rows[0]) if rows else []
    cells = (
        [
            json.dumps(row.get(key)) if isinstance(row.get(key), dict | list) else row.get(key)
            for key in columns
        ]
        for row in rows
    )
    return "".join(csv_lines(columns, cells))  # type: ignore[arg-type]


def build_archive(*, name: str, email: str, at: str, sections: Sequence[Section]) -> bytes:
    """The zip of `sections`, with its README first."""
    readme = README_HEAD.format(name=name, email=email, at=at)
    for section in sections:
        count = len(section.rows)
        readme += (
            f"- {section.name}.json / {section.name}.csv ({count} rows): {section.description}\n"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for section in sections:
            archive.writestr(
                f"{section.name}.json",
                json.dumps(section.rows, indent=2, ensure_ascii=False, default=str),
            )
            archive.writestr(f"{section.name}.csv", _csv(section.rows))
    return buffer.getvalue()
