"""Every read about meetings, scoped through the relationship guard (callers pass the access
they got from it), with the prefetches that keep lists at a fixed number of queries.

"Held" has one definition, owned here: a meeting whose status is HELD (a CHECK constraint
gives it a `held_at`); a cancelled or merely scheduled meeting is not held, whatever its time.
It is exposed per object (`meeting_is_held`, `has_held_a_meeting`) and set-based, for other
apps' querysets (`held_meeting`, `held_meetings`, `held_meeting_count`, `last_held_at`,
`first_meeting_held`); the journeys' auto steps, the nudges and the managers' signals use them.
"""

import datetime
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.meetings.models import AgendaItem, CalendarFeedToken, CheckIn, Meeting, MeetingStatus
from tandem.meetings.services import feed_token_digest, meeting_path
from tandem.meetings.times import in_zone, local_text
from tandem.people.selectors import profile_timezone_get
from tandem.relationships import selectors as relationship_selectors
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.permissions import RelationshipAccess

# --- "held": one definition, per meeting and set-based -----------------------------------


def meeting_is_held(meeting: Meeting) -> bool:
    """Whether this meeting was held (the per-object form of `held_meeting`)."""
    return meeting.status == MeetingStatus.HELD


def has_held_a_meeting(*, relationship: Relationship) -> bool:
    """Whether the pair has held at least one meeting (one query, the rule applied per
    meeting in Python: the per-pair form of `first_meeting_held`)."""
    return any(
        meeting_is_held(meeting)
        for meeting in Meeting.objects.filter(relationship=relationship).only("status")
    )


def held_meeting(prefix: str = "") -> Q:
    """The condition "held" on meetings, or on rows reaching a meeting through `prefix`
    (for example "meetings__"), to filter or to use in an aggregate's `filter=`."""
    return Q(**{f"{prefix}status": MeetingStatus.HELD})


def held_meetings() -> QuerySet[Meeting]:
    """Every held meeting, to narrow further (by relationship, by time)."""
    return Meeting.objects.filter(held_meeting())


def _held_of(relationship_ref: str) -> QuerySet[Meeting]:
    return held_meetings().filter(relationship_id=OuterRef(relationship_ref)).order_by()


def held_meeting_count(relationship_ref: str = "pk") -> Coalesce:
    """How many meetings the relationship at `OuterRef(relationship_ref)` held (0 for none),
    as a subquery to annotate a queryset of relationships."""
    counted = _held_of(relationship_ref).values("relationship_id").annotate(value=Count("pk"))
    return Coalesce(Subquery(counted.values("value")[:1]), 0, output_field=IntegerField())


def last_held_at(relationship_ref: str = "pk") -> Subquery:
    """When the relationship at `OuterRef(relationship_ref)` last held a meeting (None)."""
    latest = _held_of(relationship_ref).values("relationship_id").annotate(value=Max("held_at"))
    return Subquery(latest.values("value")[:1])


def first_meeting_held(relationship_ref: str = "pk") -> Exists:
    """Whether the relationship at `OuterRef(relationship_ref)` has held a meeting."""
    return Exists(_held_of(relationship_ref))


# --- at risk: one definition, per pair and set-based ---------------------------------------
# An active pair whose last sign of meeting (its activation, or the last meeting it held) is more
# than six weeks old. The managers' signals and the weekly digest both ask here.
AT_RISK_AFTER = datetime.timedelta(weeks=6)


def relationship_is_at_risk(
    *,
    status: str,
    activated_at: datetime.datetime | None,
    last_held: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Whether a pair is at risk, from its status, activation and last held meeting."""
    if status != RelationshipStatus.ACTIVE or activated_at is None:
        return False
    latest = max(activated_at, last_held) if last_held else activated_at
    return latest < now - AT_RISK_AFTER


def at_risk_relationship(now: datetime.datetime) -> Q:
    """The condition "at risk" on relationships (the set-based form of
    `relationship_is_at_risk`)."""
    cutoff = now - AT_RISK_AFTER
    recent = Exists(held_meetings().filter(relationship=OuterRef("pk"), held_at__gte=cutoff))
    return Q(status=RelationshipStatus.ACTIVE, activated_at__lt=cutoff) & ~Q(recent)


def _with_agenda(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("added_by"))
    )


def meeting_list(*, access: RelationshipAccess) -> QuerySet[Meeting]:
    """The pair's meetings, soonest first, agenda items prefetched."""
    return _with_agenda(
        Meeting.objects.filter(relationship=access.relationship).select_related("created_by")
    ).order_by("starts_at", "id")


def meeting_get(*, access: RelationshipAccess, meeting_id: int) -> Meeting:
    """One of the pair's meetings with its agenda, or NotFound."""
    meeting = meeting_list(access=access).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("No such meeting."))
    meeting.relationship = access.relationship
    return meeting


def checkin_list(*, access: RelationshipAccess, meeting_id: int) -> list[CheckIn]:
    """The check-ins of one of the pair's meetings (both people see both)."""
    if not Meeting.objects.filter(pk=meeting_id, relationship=access.relationship).exists():
        raise NotFound(_("No such meeting."))
    return list(
        CheckIn.objects.filter(meeting_id=meeting_id)
        .select_related("user")
        .order_by("created_at", "id")
    )


def next_meeting(*, relationship: Relationship) -> Meeting | None:
    """The pair's next scheduled meeting that has not started yet."""
    return (
        Meeting.objects.filter(
            relationship=relationship,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at", "id")
        .first()
    )


def meetings_panel(*, access: RelationshipAccess) -> dict[str, Any]:
    """The workspace hub's meetings card: the next meeting in the viewer's time, and the
    check-ins the viewer still owes after held meetings. At most three queries."""
    relationship = access.relationship
    zone_name = profile_timezone_get(user=access.user)  # one query (the profile)
    upcoming = next_meeting(relationship=relationship)
    # The three most recent held meetings, each marked with whether the viewer checked in:
    # one query tells both what is owed and whether the pair has met at all.
    recent_held = list(
        held_meetings()
        .filter(relationship=relationship)
        .annotate(
            checked_in=Exists(CheckIn.objects.filter(meeting=OuterRef("pk"), user=access.user))
        )
        .order_by("-starts_at", "-id")[:3]
    )
    owed = [meeting for meeting in recent_held if not meeting.checked_in]
    base = reverse("meetings:list", args=[relationship.pk])
    items: list[dict[str, Any]] = []
    if upcoming is not None:
        items.append(
            {
                "text": _("Next meeting: %(title)s, %(when)s")
                % {"title": upcoming.title, "when": local_text(upcoming.starts_at, zone_name)},
                "url": meeting_path(upcoming),
                "due": in_zone(upcoming.starts_at, zone_name).date(),
                "overdue": False,
            }
        )
    for meeting in owed:
        items.append(
            {
                "text": _("Check in after “%(title)s”") % {"title": meeting.title},
                "url": meeting_path(meeting) + "#checkin",
                "due": None,
                "overdue": False,
            }
        )
    if upcoming is None and not owed and access.is_open:
        text = _("Schedule your next meeting") if recent_held else _("Schedule your first meeting")
        items.append({"text": text, "url": base, "due": None, "overdue": False})
    return {
        "next_meeting": upcoming,
        "next_meeting_local": (
            local_text(upcoming.starts_at, zone_name, minutes=upcoming.duration_minutes)
            if upcoming is not None
            else ""
        ),
        "checkins_owed": owed,
        "timezone": zone_name,
        "url": base,
        "next_items": items,
    }


def next_meeting_start_by_relationship(*, relationship_ids: list[int]) -> dict[int, Any]:
    """When each relationship's next scheduled meeting starts (absent: none), in one query:
    the home page's list needs only this of `meeting_signals_by_relationship`."""
    if not relationship_ids:
        return {}
    rows = (
        Meeting.objects.filter(
            relationship_id__in=relationship_ids,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .values("relationship_id")
        .annotate(next_starts_at=Min("starts_at"))
        .order_by()
    )
    return {row["relationship_id"]: row["next_starts_at"] for row in rows}


def meeting_signals_by_relationship(*, relationship_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Activity signals per relationship for the programme manager's view: how many meetings
    were held, the last one, the next one and the average check-in rating. Never any text.
    Two queries, whatever the number of relationships."""
    signals: dict[int, dict[str, Any]] = {
        pk: {
            "held_count": 0,
            "last_held_at": None,
            "next_starts_at": None,
            "average_usefulness": None,
        }
        for pk in relationship_ids
    }
    if not relationship_ids:
        return signals
    held = held_meeting()
    rows = (
        Meeting.objects.filter(relationship_id__in=relationship_ids)
        .values("relationship_id")
        .annotate(
            held_count=Count("id", filter=held),
            last_held_at=Max("held_at", filter=held),
            next_starts_at=Min(
                "starts_at",
                filter=Q(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()),
            ),
        )
        .order_by()
    )
    for row in rows:
        signals[row["relationship_id"]].update(
            held_count=row["held_count"],
            last_held_at=row["last_held_at"],
            next_starts_at=row["next_starts_at"],
        )
    ratings = (
        Meeting.objects.filter(relationship_id__in=relationship_ids, checkins__isnull=False)
        .values("relationship_id")
        .annotate(average=Avg("checkins__usefulness"))
        .order_by()
    )
    for row in ratings:
        signals[row["relationship_id"]]["average_usefulness"] = (
            None if row["average"] is None else float(row["average"])
        )
    return signals


def checkin_summary_by_relationship(
    *, relationships: QuerySet[Relationship, Any], since: datetime.datetime
) -> dict[int, tuple[int, float]]:
    """How many check-ins each relationship's people gave after meetings that started since
    `since`, and their mean usefulness (1-5), for relationship health: a number managers never
    see as such (health says "check-ins lower than usual"). `relationships` is a queryset (a
    subquery, whatever its size); relationships without check-ins are left out. One query."""
    rows = (
        CheckIn.objects.filter(
            meeting__relationship__in=relationships.values("pk"), meeting__starts_at__gte=since
        )
        .values("meeting__relationship_id")
        .annotate(count=Count("pk"), mean=Avg("usefulness"))
        .order_by()
        .values_list("meeting__relationship_id", "count", "mean")
    )
    return {pk: (count, float(mean)) for pk, count, mean in rows if mean is not None}


# --- calendar feed ----------------------------------------------------------------------


def calendar_feed_get(*, actor: User) -> CalendarFeedToken | None:
    """The actor's feed (only when it was created; its secret is never readable again)."""
    return CalendarFeedToken.objects.filter(user=actor).first()


def calendar_feed_user(*, raw_token: str) -> User | None:
    """The active person a feed secret belongs to, or None (unknown or revoked)."""
    if not raw_token:
        return None
    feed = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=feed_token_digest(raw_token), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


def meeting_list_for_feed(*, user: User) -> list[Meeting]:
    """Every meeting of every relationship `user` is a person of (not as a manager)."""
    return list(
        _with_agenda(
            # The pair's relationships by two indexed look-ups, not an OR across joins.
            Meeting.objects.filter(
                relationship__in=relationship_selectors.relationship_ids_of_user(user=user)
            ).select_related(
                "created_by",
                "relationship__program",
                "relationship__mentor__user",
                "relationship__mentee__user",
            )
        ).order_by("starts_at", "id")
    )
