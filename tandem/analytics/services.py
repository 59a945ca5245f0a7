"""The one write analytics makes: refreshing its materialised funnel (`models.FunnelEntry`) and
weekly activity, then starting a new generation of the cached sections (`sections`) and warming
the dashboards people open first.

A system job (the scheduler, cron or a worker), not a person's use case: no actor. One
transaction: the programmes' rows are deleted and written again by one INSERT ... SELECT whose
SELECT is the owners' set-based pieces (`selectors.funnel_people`), so a reader sees the old
rows or the new ones, never a mix.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q, Value
from django.db.models.fields import DateTimeField
from django.utils import timezone

from tandem.analytics import sections
from tandem.analytics.filters import MAX_WEEKS, Filters, Scope
from tandem.analytics.models import FunnelEntry, RecentActivity, WeeklyActivity
from tandem.analytics.selectors import (
    FUNNEL_STEPS,
    funnel,
    funnel_people,
    met_recently,
    satisfaction,
    skills,
    weekly_counts,
)
from tandem.core.aggregates import week_of
from tandem.participants.models import ParticipantRole
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus

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


def activity_refresh(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> int:
    """Rewrite the programmes' weekly activity (the last MAX_WEEKS whole weeks) and their
    active pairs that met in the last 30 days, as of `now`; returns the weekly rows written.
    A fixed number of grouped queries; idempotent."""
    now = now or timezone.now()
    this_monday = week_of(now)
    start = timezone.make_aware(
        datetime.datetime.combine(
            this_monday - datetime.timedelta(weeks=MAX_WEEKS), datetime.time.min
        )
    )
    end = timezone.make_aware(datetime.datetime.combine(this_monday, datetime.time.min))

    def pairs(prefix: str) -> Q:
        if program_ids is None:
            return Q(**{f"{prefix}program__isnull": False})
        return Q(**{f"{prefix}program_id__in": program_ids})

    counts = weekly_counts(pairs, start, end, by_program=True)
    recent = (
        Relationship.objects.filter(pairs(""), status=RelationshipStatus.ACTIVE)
        .order_by()
        .values("program_id")
        .annotate(pairs=Count("pk"), met=Count("pk", filter=Q(met_recently(now))))
    )
    with transaction.atomic():
        for model in (WeeklyActivity, RecentActivity):
            stale = model.objects.all()
            if program_ids is not None:
                stale = stale.filter(program_id__in=program_ids)
            stale.delete()
        WeeklyActivity.objects.bulk_create(
            WeeklyActivity(program_id=program_id, week=week, refreshed_at=now, **cell)
            for (program_id, week), cell in counts.items()
            if program_id is not None
        )
        RecentActivity.objects.bulk_create(
            RecentActivity(
                program_id=row["program_id"],
                active_pairs=row["pairs"],
                met_last_30_days=row["met"],
                refreshed_at=now,
            )
            for row in recent
        )
    return len(counts)


def analytics_refresh(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> int:
    """Every summary the dashboards read (the funnel, the weekly activity), as of one `now`;
    returns the participants whose funnel was written."""
    now = now or timezone.now()
    people = funnel_refresh(now=now, program_ids=program_ids)
    activity_refresh(now=now, program_ids=program_ids)
    sections.start_generation(now)
    dashboards_warm(now=now, program_ids=program_ids)
    return people


def _dashboard_scopes(program_ids: list[int] | None) -> set[tuple[int, ...]]:
    """The programme sets whose dashboards people open without filters: each programme, each
    organisation's roll-up for its admins (every programme) and for each of its programme
    managers (the ones they manage)."""
    programs = Program.objects.order_by()
    if program_ids is not None:
        organizations = programs.filter(pk__in=program_ids).values("organization_id")
        programs = programs.filter(organization_id__in=organizations)
    by_organization: dict[int, list[int]] = defaultdict(list)
    for program_id, organization_id in programs.values_list("pk", "organization_id"):
        by_organization[organization_id].append(program_id)
    managed: dict[int, list[int]] = defaultdict(list)
    for program_id, user_id in Program.managers.through.objects.filter(
        program_id__in=programs.values("pk")
    ).values_list("program_id", "user_id"):
        managed[user_id].append(program_id)
    scopes: set[tuple[int, ...]] = {
        (program_id,) for ids in by_organization.values() for program_id in ids
    }
    scopes |= {tuple(sorted(ids)) for ids in (*by_organization.values(), *managed.values())}
    return scopes


def _warm(scope: Scope) -> None:
    sections.cached("funnel", scope, lambda: funnel(scope))
    sections.cached("satisfaction", scope, lambda: satisfaction(scope))
    sections.cached("skills", scope, lambda: skills(scope))


def dashboards_warm(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> int:
    """Compute the cached sections (`sections`) of the dashboards people open first, for
    both roles, so the first reader after a refresh does not pay for them; returns how many
    dashboards were warmed. Reads only."""
    now = now or timezone.now()
    warmed = 0
    for ids in sorted(_dashboard_scopes(program_ids)):
        for role in ParticipantRole.values:
            _warm(Scope(program_ids=ids, filters=Filters(role=role), now=now))
            warmed += 1
    return warmed
