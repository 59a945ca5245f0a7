"""The dashboards' numbers: every figure is a grouped aggregate query (GROUP BY in the database),
so the number of queries does not depend on the number of people, pairs or meetings.

Two kinds of figures, two rules (docs/architecture.md, "Programme analytics"):

- **Counts of what a manager already sees per pair** (enrolments, matches, signed agreements,
  meetings held, goals, action items) are shown live, from the owners' set-based pieces
  (`agreements.selectors.signed_relationship_ids`, `meetings.selectors.held_meetings`,
  `goals.selectors.counted_goal` / `completed_goal`). Weekly series stop at the last whole week.
- **Anything derived from what a person answered privately** (NPS, survey ratings, pairing fit,
  self-assessments) goes through `tandem.core.aggregates`: ended months, closed cohorts of at
  least the organisation's minimum group (`Scope.min_group`) of people, withheld with a visible
  reason below that.

Each section is a plain dict (the API's schema, the page's context and the exports' tables
read the same dict), built from a `Scope` (`filters.py`).
"""

import datetime
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import (
    Coalesce,
    Floor,
    Greatest,
    Lower,
    TruncDate,
    TruncMonth,
    TruncWeek,
)
from django.utils import timezone
from scipy import stats

from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.agreements.selectors import signed_relationship_ids
from tandem.analytics import sections
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.models import FunnelEntry, RecentActivity, WeeklyActivity
from tandem.assessments.models import Moment, Rating
from tandem.assessments.selectors import competency_list_for_program
from tandem.conversations.models import Message
from tandem.core.aggregates import (
    Contribution,
    Publication,
    publish,
    rounded_mean,
    week_of,
)
from tandem.goals.models import Goal
from tandem.goals.selectors import completed_goal, counted_goal
from tandem.health.scoring import BUCKET_LABELS, BUCKET_ORDER
from tandem.health.selectors import program_health_summary
from tandem.matching.models import MatchRequest
from tandem.meetings.models import CheckIn
from tandem.meetings.selectors import held_meetings
from tandem.participants.models import Participant, ParticipantStatus
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.definition import PAIRING_FIT_CHOICES, nps_group
from tandem.surveys.models import SurveyAnswer

ACTIVE_AT = datetime.timedelta(days=90)  # "active at 90 days"
MET_RECENTLY = datetime.timedelta(days=30)  # "share of pairs that met in the last 30 days"
SCORE_BINS = 10
# How long people have waited for a match, in days: [low, high) per bucket.
WAITING_BUCKETS = (("Under 2 weeks", 0, 14), ("2-4 weeks", 14, 30), ("1-3 months", 30, 91))
WAITING_LONGEST = "Over 3 months"
CONFIDENCE = 0.95

# The funnel's steps: key, label, the per-person date it is reached at, and a shift in days
# (active at 90 days is reached 90 days after activation).
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("joined", "Invited or applied"),
    ("approved", "Approved"),
    ("matched", "Matched"),
    ("signed", "Agreement signed"),
    ("first_meeting", "First meeting held"),
    ("active_90", "Active at 90 days"),
    ("completed", "Completed"),
)
_SHIFT = {"active_90": ACTIVE_AT.days}

V = TypeVar("V")


@dataclass(frozen=True)
class Placed(Generic[V]):
    """A contribution with its person's (department, location), lower-cased."""

    contribution: Contribution[V]
    place: tuple[str, str]


COMPLEMENT_WITHHELD = (
    "Withheld: compared with the dashboard for another department or location (or none), "
    "the people with these filters and the people left out or added differ by fewer than "
    "{min_group}, and comparing the two would reveal them."
)
COHORT_WITHHELD = (
    "Withheld for a cohort date range: two ranges a day apart would differ by the few people "
    "who joined between them. The figures per month of answer are on the unfiltered dashboard."
)
WITHHELD = (
    "Withheld: answers are published once the month they were given in has ended, in groups "
    "of at least {min_group} people."
)


# --- helpers ------------------------------------------------------------------------------


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal (None when there is no whole)."""
    return None if whole == 0 else round(100 * part / whole, 1)


def median_of_histogram(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many) pairs (None for none)."""
    ordered = sorted((value, count) for value, count in histogram if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value, count in ordered:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return (found[0] + found[1]) / 2


def _first(queryset: QuerySet[Any], group: str, field: str) -> Subquery:
    """The smallest `field` of `queryset` (already narrowed to OuterRef rows), as a subquery."""
    return Subquery(
        queryset.order_by().values(group).annotate(value=Min(field)).values("value")[:1]
    )


def _days(later: str, earlier: str) -> ExpressionWrapper:
    """Whole local days from `earlier` to `later` (two datetime annotations)."""
    return ExpressionWrapper(TruncDate(later) - TruncDate(earlier), output_field=DurationField())


def _whole_days(value: datetime.timedelta | int | float) -> int:
    if isinstance(value, datetime.timedelta):
        return value.days
    # SQLite answers a date difference in microseconds.
    return round(value / 86_400_000_000)


# --- funnel -------------------------------------------------------------------------------


def active_at_90_days(now: datetime.datetime) -> Q:
    """The condition "active at 90 days" on relationships: activated at least 90 days ago and
    not closed before its 90th day."""
    return Q(activated_at__lte=now - ACTIVE_AT) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=F("activated_at") + ACTIVE_AT)
    )


def met_recently(now: datetime.datetime, relationship_ref: str = "pk") -> Exists:
    """Whether the relationship at `OuterRef(relationship_ref)` held a meeting in the last
    30 days."""
    return Exists(
        held_meetings().filter(
            relationship_id=OuterRef(relationship_ref), held_at__gte=now - MET_RECENTLY
        )
    )


def funnel_people(
    *, now: datetime.datetime, role: str, program_ids: list[int] | None = None
) -> QuerySet[Participant]:
    """Every participant of `role` (in `program_ids`, or everywhere), each annotated with the
    moment they reached every step (None): what `services.funnel_refresh` materialises. One
    correlated lookup per person and step, so it is run by the refresh job, never by a page."""
    side = role
    theirs = Relationship.objects.filter(**{side: OuterRef("pk")})
    lasted = theirs.filter(active_at_90_days(now))
    signed = signed_relationship_ids().filter(
        **{f"agreement__relationship__{side}": OuterRef("pk")}
    )
    held = held_meetings().filter(**{f"relationship__{side}": OuterRef("pk")})
    people = Participant.objects.filter(role=role)
    if program_ids is not None:
        people = people.filter(program_id__in=program_ids)
    return people.order_by().annotate(
        joined_at=F("created_at"),
        approved_at=F("enrolled_at"),
        matched_at=_first(theirs, side, "created_at"),
        signed_at=_first(signed, f"agreement__relationship__{side}", "created_at"),
        first_meeting_at=_first(held, f"relationship__{side}", "held_at"),
        active_90_at=_first(lasted, side, "activated_at"),
        completed_at=_first(theirs.filter(status=RelationshipStatus.COMPLETED), side, "closed_at"),
    )


def _reached(index: int) -> Q:
    """People who reached step `index` and every step before it."""
    condition = Q()
    for key, _ in FUNNEL_STEPS[: index + 1]:
        condition &= Q(**{f"{key}_at__isnull": False})
    return condition


def funnel(scope: Scope) -> dict[str, Any]:
    """The funnel of the scope's people (mentees unless the role filter says mentors): how
    many reached each step (and every step before it), the conversion from the step before,
    and the median days between the two; read from the materialised rows (`FunnelEntry`),
    as of `refreshed_at` (None: never refreshed). 1 + 6 queries."""
    people = FunnelEntry.objects.filter(program_id__in=scope.program_ids, role=scope.role)
    f = scope.filters
    if f.joined_from or f.joined_to or f.department or f.location:
        # The cohort and profile filters are the participant's: join it only when asked.
        people = people.filter(scope.people("participant__"))
    people = people.order_by()
    counts = people.aggregate(
        refreshed_at=Min("refreshed_at"),
        **{key: Count("pk", filter=_reached(i)) for i, (key, _) in enumerate(FUNNEL_STEPS)},
    )
    steps: list[dict[str, Any]] = []
    for index, (key, label) in enumerate(FUNNEL_STEPS):
        step: dict[str, Any] = {"key": key, "label": label, "count": counts[key]}
        if index == 0:
            step.update(conversion=None, median_days=None)
        else:
            before = FUNNEL_STEPS[index - 1][0]
            rows = (
                people.filter(_reached(index))
                .annotate(days=_days(f"{key}_at", f"{before}_at"))
                .values("days")
                .annotate(people=Count("pk"))
                .order_by()
            )
            shift = _SHIFT.get(key, 0) - _SHIFT.get(before, 0)
            # A step counts as reached once it and every step before it are, so a person
            # whose first meeting came after their 90th day reached "active at 90 days" on
            # that meeting's day: 0 days after it, never a negative gap.
            median = median_of_histogram(
                (max(0, _whole_days(row["days"]) + shift), row["people"]) for row in rows
            )
            step.update(conversion=percent(counts[key], counts[before]), median_days=median)
        steps.append(step)
    return {"role": scope.role, "refreshed_at": counts["refreshed_at"], "steps": steps}


def funnel_count(section: dict[str, Any], key: str) -> int:
    return next(step["count"] for step in section["steps"] if step["key"] == key)


# --- matching -----------------------------------------------------------------------------


def matching(scope: Scope, funnel_section: dict[str, Any]) -> dict[str, Any]:
    """Match rate and time to match (from the funnel: approved → matched), the distribution
    of match scores, requests by outcome, and who is waiting and for how long. 4-5 queries."""
    approved = funnel_count(funnel_section, "approved")
    matched = funnel_count(funnel_section, "matched")
    time_to_match = next(
        step["median_days"] for step in funnel_section["steps"] if step["key"] == "matched"
    )
    pairs = Relationship.objects.filter(scope.pairs(), match_score__isnull=False).order_by()
    bounds = pairs.aggregate(low=Min("match_score"), high=Max("match_score"), n=Count("pk"))
    distribution: list[dict[str, Any]] = []
    if bounds["n"]:
        low, high = float(bounds["low"]), float(bounds["high"])
        width = (high - low) / SCORE_BINS or 1.0
        binned = dict(
            pairs.annotate(bin=Floor((F("match_score") - low) / width))
            .values("bin")
            .annotate(pairs=Count("pk"))
            .values_list("bin", "pairs")
        )
        tally: Counter[int] = Counter()
        for index, count in binned.items():
            tally[min(int(index), SCORE_BINS - 1)] += count
        last = SCORE_BINS if high > low else 1
        distribution = [
            {
                "low": round(low + i * width, 3),
                "high": round(low + (i + 1) * width, 3) if high > low else round(high, 3),
                "pairs": tally.get(i, 0),
            }
            for i in range(last)
        ]
    by_status = dict(
        MatchRequest.objects.filter(scope.people(f"{scope.role}__"))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    today = timezone.localdate(scope.now)
    # Waiting: approved, in no open pair, not done (a completed pair). Since they were
    # approved, or since their last pair closed if later.
    theirs = Relationship.objects.filter(**{scope.role: OuterRef("pk")})
    last_closed = Subquery(
        Relationship.objects.filter(**{scope.role: OuterRef("pk"), "closed_at__isnull": False})
        .order_by()
        .values(scope.role)
        .annotate(value=Max("closed_at"))
        .values("value")[:1]
    )
    waiting_rows = (
        Participant.objects.filter(
            scope.people(),
            status=ParticipantStatus.ACTIVE,
            matched_count=0,
            enrolled_at__isnull=False,
        )
        .exclude(Exists(theirs.filter(status=RelationshipStatus.COMPLETED)))
        .annotate(
            since=Greatest("enrolled_at", Coalesce(last_closed, "enrolled_at")),
            day=TruncDate("since"),
        )
        .order_by()
        .values("day")
        .annotate(people=Count("pk"))
        .values_list("day", "people")
    )
    waits = [((today - day).days, people) for day, people in waiting_rows]
    buckets = [
        {"label": label, "people": sum(n for days, n in waits if low <= days < high)}
        for label, low, high in WAITING_BUCKETS
    ]
    longest = WAITING_BUCKETS[-1][2]
    buckets.append(
        {"label": WAITING_LONGEST, "people": sum(n for days, n in waits if days >= longest)}
    )
    return {
        "approved": approved,
        "matched": matched,
        "match_rate": percent(matched, approved),
        "median_days_to_match": time_to_match,
        "score_distribution": distribution,
        "requests": {
            "accepted": by_status.get("accepted", 0),
            "declined": by_status.get("declined", 0),
            "expired": by_status.get("expired", 0),
            "withdrawn": by_status.get("withdrawn", 0),
            "open": by_status.get("pending", 0) + by_status.get("awaiting_approval", 0),
        },
        "waiting": {
            "people": sum(n for _, n in waits),
            "median_days": median_of_histogram(waits),
            "buckets": buckets,
        },
    }


# --- engagement ---------------------------------------------------------------------------


def _week_start(scope: Scope) -> tuple[datetime.datetime, datetime.datetime, list[datetime.date]]:
    """The whole weeks the series cover: from `weeks` Mondays ago to this Monday (excluded:
    a week still going is never shown, so a count does not move as one person acts)."""
    this_monday = week_of(scope.now)
    first = this_monday - datetime.timedelta(weeks=scope.filters.weeks)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(this_monday, datetime.time.min))
    weeks = [first + datetime.timedelta(weeks=i) for i in range(scope.filters.weeks)]
    return start, end, weeks


ENGAGEMENT_KEYS = (
    "meetings_held",
    "minutes",
    "checkins",
    "messages",
    "actions_done",
    "goals_set",
    "goals_completed",
)


def weekly_counts(
    pairs: Callable[[str], Q],
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    by_program: bool = False,
) -> dict[tuple[int | None, datetime.date], dict[str, int]]:
    """Per whole week (and programme, `by_program`) from `start` to `end`: meetings held and
    their minutes, check-ins, messages, action items done, goals set, goals completed, of the
    pairs `pairs(prefix)` selects. Six grouped queries."""
    rel = "relationship__"
    sources: list[tuple[str, QuerySet[Any], str, str]] = [
        ("meetings_held", held_meetings().filter(pairs(rel)), "held_at", rel),
        (
            "checkins",
            CheckIn.objects.filter(pairs(f"meeting__{rel}")),
            "created_at",
            f"meeting__{rel}",
        ),
        ("messages", Message.objects.filter(pairs(rel)), "created_at", rel),
        (
            "actions_done",
            ActionItem.objects.filter(pairs(rel), status=ActionItemStatus.DONE),
            "closed_at",
            rel,
        ),
        ("goals_set", Goal.objects.filter(pairs(rel), counted_goal()), "created_at", rel),
        (
            "goals_completed",
            Goal.objects.filter(pairs(rel), completed_goal()),
            "achieved_at",
            rel,
        ),
    ]
    counts: dict[tuple[int | None, datetime.date], dict[str, int]] = {}
    for key, queryset, field, to_pair in sources:
        group = ["week", *([f"{to_pair}program_id"] if by_program else [])]
        sums = {"minutes": Sum("duration_minutes")} if key == "meetings_held" else {}
        rows = (
            queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(week=TruncWeek(field, output_field=DateField()))
            .order_by()
            .values(*group)
            .annotate(n=Count("pk"), **sums)
        )
        for row in rows:
            program_id = row.get(f"{to_pair}program_id") if by_program else None
            cell = counts.setdefault((program_id, row["week"]), dict.fromkeys(ENGAGEMENT_KEYS, 0))
            cell[key] = row["n"]
            if key == "meetings_held":
                cell["minutes"] = row["minutes"] or 0
    return counts


def _unfiltered(scope: Scope) -> bool:
    f = scope.filters
    return not (f.joined_from or f.joined_to or f.department or f.location)


def engagement(scope: Scope, *, live: bool = False) -> dict[str, Any]:
    """Per whole week: meetings held (and their hours), check-ins, messages, action items
    done, goals set and goals completed; the share of active pairs that held a meeting in
    the last 30 days; mentoring hours in the period. Unfiltered, read from the summaries the
    refresh job keeps (2 queries, `refreshed_at` says when); filtered (or `live`), counted
    live (7 queries). The role does not narrow the pairs: every pair has one of each."""
    start, end, weeks = _week_start(scope)
    refreshed_at = None
    if live or not _unfiltered(scope):
        by_week = {week: cell for (_, week), cell in weekly_counts(scope.pairs, start, end).items()}
        active = Relationship.objects.filter(
            scope.pairs(), status=RelationshipStatus.ACTIVE
        ).aggregate(pairs=Count("pk"), met=Count("pk", filter=Q(met_recently(scope.now))))
    else:
        rows = (
            WeeklyActivity.objects.filter(
                program_id__in=scope.program_ids, week__gte=weeks[0], week__lte=weeks[-1]
            )
            .order_by()
            .values("week")
            .annotate(**{key: Sum(key) for key in ENGAGEMENT_KEYS})
        )
        by_week = {row["week"]: row for row in rows}
        active = RecentActivity.objects.filter(program_id__in=scope.program_ids).aggregate(
            pairs=Coalesce(Sum("active_pairs"), 0),
            met=Coalesce(Sum("met_last_30_days"), 0),
            refreshed_at=Min("refreshed_at"),
        )
        refreshed_at = active["refreshed_at"]
    series = []
    total_minutes = 0
    for week in weeks:
        cell = by_week.get(week) or dict.fromkeys(ENGAGEMENT_KEYS, 0)
        total_minutes += cell["minutes"] or 0
        series.append(
            {
                "week": week,
                "meetings_held": cell["meetings_held"],
                "mentoring_hours": round((cell["minutes"] or 0) / 60, 1),
                "checkins": cell["checkins"],
                "messages": cell["messages"],
                "actions_done": cell["actions_done"],
                "goals_set": cell["goals_set"],
                "goals_completed": cell["goals_completed"],
            }
        )
    return {
        "refreshed_at": refreshed_at,
        "weeks": series,
        "first_week": weeks[0],
        "last_week": weeks[-1],
        "active_pairs": active["pairs"],
        "met_last_30_days": active["met"],
        "met_last_30_days_share": percent(active["met"], active["pairs"]),
        "mentoring_hours": round(total_minutes / 60, 1),
    }


# --- satisfaction (through the aggregate rule) --------------------------------------------


def nps_with_interval(promoters: int, passives: int, detractors: int) -> dict[str, Any]:
    """NPS (promoters % - detractors %) with its 95 % confidence interval from the standard
    multinomial variance: Var = (p₊ + p₋ - (p₊ - p₋)²) / n, z from scipy's normal."""
    n = promoters + passives + detractors
    if n == 0:
        return {"nps": None, "low": None, "high": None, "answers": 0}
    p_plus, p_minus = promoters / n, detractors / n
    score = 100 * (p_plus - p_minus)
    variance = (p_plus + p_minus - (p_plus - p_minus) ** 2) / n
    margin = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) * 100 * math.sqrt(variance)
    return {
        "nps": round(score),
        "low": round(max(-100.0, score - margin), 1),
        "high": round(min(100.0, score + margin), 1),
        "answers": n,
    }


def _answers(scope: Scope, question_type: str) -> QuerySet[SurveyAnswer]:
    """The answers of the scope's people (as the person of the role in the surveyed pair)."""
    invitation = "response__invitation__"
    return SurveyAnswer.objects.filter(
        scope.pairs(f"{invitation}relationship__"),
        **{
            f"{invitation}survey__program_id__in": scope.program_ids,
            f"{invitation}user_id": F(f"{invitation}relationship__{scope.role}__user_id"),
            "question_type": question_type,
        },
    ).order_by()


def _placed(user_path: str) -> dict[str, Any]:
    """The person's department and location (lower-cased, blank for none) at `user_path`:
    what `_published_in_family` filters by, as `Scope.people` does (case-insensitively)."""
    return {
        place: Lower(Coalesce(f"{user_path}profile__{place}", Value("")))
        for place in ("department", "location")
    }


def _contributions(queryset: QuerySet[SurveyAnswer], value: str) -> list[Placed[tuple[Any, int]]]:
    """One contribution per (person, month, value) with how many answers it stands for,
    with the person's department and location: grouped in the database, so the rule sees
    people and months, not every answer."""
    rows = (
        queryset.annotate(
            period=TruncMonth("response__submitted_at", output_field=DateField()),
            **_placed("response__invitation__user__"),
        )
        .values("response__invitation__user_id", "period", value, "department", "location")
        .annotate(n=Count("pk"))
        .values_list(
            "response__invitation__user_id", "period", value, "n", "department", "location"
        )
    )
    return [
        Placed(
            Contribution(member=user_id, period=period, value=(answer, n)), (department, location)
        )
        for user_id, period, answer, n, department, location in rows
    ]


def _withheld(min_group: int) -> str:
    return WITHHELD.format(min_group=min_group)


def _family_scope(scope: Scope) -> Scope:
    """The same dashboard without the department and location filters: every figure of the
    family (`_published_in_family`) is cut from its people."""
    f = scope.filters
    whole = Filters(role=f.role, joined_from=f.joined_from, joined_to=f.joined_to, weeks=f.weeks)
    return Scope(program_ids=scope.program_ids, filters=whole, now=scope.now)


def differs_by_a_small_group(shown: Publication[Any], whole: Publication[Any]) -> bool:
    """Whether two published figures come from people who differ by fewer than the minimum
    group (but not by none): subtracting one from the other would reveal those few
    (docs/decisions/0004, "Differencing across selections")."""
    if not shown.cohorts or not whole.cohorts:
        return False
    mine = {member for cohort in shown.cohorts for member in cohort.members}
    theirs = {member for cohort in whole.cohorts for member in cohort.members}
    return any(0 < len(only) < shown.min_group for only in (theirs - mine, mine - theirs))


def _published_in_family(
    scope: Scope, placed: list[Placed[V]], group: int
) -> tuple[Publication[V], str | None]:
    """The scope's figure cut from the family's people (`placed`), and why it is withheld
    when it is for a reason other than the rule's own (None otherwise).

    The figures a manager can ask for form a family: no department or one of the people's
    departments, and no location or one of theirs (the same programmes and role). A figure
    under a filter is shown only if, against every other figure of the family that the rule
    publishes, its people are the same or differ by at least the minimum group both ways;
    the unfiltered one is always shown. Whether a figure passes depends on the data alone,
    never on which were read first, so no two figures shown differ by a small group: nested
    filters (Sales against Sales in Leeds) included. A cohort date range is withheld
    outright: the family of ranges has no end, and two ranges a day apart differ by whoever
    joined that day."""
    f = scope.filters
    empty: Publication[V] = Publication(cohorts=(), min_group=group)
    if f.joined_from or f.joined_to:
        return empty, COHORT_WITHHELD.format(min_group=group)
    by_place: dict[tuple[str, str], list[Contribution[V]]] = defaultdict(list)
    for row in placed:
        by_place[row.place].append(row.contribution)

    def of(department: str, location: str) -> Publication[V]:
        return publish(
            [
                contribution
                for (their_department, their_location), rows in by_place.items()
                if department in ("", their_department) and location in ("", their_location)
                for contribution in rows
            ],
            min_group=group,
            now=scope.now,
        )

    asked = (f.department.lower(), f.location.lower())
    shown = of(*asked)
    if asked == ("", ""):
        return shown, None
    departments = {""} | {department for department, _ in by_place}
    locations = {""} | {location for _, location in by_place}
    for other in itertools.product(sorted(departments), sorted(locations)):
        if other != asked and differs_by_a_small_group(shown, of(*other)):
            return empty, COMPLEMENT_WITHHELD.format(min_group=group)
    return shown, None


def _withheld_reason(min_group: int, reason: str | None) -> str:
    return reason or WITHHELD.format(min_group=min_group)


def satisfaction(scope: Scope) -> dict[str, Any]:
    """NPS with its interval per published cohort and overall, the mean of rating answers,
    and the pairing-fit answers, every one through the aggregate rule and the family of
    department and location filters (`_published_in_family`). 3 queries, filtered or not:
    each figure's people are read without those filters, with their place, and cut here."""
    group = scope.min_group
    family = _family_scope(scope)

    def published(question_type: str, value: str) -> tuple[Publication[Any], str | None]:
        rows = _contributions(_answers(family, question_type), value)
        return _published_in_family(scope, rows, group)

    nps, nps_differencing = published("nps", "number")

    def nps_of(values: Iterable[tuple[int, int]]) -> dict[str, Any]:
        tally: Counter[str] = Counter()
        for score, n in values:
            tally[nps_group(score)] += n
        return nps_with_interval(tally["promoters"], tally["passives"], tally["detractors"])

    cohorts = [
        {
            "first_month": cohort.first_period,
            "last_month": cohort.last_period,
            "people": len(cohort.members),
            **nps_of(cohort.values),
        }
        for cohort in nps.cohorts
    ]
    ratings, ratings_differencing = published("rating", "number")
    rating_values = [score for score, n in ratings.values for _ in range(n)]
    fit, fit_differencing = published("pairing_fit", "choices")
    fit_tally: Counter[str] = Counter()
    for chosen, n in fit.values:
        for choice in chosen:
            fit_tally[choice] += n
    through = [p.published_through for p in (nps, ratings, fit) if p.published_through]
    return {
        "min_group": group,
        "published_through": max(through) if through else None,
        "nps": {
            "people": nps.people,
            **nps_of(nps.values),
            "cohorts": cohorts,
            "withheld": None if nps.cohorts else _withheld_reason(group, nps_differencing),
        },
        "ratings": {
            "people": ratings.people,
            "mean": rounded_mean(rating_values),
            "answers": len(rating_values),
            "withheld": None if ratings.cohorts else _withheld_reason(group, ratings_differencing),
        },
        "pairing_fit": {
            "people": fit.people,
            "answers": [
                {"key": key, "label": label, "count": fit_tally.get(key, 0)}
                for key, label in PAIRING_FIT_CHOICES.items()
            ]
            if fit.cohorts
            else [],
            "withheld": None if fit.cohorts else _withheld_reason(group, fit_differencing),
        },
    }


# --- skills (through the aggregate rule) --------------------------------------------------


def paired_difference(differences: list[float]) -> dict[str, Any]:
    """Mean of end - start with its 95 % t-interval (scipy's one-sample t-test on the
    differences, the paired test)."""
    n = len(differences)
    if n == 0:
        return {"mean_change": None, "low": None, "high": None}
    mean = sum(differences) / n
    if n < 2 or len(set(differences)) == 1:
        return {"mean_change": round(mean, 2), "low": round(mean, 2), "high": round(mean, 2)}
    interval = stats.ttest_1samp(differences, 0.0).confidence_interval(CONFIDENCE)
    return {
        "mean_change": round(mean, 2),
        "low": round(float(interval.low), 2),
        "high": round(float(interval.high), 2),
    }


def _skill_changes(scope: Scope) -> dict[int, list[Placed[int]]]:
    """Per competency: each person's change from start to end, in the month they closed,
    with the person's department and location."""
    assessment = "assessment__"
    moment = f"{assessment}moment"
    # One grouped pass over the ratings (a person answers each competency once per moment, a
    # database constraint), not a correlated look-up of the start per closing answer.
    rows = (
        Rating.objects.filter(
            scope.pairs(f"{assessment}relationship__"),
            **{
                f"{moment}__in": (Moment.START, Moment.END),
                f"{assessment}user_id": F(f"{assessment}relationship__{scope.role}__user_id"),
            },
        )
        .order_by()
        .annotate(**_placed(f"{assessment}user__"))
        .values(
            "competency_id",
            f"{assessment}relationship_id",
            f"{assessment}user_id",
            "department",
            "location",
        )
        .annotate(
            start=Max("score", filter=Q(**{moment: Moment.START})),
            end=Max("score", filter=Q(**{moment: Moment.END})),
            closed_at=Max(f"{assessment}submitted_at", filter=Q(**{moment: Moment.END})),
        )
        .filter(start__isnull=False, end__isnull=False)
        .values_list(
            "competency_id",
            f"{assessment}user_id",
            "closed_at",
            "start",
            "end",
            "department",
            "location",
        )
    )
    by_competency: dict[int, list[Placed[int]]] = defaultdict(list)
    for competency_id, user_id, closed_at, before, after, department, location in rows:
        period = timezone.localtime(closed_at).date().replace(day=1)
        by_competency[competency_id].append(
            Placed(
                Contribution(member=user_id, period=period, value=after - before),
                (department, location),
            )
        )
    return by_competency


def skills(scope: Scope) -> dict[str, Any]:
    """Per competency: the paired change from the starting to the closing self-assessment of
    the people (of the role) who took both, with its 95 % interval; published through the
    aggregate rule (a person counts in the month of their closing answer) and the family of
    department and location filters (`_published_in_family`). 2 queries, filtered or not."""
    group = scope.min_group
    by_competency = _skill_changes(_family_scope(scope))
    names = _competency_names(scope.program_ids)
    result = []
    for competency_id, name in names:
        published, reason = _published_in_family(scope, by_competency.get(competency_id, []), group)
        result.append(
            {
                "competency_id": competency_id,
                "competency": name,
                "people": published.people,
                **paired_difference([float(v) for v in published.values]),
                "withheld": None if published.cohorts else _withheld_reason(group, reason),
            }
        )
    return {"min_group": group, "competencies": result}


def _competency_names(program_ids: tuple[int, ...]) -> list[tuple[int, str]]:
    """The competencies asked in these programmes, in their order (one query per programme
    would grow with the roll-up, so the built-in ones come once and each programme adds its
    own through the owner's list)."""
    seen: dict[int, str] = {}
    for program in Program.objects.filter(pk__in=program_ids).order_by("pk")[:1]:
        for competency in competency_list_for_program(program=program, include_inactive=True):
            seen.setdefault(competency.pk, competency.name)
    own = Rating.objects.filter(assessment__relationship__program_id__in=program_ids).exclude(
        competency_id__in=list(seen)
    )
    for competency_id, name in (
        own.order_by().values_list("competency_id", "competency__name").distinct()
    ):
        seen.setdefault(competency_id, name)
    return list(seen.items())


# --- health (a marked gap until tandem/health lands) ---------------------------------------


def health_summary(program_ids: Iterable[Hashable]) -> dict[str, Any]:
    """The programmes' open relationships per health bucket, from health's stored scores
    (`health.selectors.program_health_summary`, refreshed by the scheduler every hour): the
    same buckets as the Pair health page, the digest and the escalation. Every bucket is
    present, in health's order, 0 when none."""
    ids = [int(program_id) for program_id in program_ids]  # type: ignore[call-overload]
    per_program = program_health_summary(program_ids=ids)
    buckets = {bucket.value: 0 for bucket in BUCKET_ORDER}
    for counts in per_program.values():
        for bucket, count in counts.items():
            buckets[bucket] = buckets.get(bucket, 0) + count
    return {
        "available": True,
        "reason": None,
        "buckets": buckets,
        "labels": {bucket: BUCKET_LABELS[bucket] for bucket in buckets},
    }


# --- the whole dashboard -------------------------------------------------------------------


def dashboard(scope: Scope) -> dict[str, Any]:
    """Every section of the dashboard for `scope` (programmes already guarded)."""
    funnel_section = sections.cached("funnel", scope, lambda: funnel(scope))
    return {
        "program_ids": list(scope.program_ids),
        "filters": scope.filters.as_params(),
        "generated_at": scope.now,
        "funnel": funnel_section,
        "matching": matching(scope, funnel_section),
        "engagement": engagement(scope),
        "satisfaction": sections.cached("satisfaction", scope, lambda: satisfaction(scope)),
        "skills": sections.cached("skills", scope, lambda: skills(scope)),
        "health": health_summary(scope.program_ids),
    }
