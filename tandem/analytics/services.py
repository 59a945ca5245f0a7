"""The one write analytics makes: refreshing its materialised funnel (`models.FunnelEntry`).

A system job (the scheduler, cron or a worker), not a person's use case: no actor. One
transaction: the programmes' rows are deleted and written again by one INSERT ... SELECT whose
SELECT is the owners' set-based pieces (`selectors.funnel_people`), so a reader sees the old
rows or the new ones, never a mix.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Value
from django.db.models.fields import DateTimeField
from django.utils import timezone

from tandem.analytics.models import FunnelEntry
from tandem.analytics.selectors import FUNNEL_STEPS, funnel_people
from tandem.participants.models import ParticipantRole

COLUMNS = ["participant_id", "program_id", "role"] + [f"{key}_at" for key, _ in FUNNEL_STEPS]


def funnel_refresh(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> int:
    """Rewrite the funnel rows of `program_ids` (every programme when None) as of `now`;
    returns how many people were written. Idempotent."""
    now = now or timezone.now()
    table = connection.ops.quote_name(FunnelEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in [*COLUMNS, "refreshed_at"])
    written = 0
    with transaction.atomic():
        stale = FunnelEntry.objects.all()
        if program_ids is not None:
            stale = stale.filter(program_id__in=program_ids)
        stale.delete()
        for role in ParticipantRole.values:
            people = funnel_people(now=now, role=role, program_ids=program_ids).values_list(
                "pk", "program_id", "role", *COLUMNS[3:], Value(now, output_field=DateTimeField())
            )
            sql, params = people.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
                written += cursor.rowcount
    return written
