"""The participants CSV, shared by the manager's page and the API."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from tandem.accounts.models import User
from tandem.audit.services import audit_export
from tandem.core.exports import csv_download
from tandem.participants import selectors
from tandem.programs.models import Program


def participants_csv_response(*, actor: User, program: Program) -> StreamingHttpResponse:
    """A CSV download (UTF-8 with a BOM, so spreadsheets read accents) of the participants,
    written by the core writer, which keeps members' own words (job title, motivation, answers)
    from running as spreadsheet formulas.

    The caller has already passed `program_access(..., manage=True)`.
    """
    header, rows = selectors.participant_export_table(actor=actor, program=program)
    audit_export(
        actor=actor,
        organization_id=program.organization_id,
        what="participants",
        export_format="csv",
        target=program,
    )
    filename = f"{slugify(program.name) or 'programme'}-participants-{timezone.localdate()}.csv"
    return csv_download(filename=filename, header=header, rows=rows)
