"""Reads about relationships, always scoped to the caller (their own pairs, or the programmes
they manage)."""

import datetime

from django.db.models import Count, Max, Q, QuerySet

from tandem.accounts.models import User
from tandem.programs.models import Program
from tandem.relationships.models import OPEN_STATUSES, Relationship, RelationshipEvent


def relationship_list_for_user(*, actor: User, open_only: bool = False) -> QuerySet[Relationship]:
    """The relationships `actor` is the mentor or the mentee of, newest first."""
    queryset = Relationship.objects.select_related(
        "program", "mentor__user", "mentee__user", "circle"
    ).filter(
        Q(mentor__user=actor) | Q(mentee__user=actor),
        program__organization_id=actor.organization_id or 0,
    )
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.order_by("-created_at", "-id")


def relationship_list_for_program(*, program: Program) -> QuerySet[Relationship]:
    """Every relationship of a programme; the caller has checked `program_access(manage=True)`."""
    return (
        Relationship.objects.select_related("mentor__user", "mentee__user", "circle")
        .filter(program=program)
        .order_by("-created_at", "-id")
    )


def relationship_list_for_person(
    *, person: User, programs: QuerySet[Program]
) -> QuerySet[Relationship]:
    """The pairs a person is in (as mentor or mentee) in `programs`, which the caller scoped to
    what the viewer manages; newest first, never by activity."""
    return (
        Relationship.objects.select_related("program", "mentor__user", "mentee__user")
        .filter(program__in=programs)
        .filter(Q(mentor__user=person) | Q(mentee__user=person))
        .order_by("-created_at", "-id")
    )


def relationship_event_list(
    *, relationship: Relationship, limit: int = 20
) -> list[RelationshipEvent]:
    """The pair's most recent activity (the caller holds a party's RelationshipAccess)."""
    return list(
        RelationshipEvent.objects.select_related("actor").filter(relationship=relationship)[:limit]
    )


def relationship_pairs_in_program(*, program: Program) -> QuerySet[Relationship]:
    """Every pair the programme has had, open or closed (matching forbids repeating them)."""
    return Relationship.objects.filter(program=program)


def match_dates(*, organization_id: int) -> list[tuple[int, int, int, datetime.date | None]]:
    """For the outcomes analysis: every relationship of the organisation that became active,
    as (mentee's user id, mentor's user id, programme id, match date). A match date is the
    relationship's `started_on`, set when it became active. One query, no aggregation (the
    caller folds 100,000 rows faster than the database's grouping does)."""
    return list(
        Relationship.objects.filter(
            program__organization_id=organization_id,
            activated_at__isnull=False,
            started_on__isnull=False,
        )
        .order_by()
        .values_list("mentee__user_id", "mentor__user_id", "program_id", "started_on")
    )


def activation_stamp(*, organization_id: int) -> tuple[int, datetime.datetime | None]:
    """How many relationships of the organisation became active, and the latest activation:
    it changes whenever a match date (`match_dates`) can. One query."""
    stamp = Relationship.objects.filter(
        program__organization_id=organization_id, activated_at__isnull=False
    ).aggregate(count=Count("id"), latest=Max("activated_at"))
    return stamp["count"], stamp["latest"]
