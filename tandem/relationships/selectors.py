"""Reads about relationships, always scoped to the caller (their own pairs, or the programmes
they manage)."""

import datetime
from collections.abc import Iterable

from django.db.models import Min, Q, QuerySet

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
    *, organization_id: int, program_ids: Iterable[int] | None = None, role: str = "any"
) -> dict[int, datetime.date]:
    """Each person's first match date: the earliest `started_on` of a relationship of theirs
    that became active (in `program_ids`, or in any programme of the organisation), as
    mentee, mentor or either (`role`). One query per role; for the outcomes analysis."""
    roles = {"mentee": ("mentee",), "mentor": ("mentor",), "any": ("mentee", "mentor")}[role]
    relationships = Relationship.objects.filter(
        program__organization_id=organization_id,
        activated_at__isnull=False,
        started_on__isnull=False,
    )
    if program_ids is not None:
        relationships = relationships.filter(program_id__in=list(program_ids))
    dates: dict[int, datetime.date] = {}
    for side in roles:
        rows = (
            relationships.order_by()
            .values_list(f"{side}__user_id")
            .annotate(first=Min("started_on"))
        )
        for user_id, first in rows:
            if user_id not in dates or first < dates[user_id]:
                dates[user_id] = first
    return dates
