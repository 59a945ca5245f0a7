"""Every read about self-assessments.

- The person sees their own answers and their growth (end minus start per competency), and
  their partner's answers only for a moment the partner shared (`assessment_overview`).
- Programme managers see averages only (`assessment_program_summary`): per competency the
  average starting and closing score across the programme, published through the aggregate
  rule (closed months, cohorts of at least the organisation's minimum group of people), so no
  individual's score can be read from it, nor from the difference of two reads.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.selectors import aggregate_min_group
from tandem.assessments.models import Competency, Moment, Rating, SelfAssessment
from tandem.assessments.windows import (
    END_AFTER_CLOSE_DAYS,
    END_CLOSED_STATUSES,
    END_RUNNING_STATUSES,
    START_PROMPT_DAYS,
    end_closes_at,
    end_is_open,
    end_opens_on,
    start_is_open,
    start_is_prompted,
    start_prompt_until,
)
from tandem.core.aggregates import (
    Contribution,
    period_of,
    publish,
    rounded_mean,
)
from tandem.core.subqueries import exists_of
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.permissions import RelationshipAccess
from tandem.relationships.selectors import relationship_facts


def _ordered(queryset: QuerySet[Competency]) -> QuerySet[Competency]:
    # The six built-ins first, then the programme's own.
    return queryset.order_by(F("program_id").asc(nulls_first=True), "order", "id")


def competency_list_for_program(
    *, program: Program, include_inactive: bool = False
) -> QuerySet[Competency]:
    """The competencies a self-assessment in `program` asks about: the active built-ins and
    the programme's own active ones (with `include_inactive`, every one)."""
    queryset = Competency.objects.filter(Q(program__isnull=True) | Q(program=program))
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return _ordered(queryset)


def program_competency_list(*, program: Program) -> QuerySet[Competency]:
    """A programme's own competencies, active or not (for its managers)."""
    return _ordered(Competency.objects.filter(program=program))


@dataclass
class Answers:
    """One person's self-assessment at one moment."""

    moment: str
    submitted_at: datetime.datetime
    is_shared: bool
    scores: dict[int, int] = field(default_factory=dict)  # competency id -> score
    notes: dict[int, str] = field(default_factory=dict)


@dataclass
class CompetencyRow:
    competency: Competency
    start: int | None
    end: int | None
    start_note: str = ""
    end_note: str = ""

    @property
    def growth(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class Overview:
    access: RelationshipAccess
    competencies: list[Competency]
    mine: dict[str, Answers | None]
    partner: dict[str, Answers | None]  # only what the partner shared
    rows: list[CompetencyRow]  # mine, start vs end
    partner_rows: list[CompetencyRow]
    start_open: bool
    end_open: bool
    end_opens_on: datetime.date | None

    @property
    def due(self) -> str | None:
        """The moment the person can take now (None when nothing is open or all is done)."""
        if self.start_open and self.mine["start"] is None:
            return Moment.START
        if self.end_open and self.mine["end"] is None:
            return Moment.END
        return None


def _answers(assessment: SelfAssessment) -> Answers:
    ratings = list(assessment.ratings.all())
    return Answers(
        moment=assessment.moment,
        submitted_at=assessment.submitted_at,
        is_shared=assessment.is_shared,
        scores={rating.competency_id: rating.score for rating in ratings},
        notes={rating.competency_id: rating.note for rating in ratings},
    )


def _rows(
    competencies: list[Competency], answers: dict[str, Answers | None]
) -> list[CompetencyRow]:
    start, end = answers["start"], answers["end"]
    return [
        CompetencyRow(
            competency=competency,
            start=start.scores.get(competency.pk) if start else None,
            end=end.scores.get(competency.pk) if end else None,
            start_note=start.notes.get(competency.pk, "") if start else "",
            end_note=end.notes.get(competency.pk, "") if end else "",
        )
        for competency in competencies
    ]


def assessment_overview(*, access: RelationshipAccess) -> Overview:
    """The person's own answers (start and end) with their growth per competency, their
    partner's answers for the moments the partner shared, and what is open now. Three
    queries: the competencies, the assessments, their ratings."""
    relationship = access.relationship
    partner = access.partner
    visible = Q(user=access.user)
    if partner is not None:
        visible |= Q(user=partner, is_shared=True)
    assessments = list(
        SelfAssessment.objects.filter(visible, relationship=relationship).prefetch_related(
            "ratings"
        )
    )
    mine: dict[str, Answers | None] = {"start": None, "end": None}
    theirs: dict[str, Answers | None] = {"start": None, "end": None}
    for assessment in assessments:
        target = mine if assessment.user_id == access.user.pk else theirs
        target[assessment.moment] = _answers(assessment)
    rated = {
        competency_id
        for answers in (*mine.values(), *theirs.values())
        if answers
        for competency_id in answers.scores
    }
    # The active competencies, and any retired one still carrying an answer.
    competencies = [
        competency
        for competency in competency_list_for_program(
            program=relationship.program, include_inactive=True
        )
        if competency.is_active or competency.pk in rated
    ]
    now = timezone.now()
    return Overview(
        access=access,
        competencies=competencies,
        mine=mine,
        partner=theirs,
        rows=_rows(competencies, mine),
        partner_rows=_rows(competencies, theirs),
        start_open=start_is_open(relationship),
        end_open=end_is_open(relationship, now=now),
        end_opens_on=end_opens_on(relationship.started_on, relationship.planned_end_on),
    )


def assessments_panel_facts(*, access: RelationshipAccess) -> dict[str, Any]:
    """The card's facts, as subqueries on the relationship row (`relationship_facts`): for
    each moment, whether the viewer took it and whether their partner shared theirs. Never a
    rating."""
    taken = SelfAssessment.objects.filter(relationship_id=OuterRef("pk"))
    facts: dict[str, Any] = {}
    for moment in Moment:
        facts[f"assessments_mine_{moment.value}"] = exists_of(
            taken.filter(user=access.user, moment=moment)
        )
        facts[f"assessments_shared_{moment.value}"] = (
            exists_of(taken.filter(user=access.partner, moment=moment, is_shared=True))
            if access.partner is not None
            else Value(False)
        )
    return facts


def assessments_panel(
    *, access: RelationshipAccess, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The workspace card: which moments the viewer took, which their partner shared, and a
    "what's next" item when the starting or closing self-assessment is due. The facts come
    from `assessments_panel_facts` (read once for every card, or here in one query)."""
    relationship = access.relationship
    if facts is None:
        facts = relationship_facts(
            relationship_id=relationship.pk, facts=assessments_panel_facts(access=access)
        )
    mine = {moment for moment in Moment if facts[f"assessments_mine_{moment.value}"]}
    shared = {moment for moment in Moment if facts[f"assessments_shared_{moment.value}"]}
    now = timezone.now()
    today = timezone.localdate()
    url = reverse("assessments:page", args=[relationship.pk])
    start_open = start_is_open(relationship)
    end_open = end_is_open(relationship, now=now)
    next_items: list[dict[str, object]] = []
    if (
        access.is_party
        and Moment.START not in mine
        and start_is_prompted(relationship, today=today)
    ):
        next_items.append(
            {
                "text": "Take your starting self-assessment",
                "url": url,
                "due": start_prompt_until(relationship),
                "overdue": False,
            }
        )
    if access.is_party and Moment.END not in mine and end_open:
        closes = end_closes_at(relationship)
        next_items.append(
            {
                "text": "Take your closing self-assessment",
                "url": url,
                "due": timezone.localtime(closes).date() if closes else relationship.planned_end_on,
                "overdue": False,
            }
        )
    return {
        "url": url,
        "took_start": Moment.START in mine,
        "took_end": Moment.END in mine,
        "partner_shared": sorted(shared, reverse=True),  # "start" before "end"
        "start_open": start_open,
        "end_open": end_open,
        "next_items": next_items,
    }


@dataclass(frozen=True)
class SummaryRow:
    competency: Competency
    start_people: int  # people whose answers are published (0, or at least min_group)
    end_people: int
    average_start: float | None  # None until a cohort of at least min_group is published
    average_end: float | None

    @property
    def change(self) -> float | None:
        if self.average_start is None or self.average_end is None:
            return None
        return round(self.average_end - self.average_start, 1)


@dataclass(frozen=True)
class ProgramSummary:
    program: Program
    rows: list[SummaryRow]
    start_count: int  # published people who took the starting self-assessment
    end_count: int
    people_with_both: int
    pairs_with_both: int  # published pairs in which both people took both
    min_group: int
    published_through: datetime.date | None  # the last day the published answers cover


def assessment_program_summary(
    *, program: Program, now: datetime.datetime | None = None
) -> ProgramSummary:
    """Aggregates for the programme's managers (the caller guarded the programme): per
    competency, how many people's answers are published at each moment and their average
    score; how many people and pairs took both moments. Every figure goes through the
    aggregate rule (`tandem.core.aggregates`): only answers given in calendar months that
    have ended, in closed cohorts of at least `min_group` people, so no read differs from
    another by one person's answers. Never an individual's answers. Three queries whatever
    the programme's size."""
    min_group = aggregate_min_group(program.organization)
    competencies = list(competency_list_for_program(program=program, include_inactive=True))
    scores: dict[tuple[int, str], list[Contribution[int]]] = defaultdict(list)
    for competency_id, moment, user_id, submitted_at, score in (
        Rating.objects.filter(assessment__relationship__program=program)
        .values_list(
            "competency_id",
            "assessment__moment",
            "assessment__user_id",
            "assessment__submitted_at",
            "score",
        )
        .order_by()
    ):
        scores[(competency_id, moment)].append(
            Contribution(member=user_id, period=period_of(submitted_at), value=score)
        )
    taken: dict[tuple[int, int], dict[str, datetime.datetime]] = defaultdict(dict)
    for relationship_id, user_id, moment, submitted_at in (
        SelfAssessment.objects.filter(relationship__program=program)
        .values_list("relationship_id", "user_id", "moment", "submitted_at")
        .order_by()
    ):
        taken[(relationship_id, user_id)][moment] = submitted_at
    # A person "took both" in the period of their later answer; a pair when its last of the
    # four answers came in.
    starts, ends, both = [], [], []
    pair_answers: dict[int, list[datetime.datetime]] = defaultdict(list)
    for (relationship_id, user_id), moments in taken.items():
        if Moment.START in moments:
            starts.append(Contribution(user_id, period_of(moments[Moment.START]), 1))
        if Moment.END in moments:
            ends.append(Contribution(user_id, period_of(moments[Moment.END]), 1))
        if len(moments) == 2:
            both.append(Contribution(user_id, period_of(max(moments.values())), 1))
            pair_answers[relationship_id].extend(moments.values())
    pairs = [
        Contribution(relationship_id, period_of(max(answers)), 1)
        for relationship_id, answers in pair_answers.items()
        if len(answers) == 4
    ]

    def shown(key: tuple[int, str]) -> tuple[int, float | None]:
        publication = publish(scores.get(key, []), min_group=min_group, now=now)
        return publication.people, rounded_mean(publication.values)

    rows = []
    for competency in competencies:
        start_people, average_start = shown((competency.pk, Moment.START))
        end_people, average_end = shown((competency.pk, Moment.END))
        answered = (competency.pk, Moment.START) in scores or (competency.pk, Moment.END) in scores
        if not competency.is_active and not answered:
            continue
        rows.append(SummaryRow(competency, start_people, end_people, average_start, average_end))
    published = [
        publish(stream, min_group=min_group, now=now) for stream in (starts, ends, both, pairs)
    ]
    through = [p.published_through for p in published if p.published_through is not None]
    return ProgramSummary(
        program=program,
        rows=rows,
        start_count=published[0].people,
        end_count=published[1].people,
        people_with_both=published[2].people,
        pairs_with_both=published[3].people,
        min_group=min_group,
        published_through=max(through) if through else None,
    )


def assessment_due_relationship_ids(*, moment: str, now: datetime.datetime) -> set[int]:
    """Relationships in which the `moment` self-assessment is being asked for now and at least
    one of the pair has not taken it — for the nudges. One query.

    start: proposed, or active and started within START_PROMPT_DAYS days;
    end: active or paused in the last fifth of the planned duration, or completed/ended
    within END_AFTER_CLOSE_DAYS days.
    """
    today = timezone.localdate(now)
    pending = Relationship.objects.annotate(
        taken=Count("self_assessments", filter=Q(self_assessments__moment=moment))
    ).filter(taken__lt=2)
    if moment == Moment.START:
        since = today - datetime.timedelta(days=START_PROMPT_DAYS)
        return set(
            pending.filter(
                Q(status=RelationshipStatus.PROPOSED)
                | Q(status=RelationshipStatus.ACTIVE, started_on__gte=since)
                | Q(status=RelationshipStatus.ACTIVE, started_on__isnull=True)
            ).values_list("pk", flat=True)
        )
    rows = pending.filter(
        Q(status__in=END_RUNNING_STATUSES, started_on__isnull=False, planned_end_on__isnull=False)
        | Q(
            status__in=END_CLOSED_STATUSES,
            closed_at__gte=now - datetime.timedelta(days=END_AFTER_CLOSE_DAYS),
        )
    ).values_list("pk", "status", "started_on", "planned_end_on")
    due: set[int] = set()
    for pk, status, started_on, planned_end_on in rows:
        if status in END_CLOSED_STATUSES:
            due.add(pk)
            continue
        opens = end_opens_on(started_on, planned_end_on)
        if opens is not None and today >= opens:
            due.add(pk)
    return due
