"""Reads about relationships, always scoped to the caller (their own pairs, or the programmes
they manage)."""

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, DateField, Max, Min, Q, QuerySet, Value

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


def first_match_dates(
    *, organization_id: int, program_ids: Iterable[int]
) -> Iterator[tuple[str, int, datetime.date, datetime.date | None]]:
    """For the outcomes analysis: per person and side ("mentee", "mentor"), the first match
    date anywhere in the organisation and the first in `program_ids` (None if none there).
    A match date is the `started_on` of a relationship that became active. Two queries
    (one per side)."""
    chosen = list(program_ids)
    relationships = Relationship.objects.filter(
        program__organization_id=organization_id,
        activated_at__isnull=False,
        started_on__isnull=False,
    ).order_by()
    in_chosen: Min | Value = Min("started_on", filter=Q(program_id__in=chosen))
    if not chosen:
        in_chosen = Value(None, output_field=DateField())
    for side in ("mentee", "mentor"):
        rows = relationships.values_list(f"{side}__user_id").annotate(
            first_any=Min("started_on"), first_chosen=in_chosen
        )
        for user_id, first_any, first_chosen in rows:
            yield side, user_id, first_any, first_chosen


def activation_stamp(*, organization_id: int) -> tuple[int, datetime.datetime | None]:
    """How many relationships of the organisation became active, and the latest activation:
    it changes whenever a match date (`first_match_dates`) can. One query."""
    stamp = Relationship.objects.filter(
        program__organization_id=organization_id, activated_at__isnull=False
    ).aggregate(count=Count("id"), latest=Max("activated_at"))
    return stamp["count"], stamp["latest"]
