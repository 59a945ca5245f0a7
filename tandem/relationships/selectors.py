"""Reads about relationships, always scoped to the caller (their own pairs, or the programmes
they manage)."""

import datetime
from typing import Any

from django.db.models import Count, Max, QuerySet

from tandem.accounts.models import User
from tandem.core.columns import EpochDays, fetch_columns
from tandem.participants.models import Participant
from tandem.programs.models import Program
from tandem.relationships.models import OPEN_STATUSES, Relationship, RelationshipEvent


def relationship_ids_of_user(*, user: User) -> QuerySet[Relationship, Any]:
    """The ids of the relationships `user` is the mentor or the mentee of, as a subquery.

    Two indexed look-ups joined by a UNION: the person's participant rows (by user), then the
    relationships on each side (the mentor and mentee indexes). `mentor__user=u | mentee__user=u`
    reads the same rows, but an OR across two joins cannot use either index: PostgreSQL then
    hash-joins every relationship with every participant to return a person's three rows
    (issue 15: 66 ms at 100,000 people, against 0.5 ms for this)."""
    places = Participant.objects.filter(user=user).order_by().values("pk")
    mentoring = Relationship.objects.filter(mentor__in=places).order_by().values("pk")
    mentored = Relationship.objects.filter(mentee__in=places).order_by().values("pk")
    return mentoring.union(mentored)


# What a relationship's API shape shows (`relationships.api.relationship_out`), and the joins
# it needs: a list selects these rather than every column of six joined models. Compiling and
# reading ~145 columns was most of the CPU of a person's 3-row list (issue 15, bench/README.md).
API_COLUMNS = (
    "id",
    "program",
    "program__name",
    "status",
    "source",
    "circle_id",
    "started_on",
    "planned_end_on",
    "last_activity_at",
    "closed_at",
    "close_reason",
    "wants_new_match",
    "mentor",
    "mentor__user",
    "mentor__user__first_name",
    "mentor__user__last_name",
    "mentor__user__email",
    "mentee",
    "mentee__user",
    "mentee__user__first_name",
    "mentee__user__last_name",
    "mentee__user__email",
)


def relationship_list_for_user_api(*, actor: User) -> QuerySet[Relationship]:
    """`relationship_list_for_user` with only what the API shows (`API_COLUMNS`)."""
    return (
        relationship_list_for_user(actor=actor)
        .select_related(None)
        .select_related("program", "mentor__user", "mentee__user")
        .only(*API_COLUMNS)
    )


def relationship_list_for_user(*, actor: User, open_only: bool = False) -> QuerySet[Relationship]:
    """The relationships `actor` is the mentor or the mentee of, newest first."""
    queryset = Relationship.objects.select_related(
        "program", "mentor__user", "mentee__user", "circle"
    ).filter(
        pk__in=relationship_ids_of_user(user=actor),
        program__organization_id=actor.organization_id or 0,
    )
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.order_by("-created_at", "-id")


def circle_member_list(*, circle_ids: set[int] | list[int]) -> QuerySet[Relationship]:
    """The open relationships of these circles (each one mentee with the circle's mentor),
    with the program, the circle and both people; oldest first. The caller holds a member's
    access to each circle, or is listing circles they are in."""
    return (
        Relationship.objects.select_related("program", "circle", "mentor__user", "mentee__user")
        .filter(circle_id__in=list(circle_ids), status__in=OPEN_STATUSES)
        .order_by("created_at", "id")
    )


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
        .filter(program__in=programs, pk__in=relationship_ids_of_user(user=person))
        .order_by("-created_at", "-id")
    )


def relationship_event_list(
    *, relationship: Relationship, limit: int = 20, reader: User | None = None
) -> list[RelationshipEvent]:
    """The pair's most recent activity (the caller holds a party's RelationshipAccess). With a
    `reader`, what the reader did is told to them as "You …" (the stored summary begins with
    the actor's name, written for the other person and the managers)."""
    events = list(
        RelationshipEvent.objects.select_related("actor").filter(relationship=relationship)[:limit]
    )
    if reader is not None:
        for event in events:
            event.summary = _as_told_to(event, reader)
    return events


def _as_told_to(event: RelationshipEvent, reader: User) -> str:
    if event.actor_id != reader.pk or event.actor is None:
        return event.summary
    name = event.actor.display_name
    if event.summary.startswith(name + " "):
        return "You " + event.summary[len(name) + 1 :]
    return event.summary


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


def match_day_columns(
    *, organization_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """For the outcomes analysis, what `match_dates` says, as columns numpy reads at once:
    every activated relationship of the organisation as the columns (mentee's participant id,
    mentor's participant id, programme id, match date as days since 1970-01-01), and every
    participant of its programmes as the columns (participant id, user id). Two plain scans:
    joining the participants in the database hash-joins 200,000 rows twice and took three
    times as long at 100,000 relationships (bench/README.md, "Outcomes")."""
    programs = Program.objects.filter(organization_id=organization_id).values("pk")
    relationships = (
        Relationship.objects.filter(
            program_id__in=programs, activated_at__isnull=False, started_on__isnull=False
        )
        .order_by()
        .values_list("mentee_id", "mentor_id", "program_id", EpochDays("started_on"))
    )
    participants = (
        Participant.objects.filter(program_id__in=programs).order_by().values_list("pk", "user_id")
    )
    return fetch_columns(relationships, 4), fetch_columns(participants, 2)


def activation_stamp(*, organization_id: int) -> tuple[int, datetime.datetime | None]:
    """How many relationships of the organisation became active, and the latest activation:
    it changes whenever a match date (`match_dates`) can. One query."""
    stamp = Relationship.objects.filter(
        program__organization_id=organization_id, activated_at__isnull=False
    ).aggregate(count=Count("id"), latest=Max("activated_at"))
    return stamp["count"], stamp["latest"]


def relationship_facts(*, relationship_id: int, facts: dict[str, Any]) -> dict[str, Any]:
    """One relationship's scalar facts, each an expression its own app wrote (correlated on
    `OuterRef("pk")`, see `tandem.core.subqueries`), read in one query: a page that shows
    several apps' counts pays one round trip, and each count still costs only its rows."""
    if not facts:
        return {}
    return (
        Relationship.objects.filter(pk=relationship_id)
        .order_by()
        .annotate(**facts)
        .values(*facts)
        .get()
    )
