"""The participants CSV, shared by the manager's page and the API."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from tandem.accounts.models import User
from tandem.participants import selectors
from tandem.programs.models import Program


def participants_csv_response(*, actor: User, program: Program) -> HttpResponse:
    """A CSV download (UTF-8 with a BOM, so spreadsheets read accents) of the participants.

    The caller has already passed `program_access(..., manage=True)`.
    """
    header, rows = selectors.participant_export_table(actor=actor, program=program)
    filename = f"{slugify(program.name) or 'programme'}-participants-{timezone.localdate()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
