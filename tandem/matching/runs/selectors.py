"""Every read about bulk matching runs.

A run is reached only through its guard, `permissions.match_run_access`; the reads here take
the run (or programme) it returned.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from tandem.accounts.names import display_name
from tandem.core.errors import NotFound
from tandem.matching.adapters import (
    EDITABLE_CRITERIA,
    MatchingConfig,
    Pool,
    default_question_mode,
    is_comparable_question,
    mentor_places,
    question_modes_allowed,
)
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    MatchUnmatched,
    PairRule,
    PairRuleKind,
    RunStatus,
)
from tandem.matching.requests.selectors import matching_settings_get
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import EnrollmentQuestion, Program, ProgramFormat
from tandem.relationships.models import Relationship

ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
PROPOSAL_SORT_LABELS = {
    "score": "Best score first",
    "-score": "Lowest score first",
    "mentee": "Mentee's name",
    "mentor": "Mentor's name",
}


def match_run_list_for_program(*, program: Program) -> QuerySet[MatchRun]:
    """A programme's runs, newest first, with who started them and how many pairs they hold;
    in a group programme also how many circles (one per mentor of the draft).

    Both are counted per row by a subquery, not a join with GROUP BY: grouping makes the
    database read and sort every run of the programme before the page, where the subquery
    lets it walk `match_run_program_newest` and stop at the page's last run."""
    proposals = MatchProposal.objects.filter(run=OuterRef("pk")).order_by().values("run")
    pairs = proposals.annotate(count=Count("pk")).values("count")
    mentors = proposals.annotate(count=Count("mentor", distinct=True)).values("count")
    return (
        MatchRun.objects.filter(program=program)
        .select_related("created_by")
        .annotate(
            pair_count=Coalesce(Subquery(pairs, output_field=IntegerField()), 0),
            circle_count=(
                Coalesce(Subquery(mentors, output_field=IntegerField()), 0)
                if program.format == ProgramFormat.GROUP
                else Value(None, output_field=IntegerField())
            ),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Supply:
    """How many people wait for a mentor against how many places mentors offer."""

    mentees_waiting: int
    mentees_matched: int
    mentors_with_places: int
    places_free: int
    mentors_paused: int

    @property
    def shortfall(self) -> int:
        return max(self.mentees_waiting - self.places_free, 0)


def matching_supply(*, program: Program) -> Supply:
    """Supply and demand in `program` for its next run (two queries)."""
    mentees = Participant.objects.filter(
        program=program, status=ParticipantStatus.ACTIVE, role=ParticipantRole.MENTEE
    ).aggregate(
        waiting=Count("pk", filter=Q(matched_count=0)),
        matched=Count("pk", filter=Q(matched_count__gte=1)),
    )
    mentors_with_places = places = paused = 0
    for capacity, matched, accepting in Participant.objects.filter(
        program=program, status=ParticipantStatus.ACTIVE, role=ParticipantRole.MENTOR
    ).values_list("capacity", "matched_count", "is_accepting_mentees"):
        if not accepting:
            paused += 1
            continue
        free = mentor_places(program, capacity, matched)
        if free:
            mentors_with_places += 1
            places += free
    return Supply(
        mentees_waiting=mentees["waiting"],
        mentees_matched=mentees["matched"],
        mentors_with_places=mentors_with_places,
        places_free=places,
        mentors_paused=paused,
    )


def proposal_list_for_run(
    *, run: MatchRun, search: str = "", sort: str = "score"
) -> QuerySet[MatchProposal]:
    """A run's pairs with both people loaded, filtered by name or email and sorted."""
    queryset = MatchProposal.objects.filter(run=run).select_related(
        "mentor__user", "mentee__user", "mentor__user__profile", "mentee__user__profile"
    )
    for word in search.split():
        queryset = queryset.filter(
            Q(mentee__user__first_name__icontains=word)
            | Q(mentee__user__last_name__icontains=word)
            | Q(mentee__user__email__icontains=word)
            | Q(mentor__user__first_name__icontains=word)
            | Q(mentor__user__last_name__icontains=word)
            | Q(mentor__user__email__icontains=word)
        )
    if sort in ("mentee", "mentor"):
        return queryset.order_by(
            Lower(f"{sort}__user__last_name"), Lower(f"{sort}__user__first_name"), "pk"
        )
    if sort == "-score":
        return queryset.order_by("score", "pk")
    return queryset.order_by("-score", "pk")


def proposal_get(*, run: MatchRun, proposal_id: int) -> MatchProposal:
    """One pair of the run (already through its guard), or NotFound."""
    proposal = (
        MatchProposal.objects.select_related("mentor__user", "mentee__user")
        .filter(run=run, pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound("No such pair in this run.")
    return proposal


def unmatched_list_for_run(*, run: MatchRun) -> QuerySet[MatchUnmatched]:
    return (
        MatchUnmatched.objects.filter(run=run)
        .select_related("mentee__user")
        .order_by(Lower("mentee__user__last_name"), Lower("mentee__user__first_name"), "pk")
    )


@dataclass(frozen=True)
class MentorOption:
    participant_id: int
    name: str
    places_left: int


def mentor_options_for_run(*, run: MatchRun) -> list[MentorOption]:
    """The run's mentors who still have a place in its draft, for adding a pair by hand."""
    pool = Pool.from_inputs(run.inputs)
    taken = Counter(
        dict(
            MatchProposal.objects.filter(run=run)
            .values_list("mentor_id")
            .annotate(total=Count("pk"))
            .order_by()
        )
    )
    capacity = pool.capacity_of()
    options = []
    for participant in (
        Participant.objects.filter(program_id=run.program_id, role=ParticipantRole.MENTOR)
        .select_related("user")
        .order_by(Lower("user__last_name"), Lower("user__first_name"), "pk")
    ):
        left = capacity.get(participant.pk, 0) - taken[participant.pk]
        if left > 0:
            options.append(MentorOption(participant.pk, display_name(participant.user), left))
    return options


def excluded_pairs_for_run(*, run: MatchRun) -> set[tuple[int, int]]:
    """(mentee, mentor) pairs the draft may not hold: those the run ruled out, and every
    never-pair rule of the programme (pairs removed from the draft since are among them)."""
    excluded = {(mentee, mentor) for mentee, mentor, _ in Pool.from_inputs(run.inputs).exclusions}
    excluded.update(
        PairRule.objects.filter(program_id=run.program_id, kind=PairRuleKind.EXCLUDE)
        .values_list("mentee_id", "mentor_id")
        .order_by()
    )
    return excluded


def run_is_stale(*, run: MatchRun) -> bool:
    """Whether relationships of the programme changed after the run was started."""
    if run.status != RunStatus.DRAFT:
        return False
    return Relationship.objects.filter(
        program_id=run.program_id, updated_at__gt=run.created_at
    ).exists()


def run_has_active_sibling(*, program: Program) -> MatchRun | None:
    """A run of the programme that is queued or running, if any."""
    return (
        MatchRun.objects.filter(program=program, status__in=ACTIVE_STATUSES)
        .order_by("-created_at")
        .first()
    )


# --- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSetting:
    question: EnrollmentQuestion
    mode: str
    modes: list[str]
    default_mode: str


@dataclass(frozen=True)
class SettingsView:
    """A programme's matching settings as the page and the API show them (defaults filled in)."""

    program: Program
    config: MatchingConfig
    stored: MatchingSettings | None
    questions: list[QuestionSetting]

    @property
    def row(self) -> MatchingSettings:
        """The stored row, or an unsaved one: the model owns the defaults, not this view."""
        return self.stored if self.stored is not None else MatchingSettings(program=self.program)

    @property
    def allow_self_matching(self) -> bool:
        return self.row.allow_self_matching

    @property
    def requests_need_approval(self) -> bool:
        return self.row.requests_need_approval

    @property
    def accepted_requests_need_kickoff(self) -> bool:
        return self.row.accepted_requests_need_kickoff

    @property
    def request_expiry_days(self) -> int:
        return self.row.request_expiry_days

    @property
    def weights(self) -> dict[str, int]:
        return {name: self.config.weights[name] for name in EDITABLE_CRITERIA}


def matching_settings_view(*, program: Program) -> SettingsView:
    """The programme's matching settings over its defaults (read from their owner,
    `requests.selectors.matching_settings_get`), and its comparable questions."""
    row = matching_settings_get(program=program, fresh=True)
    stored = row if row.pk is not None else None
    config = MatchingConfig.for_program(program, stored)
    questions = [
        QuestionSetting(
            question=question,
            mode=config.question_mode(question).value,
            modes=[mode.value for mode in question_modes_allowed(question)],
            default_mode=default_question_mode(question).value,
        )
        for question in EnrollmentQuestion.objects.filter(
            program=program, use_for_matching=True
        ).order_by("position", "pk")
        if is_comparable_question(question)
    ]
    return SettingsView(program=program, config=config, stored=stored, questions=questions)


def proposed_text(statistics: dict[str, object] | None) -> str:
    """What publishing a draft proposes, in the unit people will see: "15 circles (47 mentees)"
    for a group programme, where each circle is one thing to its members, or "47 pairs"."""
    statistics = statistics or {}
    matched = int(statistics.get("matched") or 0)  # type: ignore[call-overload]
    circles = statistics.get("circles")
    if isinstance(circles, int):
        return (
            f"{circles} circle{'s' if circles != 1 else ''} "
            f"({matched} mentee{'s' if matched != 1 else ''})"
        )
    return f"{matched} pair{'s' if matched != 1 else ''}"
