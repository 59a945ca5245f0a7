"""What the workspace shows, composed from each app's selectors.

Two audiences, two kinds of read:
- the pair (`workspace_for_party`): every app's panel, the timeline and "what's next";
- the programme's managers (`relationship_signals`): activity signals only — status, the
  week of the last activity, meetings held, goal progress, agreement, actions — never notes,
  journal, messages or feedback text, and no average over the pair's people: two people are
  fewer than the minimum group of the aggregate rule (`tandem.core.aggregates`), so a pair's
  check-in ratings are not shown (the read after a check-in would give its rating). Each app
  hands over numbers by relationship id, in a bounded number of queries, so the list costs
  the same for 10 pairs or 10,000.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.accounts.models import User
from tandem.actions.selectors import (
    action_counts_by_relationship,
    actions_panel,
    actions_panel_facts,
)
from tandem.agreements.selectors import agreement_panel, agreement_signed_relationship_ids
from tandem.assessments.selectors import assessments_panel, assessments_panel_facts
from tandem.conversations.selectors import (
    conversation_panel,
    conversation_panel_facts,
    message_list_recent,
    message_unread_count,
    thread_for_circle,
)
from tandem.core.aggregates import coarse_week, week_of
from tandem.feedback.selectors import feedback_panel, feedback_panel_facts
from tandem.goals.selectors import goal_progress_by_relationship, goals_panel
from tandem.health.scoring import Bucket
from tandem.health.selectors import health_by_relationship
from tandem.journals.selectors import journals_panel, journals_panel_facts
from tandem.journeys.selectors import journeys_panel
from tandem.meetings.selectors import (
    meeting_signals_by_relationship,
    meetings_panel,
    next_meeting_start_by_relationship,
)
from tandem.participants.models import Participant
from tandem.participants.selectors import participation_list_for_person
from tandem.people.models import Profile
from tandem.people.selectors import profile_for_person
from tandem.programs.models import Program
from tandem.relationships.lifecycle import NextStep, actions_from, next_actor
from tandem.relationships.models import (
    OPEN_STATUSES,
    Circle,
    Relationship,
    RelationshipStatus,
)
from tandem.relationships.permissions import CircleAccess, RelationshipAccess
from tandem.relationships.selectors import (
    circle_member_list,
    relationship_event_list,
    relationship_facts,
    relationship_list_for_person,
    relationship_list_for_program,
    relationship_list_for_user,
)
from tandem.workspace.permissions import PersonAccess

# The hub's panels, in the order a busy mentor reads them.
PANELS: list[tuple[str, Callable[..., dict[str, Any]]]] = [
    ("journeys", journeys_panel),
    ("agreements", agreement_panel),
    ("meetings", meetings_panel),
    ("goals", goals_panel),
    ("actions", actions_panel),
    ("conversations", conversation_panel),
    ("feedback", feedback_panel),
    ("journals", journals_panel),
    ("assessments", assessments_panel),
]

# The panels whose numbers are subqueries on the relationship row: the hub reads all of
# them in one query (`relationship_facts`) and hands each panel the row as `facts`.
PANEL_FACTS: dict[str, Callable[..., dict[str, Any]]] = {
    "actions": actions_panel_facts,
    "conversations": conversation_panel_facts,
    "feedback": feedback_panel_facts,
    "journals": journals_panel_facts,
    "assessments": assessments_panel_facts,
}


@dataclass
class Workspace:
    access: RelationshipAccess
    panels: list[tuple[str, dict[str, Any]]]
    next_items: list[dict[str, Any]]
    timeline: list[Any]
    actions: list[Any]
    days_in: int | None = None
    days_total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    next_step: NextStep | None = None  # who acts next on the pair, said to the reader


def _next_sort_key(item: dict[str, Any]) -> tuple[int, datetime.date]:
    # Overdue first, then by due date, undated last.
    due = item.get("due")
    if isinstance(due, datetime.datetime):
        due = due.date()
    return (0 if item.get("overdue") else 1, due or datetime.date.max)


def _fold_by_concern(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per concern: a journey step about what a panel already lists ("Sign the
    mentoring agreement, due 3 May" beside "Sign the agreement") lends that item its date and
    goes. The first item of a concern keeps its words; a step nobody else lists stays."""
    kept: dict[str, dict[str, Any]] = {}
    folded: list[dict[str, Any]] = []
    for item in items:
        concern = item.get("concern")
        if concern is None:
            folded.append(item)
        elif concern in kept:
            first = kept[concern]
            if first.get("due") is None and item.get("due") is not None:
                first["due"] = item["due"]
                due_text = item.get("due_text") or _("due soon")
                first["text"] = f"{first['text']} ({due_text})"
            first["overdue"] = bool(first.get("overdue") or item.get("overdue"))
        else:
            kept[concern] = dict(item)
            folded.append(kept[concern])
    return folded


def workspace_for_party(*, access: RelationshipAccess) -> Workspace:
    """Everything the pair's hub page shows. The caller holds a party's access. The cost is
    fixed whatever the pair wrote: each panel reads at most one list, and the numbers of the
    cards in PANEL_FACTS come in one query for all of them."""
    expressions: dict[str, Any] = {}
    for facts_of in PANEL_FACTS.values():
        expressions.update(facts_of(access=access))
    facts = relationship_facts(relationship_id=access.relationship.pk, facts=expressions)
    panels = [
        (name, build(access=access, facts=facts) if name in PANEL_FACTS else build(access=access))
        for name, build in PANELS
    ]
    next_items = sorted(
        # Journey steps last, so an owning panel's own words win the fold.
        _fold_by_concern(
            [
                item
                for name, panel in sorted(panels, key=lambda named: named[0] == "journeys")
                for item in panel.get("next_items", [])
            ]
        ),
        key=_next_sort_key,
    )
    relationship = access.relationship
    days_in = days_total = None
    if relationship.started_on and relationship.planned_end_on:
        days_total = max((relationship.planned_end_on - relationship.started_on).days, 1)
        days_in = min(max((timezone.localdate() - relationship.started_on).days, 0), days_total)
    return Workspace(
        access=access,
        panels=panels,
        next_items=next_items,
        timeline=relationship_event_list(relationship=relationship, limit=15, reader=access.user),
        actions=actions_from(relationship.status),
        days_in=days_in,
        days_total=days_total,
        next_step=next_actor(relationship, access.user),
    )


@dataclass(frozen=True)
class MyRelationship:
    relationship: Relationship
    side: str
    partner: User
    next_meeting_at: datetime.datetime | None
    is_circle: bool = False


@dataclass(frozen=True)
class CircleWorkspace:
    """What a circle's page shows its member: who is in it, the meetings of its pairs, the
    circle's messages, and the way to each member's own pair hub."""

    access: CircleAccess
    next_meetings: list[tuple[User, datetime.datetime]]
    messages: list[Any]
    unread: int
    thread_url: str


def circle_workspace(*, access: CircleAccess) -> CircleWorkspace:
    """The circle's page for one of its members (the caller holds `circle_access`). A fixed
    number of queries: the next meetings of its pairs, the last messages and the unread
    count, whatever the circle's size."""
    by_relationship = {r.pk: r for r in access.relationships}
    starts = next_meeting_start_by_relationship(relationship_ids=list(by_relationship))
    next_meetings = sorted(
        ((by_relationship[pk].mentee.user, at) for pk, at in starts.items()),
        key=lambda item: item[1],
    )
    thread = thread_for_circle(access=access)
    return CircleWorkspace(
        access=access,
        next_meetings=next_meetings,
        messages=message_list_recent(thread=thread, limit=5),
        unread=message_unread_count(thread=thread),
        thread_url=thread.url,
    )


@dataclass(frozen=True)
class MyCircle:
    """A circle on its member's home page: one card, whoever the member is."""

    circle: Circle
    side: str
    mentor: User
    mentees: list[User]
    next_meeting_at: datetime.datetime | None
    is_circle: bool = True


def my_relationship_list(*, actor: User) -> list[MyRelationship | MyCircle]:
    """The caller's relationships for the home page, each with its next meeting; a circle is
    one card (its mentor holds a pair with each mentee, a mentee one pair, and both see the
    circle once). Three queries, whatever the number of circles or their sizes."""
    relationships = list(relationship_list_for_user(actor=actor))
    circle_ids = {r.circle_id for r in relationships if r.circle_id is not None}
    members: dict[int, list[Relationship]] = {}
    if circle_ids:
        for member in circle_member_list(circle_ids=circle_ids):
            members.setdefault(member.circle_id or 0, []).append(member)
    next_starts = next_meeting_start_by_relationship(
        relationship_ids=[r.pk for r in relationships]
        + [m.pk for ms in members.values() for m in ms]
    )
    rows: list[MyRelationship | MyCircle] = []
    seen: set[int] = set()
    for relationship in relationships:
        is_mentor = relationship.mentor.user_id == actor.pk
        circle = relationship.circle
        if circle is not None and relationship.circle_id in members:
            if circle.pk in seen:
                continue
            seen.add(circle.pk)
            in_circle = members[circle.pk]
            starts = [next_starts[m.pk] for m in in_circle if m.pk in next_starts]
            rows.append(
                MyCircle(
                    circle=circle,
                    side="mentor" if is_mentor else "mentee",
                    mentor=relationship.mentor.user,
                    mentees=[m.mentee.user for m in in_circle],
                    next_meeting_at=min(starts) if starts else None,
                )
            )
            continue
        rows.append(
            MyRelationship(
                relationship=relationship,
                side="mentor" if is_mentor else "mentee",
                partner=relationship.mentee.user if is_mentor else relationship.mentor.user,
                next_meeting_at=next_starts.get(relationship.pk),
            )
        )
    return rows


@dataclass(frozen=True)
class RelationshipSignals:
    """What a programme manager may know about one relationship: numbers, never content."""

    relationship: Relationship
    # Activity is shown by the week (the Monday), never the moment: a timestamp read next to
    # an aggregate that just moved says who acted (tandem.core.aggregates.coarse_week).
    last_active_week: datetime.date | None
    meetings_held: int
    last_meeting_week: datetime.date | None
    next_meeting_at: datetime.datetime | None
    goal_progress: int | None
    agreement_signed: bool
    actions_open: int
    actions_overdue: int
    # The pair's stored health (`health.selectors`, the one "at risk" managers see); None
    # until the scheduler scores it.
    health_bucket: str | None
    health_label: str
    this_week: datetime.date

    @property
    def is_at_risk(self) -> bool:
        return self.health_bucket == Bucket.AT_RISK

    @property
    def is_circle(self) -> bool:
        return False

    @property
    def last_active_text(self) -> str:
        return _week_text(self.last_active_week, self.this_week)

    @property
    def last_meeting_text(self) -> str:
        return _week_text(self.last_meeting_week, self.this_week)


def _week_text(week: datetime.date | None, this_week: datetime.date) -> str:
    if week is None:
        return ""
    if week == this_week:
        return _("This week")
    if week == this_week - datetime.timedelta(weeks=1):
        return _("Last week")
    return _("Week of %(date)s") % {"date": formats.date_format(week, "j M Y")}


STATUS_FILTERS = {
    "open": Q(status__in=OPEN_STATUSES),
    **{status.value: Q(status=status.value) for status in RelationshipStatus},
}


def relationship_queryset_for_program(
    *, program: Program, status: str = "", search: str = ""
) -> QuerySet[Relationship]:
    """The programme's relationships, filtered; the caller checked program_access(manage).
    Ordered by when each pair was made (newest first), never by activity: the order must not
    tell a manager who acted last."""
    queryset = relationship_list_for_program(program=program)
    if status in STATUS_FILTERS:
        queryset = queryset.filter(STATUS_FILTERS[status])
    for word in search.split():
        queryset = queryset.filter(
            Q(mentor__user__first_name__icontains=word)
            | Q(mentor__user__last_name__icontains=word)
            | Q(mentor__user__email__icontains=word)
            | Q(mentee__user__first_name__icontains=word)
            | Q(mentee__user__last_name__icontains=word)
            | Q(mentee__user__email__icontains=word)
        )
    return queryset


# The managers' list shows a circle as one row; these choose what the list holds.
KIND_FILTERS = {
    "": Q(),
    "circles": Q(circle__isnull=False),
    "pairs": Q(circle__isnull=True),
}


def signal_row_queryset_for_program(
    *, program: Program, status: str = "", search: str = "", kind: str = ""
) -> QuerySet[Relationship]:
    """The managers' list: one relationship per row, and a circle once, by its newest member
    that the filters keep (the row then gathers the circle's members, `signal_rows`). The
    order stays newest first, never by activity. The caller checked program_access(manage)."""
    matching = relationship_queryset_for_program(program=program, status=status, search=search)
    matching = matching.filter(KIND_FILTERS.get(kind, Q()))
    newest_in_circle = (
        matching.filter(circle=OuterRef("circle")).order_by("-created_at", "-id").values("pk")[:1]
    )
    return matching.filter(Q(circle__isnull=True) | Q(pk=Subquery(newest_in_circle)))


@dataclass(frozen=True)
class ProgramCounts:
    circles: int
    in_circles: int
    pairs: int

    @property
    def text(self) -> str:
        pairs = ngettext("%(n)d pair", "%(n)d pairs", self.pairs) % {"n": self.pairs}
        if not self.circles:
            return pairs
        mentees = ngettext("%(n)d mentee", "%(n)d mentees", self.in_circles) % {
            "n": self.in_circles
        }
        circles = ngettext(
            "%(n)d circle (%(mentees)s)", "%(n)d circles (%(mentees)s)", self.circles
        ) % {"n": self.circles, "mentees": mentees}
        if not self.pairs:
            return circles
        return _("%(circles)s and %(pairs)s") % {"circles": circles, "pairs": pairs}


def open_counts_for_program(*, program: Program) -> ProgramCounts:
    """How many circles (and mentees in them) and one-to-one pairs the programme has open:
    a circle counts once, as its members see it. One query."""
    counts = (
        relationship_list_for_program(program=program)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .aggregate(
            circles=Count("circle", distinct=True),
            in_circles=Count("pk", filter=Q(circle__isnull=False)),
            pairs=Count("pk", filter=Q(circle__isnull=True)),
        )
    )
    return ProgramCounts(**counts)


@dataclass(frozen=True)
class CircleSignals:
    """A circle on the managers' list: its members' signals, each still a pair's numbers
    (a manager sees them pair by pair anyway), and the few that read as one for the circle."""

    circle: Circle
    members: list[RelationshipSignals]

    @property
    def is_circle(self) -> bool:
        return True

    @property
    def is_at_risk(self) -> bool:
        return any(member.is_at_risk for member in self.members)

    @property
    def statuses(self) -> list[str]:
        return sorted({member.relationship.get_status_display() for member in self.members})

    @property
    def meetings_held(self) -> int:
        # The circle's meetings are its members' meetings: the most any member held.
        return max((member.meetings_held for member in self.members), default=0)

    @property
    def next_meeting_at(self) -> datetime.datetime | None:
        starts = [m.next_meeting_at for m in self.members if m.next_meeting_at is not None]
        return min(starts) if starts else None

    @property
    def last_active_text(self) -> str:
        weeks = [m.last_active_week for m in self.members if m.last_active_week is not None]
        return _week_text(max(weeks), self.members[0].this_week) if weeks else ""

    @property
    def agreements_signed(self) -> int:
        return sum(1 for member in self.members if member.agreement_signed)

    @property
    def actions_open(self) -> int:
        return sum(member.actions_open for member in self.members)

    @property
    def actions_overdue(self) -> int:
        return sum(member.actions_overdue for member in self.members)


def signal_rows(
    *, page: list[Relationship], program: Program, status: str = "", search: str = ""
) -> list["RelationshipSignals | CircleSignals"]:
    """The rows of one page of `signal_row_queryset_for_program`: a pair as itself, a circle
    with every member the filters keep. One query for the circles' members, then the pairs'
    signals in the fixed number of queries of `relationship_signals`, whatever the circles'
    sizes."""
    circle_ids = {r.circle_id for r in page if r.circle_id is not None}
    members: list[Relationship] = []
    if circle_ids:
        members = list(
            relationship_queryset_for_program(program=program, status=status, search=search)
            .filter(circle_id__in=circle_ids)
            .order_by("created_at", "id")
        )
    singles = [r for r in page if r.circle_id is None]
    signals = relationship_signals(relationships=singles + members)
    by_id = {row.relationship.pk: row for row in signals}
    grouped: dict[int, list[RelationshipSignals]] = {}
    for member in members:
        grouped.setdefault(member.circle_id or 0, []).append(by_id[member.pk])
    rows: list[RelationshipSignals | CircleSignals] = []
    for relationship in page:
        if relationship.circle_id is None:
            rows.append(by_id[relationship.pk])
        else:
            assert relationship.circle is not None  # noqa: S101 (selected with the row)
            rows.append(
                CircleSignals(circle=relationship.circle, members=grouped[relationship.circle_id])
            )
    return rows


def relationship_signals(*, relationships: list[Relationship]) -> list[RelationshipSignals]:
    """Activity signals for one page of relationships, in a fixed number of queries."""
    ids = [r.pk for r in relationships]
    meetings = meeting_signals_by_relationship(relationship_ids=ids)
    progress = goal_progress_by_relationship(relationship_ids=ids)
    signed = agreement_signed_relationship_ids(relationship_ids=ids)
    actions = action_counts_by_relationship(relationship_ids=ids)
    health = health_by_relationship(relationship_ids=ids)
    now = timezone.now()
    this_week = week_of(now)
    rows = []
    for relationship in relationships:
        meeting = meetings.get(relationship.pk, {})
        action = actions.get(relationship.pk, {})
        rows.append(
            RelationshipSignals(
                relationship=relationship,
                last_active_week=coarse_week(relationship.last_activity_at),
                meetings_held=meeting.get("held_count", 0),
                last_meeting_week=coarse_week(meeting.get("last_held_at")),
                next_meeting_at=meeting.get("next_starts_at"),
                goal_progress=progress.get(relationship.pk),
                agreement_signed=relationship.pk in signed,
                actions_open=action.get("open", 0),
                actions_overdue=action.get("overdue", 0),
                health_bucket=health[relationship.pk].bucket if relationship.pk in health else None,
                health_label=health[relationship.pk].bucket_label
                if relationship.pk in health
                else "",
                this_week=this_week,
            )
        )
    return rows


# --- a person's page, for org admins and their programmes' managers ------------------------


@dataclass
class PersonOverview:
    person: User
    profile: Profile | None  # None before their first visit
    skills_offered: list[str]
    skills_wanted: list[str]
    participations: list[Participant]
    relationships: list[RelationshipSignals]


def person_overview(*, access: PersonAccess) -> PersonOverview:
    """A person's profile, their places in the programmes the viewer may see (role, status)
    and their pairs there with activity signals only, never what the pair wrote. A fixed
    number of queries, whatever the number of programmes or pairs."""
    person = access.person
    profile = profile_for_person(person=person)
    offered: list[str] = []
    wanted: list[str] = []
    if profile is not None:
        offered = sorted(skill.name for skill in profile.skills_offered.all())
        wanted = sorted(skill.name for skill in profile.skills_wanted.all())
    return PersonOverview(
        person=person,
        profile=profile,
        skills_offered=offered,
        skills_wanted=wanted,
        participations=list(participation_list_for_person(person=person, programs=access.programs)),
        relationships=relationship_signals(
            relationships=list(
                relationship_list_for_person(person=person, programs=access.programs)
            )
        ),
    )
