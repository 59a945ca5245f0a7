"""Every write about bulk matching: runs, their drafts, publishing, and the matching settings.

A run's status moves only along `RUN_TRANSITIONS`, applied by `_transition`:

    queued -> running -> draft -> published
       \\         \\         \\-> discarded
        \\         \\-> failed (-> discarded)
         \\-> discarded

Starting a run records what it will match (`inputs`) and enqueues `match_run_execute_task` once
the transaction commits; the task solves the problem off the web worker and writes the draft.
Draft edits are services that keep the run's constraints; publishing opens the relationships
through `tandem.relationships.services.relationship_propose`, all or nothing.
"""

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import short_name
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.core.transactions import atomic_with_retry, lock_rows
from tandem.matching import engine
from tandem.matching.adapters import (
    EDITABLE_CRITERIA,
    EXCLUSION_LABELS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    BuiltProblem,
    MatchingConfig,
    Pool,
    is_comparable_question,
    matching_config_for,
    matching_pool,
    matching_problem_build,
    question_modes_allowed,
    reporting_chain_pairs,
)
from tandem.matching.engine import DepartmentPreference, Objective, UnmatchedReason
from tandem.matching.fit import max_score_of
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    MatchUnmatched,
    PairRule,
    PairRuleKind,
    RunObjective,
    RunStatus,
    SuggestionDecline,
)
from tandem.matching.requests.services import match_requests_withdraw_for_matched
from tandem.matching.runs.permissions import match_run_access
from tandem.matching.runs.selectors import proposal_get
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import (
    OutboxItem,
    outbox_enqueue_many,
    outbox_record_covered,
)
from tandem.participants.models import Answer, Participant, ParticipantRole, ParticipantStatus
from tandem.people.models import Profile
from tandem.programs.models import EnrollmentQuestion, Program, ProgramFormat, QuestionKind
from tandem.programs.permissions import program_access
from tandem.programs.selectors import program_for_email
from tandem.relationships.announcements import (
    MATCH_ANNOUNCED,
    circle_announced_key,
    match_announced_key,
)
from tandem.relationships.models import Circle, Relationship, RelationshipSource
from tandem.relationships.selectors import relationship_pairs_in_program
from tandem.relationships.services import circle_create, relationship_propose
from tandem.webhooks.events import MatchPublishedData, ProgramRef, PublishedPair
from tandem.webhooks.services import webhook_emit

logger = logging.getLogger(__name__)

S = RunStatus
_ACTION_WORDS = {
    "execute": "run",
    "finish": "finished",
    "fail": "marked as failed",
    "edit": "edited",
    "rerun": "run again",
    "publish": "published",
    "discard": "discarded",
}


def _refusal(refused: Refused) -> str:
    return f"This run cannot be {_ACTION_WORDS[refused.verb]}: it is '{refused.current}'."


# The lifecycle, in one table: action -> (statuses it may start from, status it leads to).
RUN_TRANSITIONS = Lifecycle.from_actions(
    "run",
    {
        # A worker that died mid-run leaves it running; executing again picks it up.
        "execute": ({S.QUEUED, S.RUNNING}, S.RUNNING),
        "finish": ({S.RUNNING}, S.DRAFT),
        "fail": ({S.QUEUED, S.RUNNING}, S.FAILED),
        "edit": ({S.DRAFT}, S.DRAFT),
        "rerun": ({S.DRAFT, S.FAILED}, S.DISCARDED),
        "publish": ({S.DRAFT}, S.PUBLISHED),
        "discard": ({S.QUEUED, S.RUNNING, S.DRAFT, S.FAILED}, S.DISCARDED),
    },
    labels=RunStatus.choices,
    refusal=_refusal,
    field="status",
)

MAX_SEED = 2**31 - 1
MAX_ERROR = 2000
PROGRESS_INTERVAL_SECONDS = 0.5
HISTOGRAM_BINS = 10
TOP_REASONS_IN_EMAIL = 3
REQUEST_EXPIRY_MAX_DAYS = 90
SENIORITY_GAP_LIMIT = 5
REASON_REMOVED = "removed"

UNMATCHED_LABELS = {
    UnmatchedReason.NO_ALLOWED_MENTOR.value: "No allowed mentor",
    UnmatchedReason.NO_CAPACITY_LEFT.value: "Allowed mentors are full",
    UnmatchedReason.NOT_CHOSEN.value: "Left out by the objective",
    REASON_REMOVED: "Removed from the draft",
}


def _transition(run: MatchRun, action: str) -> None:
    """Move `run` along `action`, or raise Conflict naming its status."""
    run.status = RUN_TRANSITIONS.apply(run.status, action).target


def _lock_program(program: Program) -> None:
    # Serialises run starts, publishes and request decisions within one programme (the lock
    # order of docs/architecture.md: a run, then its programme, then people, then requests).
    lock_rows(Program, [program.pk])


# --- starting a run ----------------------------------------------------------------------


def _clean_objective(objective: str) -> str:
    if objective not in RunObjective.values:
        raise InvalidInput.for_field(
            "objective",
            f"'{objective}' is not an objective. Use one of {', '.join(RunObjective.values)}.",
        )
    return objective


def _clean_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput.for_field(
            "seed", f"The seed must be a whole number from 0 to {MAX_SEED}."
        )
    return seed


def _create_run(
    *,
    actor: User,
    program: Program,
    objective: str,
    seed: int,
    config: MatchingConfig,
    extra_pins: Iterable[tuple[int, int]] = (),
    rerun_of: int | None = None,
) -> MatchRun:
    if program.is_read_only:
        raise Conflict(f"{program.name} is archived; it can no longer be matched.")
    _lock_program(program)
    active = MatchRun.objects.filter(program=program, status__in=[S.QUEUED, S.RUNNING]).first()
    if active is not None:
        raise Conflict(
            f"Run {active.pk} of {program.name} is still {active.get_status_display().lower()}; "
            "wait for it to finish or discard it."
        )
    pool = matching_pool(program=program, extra_pins=extra_pins)
    inputs = pool.as_inputs()
    if rerun_of is not None:
        inputs["rerun_of"] = rerun_of
    run = MatchRun.objects.create(
        program=program,
        created_by=actor,
        objective=objective,
        seed=seed,
        weights=dict(config.weights),
        rules=dict(config.rules),
        inputs=inputs,
        status=S.QUEUED,
    )
    from tandem.matching.runs.tasks import match_run_execute_task

    run_id = run.pk
    transaction.on_commit(lambda: match_run_execute_task.enqueue(run_id))
    return run


@transaction.atomic
def match_run_start(*, actor: User, program_id: int, objective: str, seed: int = 0) -> MatchRun:
    """Queue a bulk matching run of the programme with its current settings (its managers).

    Records the weights, rules, seed and exactly who takes part; the work happens in
    `match_run_execute_task` once this commits. Conflict while another run is queued or running.
    """
    program = program_access(actor=actor, program_id=program_id, manage=True)
    objective = _clean_objective(objective)
    seed = _clean_seed(seed)
    return _create_run(
        actor=actor,
        program=program,
        objective=objective,
        seed=seed,
        config=matching_config_for(program),
    )


@transaction.atomic
def match_run_rerun(*, actor: User, run_id: int) -> MatchRun:
    """Run a draft (or a failed run) again with the same settings around its pins.

    The draft's pinned pairs are kept (as are the programme's pin rules); the old run is
    discarded so that only the new one can be published.
    """
    run = match_run_access(actor=actor, run_id=run_id, for_update=True)
    pins = list(
        MatchProposal.objects.filter(run=run, is_pinned=True)
        .order_by("pk")
        .values_list("mentee_id", "mentor_id")
    )
    _transition(run, "rerun")
    run.save(update_fields=["status", "updated_at"])
    return _create_run(
        actor=actor,
        program=run.program,
        objective=run.objective,
        seed=run.seed,
        config=_config_of(run),
        extra_pins=pins,
        rerun_of=run.pk,
    )


# --- executing a run (in a task) ---------------------------------------------------------


class _ProgressWriter:
    """The engine's progress callback: writes MatchRun.progress at most twice a second."""

    def __init__(self, run_id: int, interval: float = PROGRESS_INTERVAL_SECONDS) -> None:
        self.run_id = run_id
        self.interval = interval
        self.last_written = -1
        self.last_time = 0.0

    def __call__(self, fraction: float, *_: Any, **__: Any) -> None:
        percent = max(0, min(99, int(float(fraction) * 100)))
        now = time.monotonic()
        if percent <= self.last_written or now - self.last_time < self.interval:
            return
        self.last_written, self.last_time = percent, now
        MatchRun.objects.filter(pk=self.run_id, status=S.RUNNING).update(progress=percent)


def _contributions(explanation: engine.Explanation) -> dict[str, float]:
    return {
        engine.Criterion(criterion).value: float(value)
        for criterion, value in explanation.contributions.items()
    }


def _histogram(scores: list[float], max_score: float) -> list[dict[str, float | int]]:
    top = max_score if max_score > 0 else max([*scores, 1.0])
    width = top / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for score in scores:
        counts[min(max(int(score / width), 0), HISTOGRAM_BINS - 1)] += 1
    return [
        {"low": round(i * width, 2), "high": round((i + 1) * width, 2), "count": counts[i]}
        for i in range(HISTOGRAM_BINS)
    ]


def _statistics(
    *,
    scores: list[float],
    pinned: int,
    pool: Pool,
    unmatched_reasons: Mapping[str, int],
    max_score: float,
    seconds: Mapping[str, float],
    circles: int | None = None,
) -> dict[str, Any]:
    mentees = len(pool.mentee_ids)
    matched = len(scores)
    return {
        "mentees": mentees,
        "mentors": len(pool.mentor_ids),
        "places": sum(pool.capacity),
        "matched": matched,
        # A group programme publishes one circle per mentor: the count people see is circles
        # (with their mentees), not the pairs a circle is stored as. None for one-to-one.
        "circles": circles,
        "unmatched": mentees - matched,
        "matched_percent": round(100 * matched / mentees, 1) if mentees else 0.0,
        "mean_score": round(sum(scores) / matched, 2) if matched else None,
        "lowest_score": round(min(scores), 2) if matched else None,
        "highest_score": round(max(scores), 2) if matched else None,
        "max_score": round(max_score, 2),
        "pinned": pinned,
        "histogram": _histogram(scores, max_score),
        "unmatched_reasons": dict(sorted(unmatched_reasons.items())),
        "seconds": dict(seconds),
    }


def _unmatched_detail(
    reason: str,
    *,
    exclusions: Counter[str],
    mentor_count: int,
    objective: str,
    language_required: bool,
) -> str:
    if mentor_count == 0:
        return "No mentor has a free place in this programme."
    if reason == UnmatchedReason.NO_ALLOWED_MENTOR:
        parts = [
            f"{count} {'is' if count == 1 else 'are'} ruled out because "
            f"{EXCLUSION_LABELS[why].replace('the mentor', 'the mentor' if count == 1 else 'each')}"
            for why, count in sorted(exclusions.items())
        ]
        if language_required and sum(exclusions.values()) < mentor_count:
            parts.append("the others share no language with them")
        detail = "No mentor with a free place is allowed for them"
        return f"{detail}: {'; '.join(parts)}." if parts else f"{detail}."
    if reason == UnmatchedReason.NO_CAPACITY_LEFT:
        return "All allowed mentors are full."
    if objective == RunObjective.STABLE:
        return (
            "Every mentor they could have had is matched with mentees that mentor ranks "
            "higher; matching them would make the result unstable."
        )
    if objective == RunObjective.FAIR:
        return "Matching them would have lowered the fairest lowest score of the run."
    return "Every mentor they could have had was given to someone who fits better."


def _config_of(run: MatchRun) -> MatchingConfig:
    if not run.weights:
        return MatchingConfig.for_program(run.program, None)
    defaults = MatchingConfig.for_program(run.program, None)
    return MatchingConfig(
        weights={**defaults.weights, **run.weights}, rules={**defaults.rules, **run.rules}
    )


def _build(run: MatchRun) -> BuiltProblem:
    return matching_problem_build(
        program=run.program, pool=Pool.from_inputs(run.inputs), config=_config_of(run)
    )


def match_run_execute(*, run_id: int) -> MatchRun | None:
    """Solve a queued run and write its draft: pairs, unmatched mentees, statistics.

    Idempotent: a run that is no longer queued or running is left alone, and the draft's rows
    are replaced, never added twice. A failure marks the run failed with the error. Called by
    `match_run_execute_task`, outside any request.
    """
    with transaction.atomic():
        run = (
            MatchRun.objects.select_for_update(of=("self",))
            .select_related("program")
            .filter(pk=run_id)
            .first()
        )
        if run is None or not RUN_TRANSITIONS.allowed(run.status, "execute"):
            return run
        _transition(run, "execute")
        run.progress = 0
        run.started_at = timezone.now()
        run.error = ""
        run.save(update_fields=["status", "progress", "started_at", "error", "updated_at"])
    try:
        _execute(run)
    except Exception as error:  # any failure is recorded on the run for the manager to see
        logger.exception("Matching run %s failed", run_id)
        with transaction.atomic():
            locked = MatchRun.objects.select_for_update().get(pk=run_id)
            if RUN_TRANSITIONS.allowed(locked.status, "fail"):
                _transition(locked, "fail")
                locked.error = f"{type(error).__name__}: {error}"[:MAX_ERROR]
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "error", "finished_at", "updated_at"])
            return locked
    run.refresh_from_db()
    return run


def _execute(run: MatchRun) -> None:
    started = time.monotonic()
    built = _build(run)
    built_seconds = time.monotonic() - started
    assignment = engine.solve(
        built.problem,
        Objective(run.objective),
        seed=run.seed,
        progress=_ProgressWriter(run.pk),
    )
    pinned = set(built.pool.pins)
    proposals = []
    scores: list[float] = []
    for mentee_index, mentor_index in zip(
        assignment.mentee.tolist(), assignment.mentor.tolist(), strict=True
    ):
        explanation = engine.explain(built.problem, mentee_index, mentor_index)
        mentee_id = built.mentee_ids[mentee_index]
        mentor_id = built.mentor_ids[mentor_index]
        score = float(explanation.score)
        scores.append(score)
        proposals.append(
            MatchProposal(
                run_id=run.pk,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                score=score,
                contributions=_contributions(explanation),
                reasons=list(explanation.reasons),
                is_pinned=(mentee_id, mentor_id) in pinned,
            )
        )
    exclusions_of: dict[int, Counter[str]] = defaultdict(Counter)
    for mentee_id, _, why in built.pool.exclusions:
        exclusions_of[mentee_id][why] += 1
    reasons: Counter[str] = Counter()
    unmatched = []
    for mentee_index, reason in zip(
        assignment.unmatched.tolist(), assignment.unmatched_reason, strict=True
    ):
        mentee_id = built.mentee_ids[mentee_index]
        reasons[reason.value] += 1
        unmatched.append(
            MatchUnmatched(
                run_id=run.pk,
                mentee_id=mentee_id,
                reason=reason.value,
                detail=_unmatched_detail(
                    reason.value,
                    exclusions=exclusions_of[mentee_id],
                    mentor_count=len(built.mentor_ids),
                    objective=run.objective,
                    language_required=built.problem.settings.require_shared_language,
                )[:300],
            )
        )
    statistics = _statistics(
        scores=scores,
        pinned=sum(1 for p in proposals if p.is_pinned),
        pool=built.pool,
        unmatched_reasons=reasons,
        max_score=max_score_of(run.weights or _config_of(run).weights),
        circles=(
            len({p.mentor_id for p in proposals})
            if run.program.format == ProgramFormat.GROUP
            else None
        ),
        seconds={
            "building": round(built_seconds, 3),
            "scoring": round(max(float(assignment.seconds_scoring), 0.0), 3),
            "solving": round(max(float(assignment.seconds_solving), 0.0), 3),
            "total": round(time.monotonic() - started, 3),
        },
    )
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != S.RUNNING:
            return  # discarded while it ran: keep nothing
        MatchProposal.objects.filter(run=locked).delete()
        MatchUnmatched.objects.filter(run=locked).delete()
        MatchProposal.objects.bulk_create(proposals, batch_size=500)
        MatchUnmatched.objects.bulk_create(unmatched, batch_size=500)
        _transition(locked, "finish")
        locked.progress = 100
        locked.statistics = statistics
        locked.certified_gap = (
            None if assignment.certified_gap is None else float(assignment.certified_gap)
        )
        locked.finished_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "progress",
                "statistics",
                "certified_gap",
                "finished_at",
                "updated_at",
            ]
        )


# --- editing a draft ---------------------------------------------------------------------


def _refresh_statistics(run: MatchRun) -> None:
    """Recount a draft's statistics after an edit (the solver's timings are kept)."""
    pool = Pool.from_inputs(run.inputs)
    scores = list(MatchProposal.objects.filter(run=run).order_by().values_list("score", flat=True))
    pinned = MatchProposal.objects.filter(run=run, is_pinned=True).count()
    reasons = Counter(
        dict(
            MatchUnmatched.objects.filter(run=run)
            .values_list("reason")
            .annotate(total=Count("pk"))
            .order_by()
        )
    )
    run.statistics = _statistics(
        scores=scores,
        pinned=pinned,
        pool=pool,
        unmatched_reasons=reasons,
        max_score=max_score_of(_config_of(run).weights),
        seconds=(run.statistics or {}).get("seconds", {}),
        circles=(
            MatchProposal.objects.filter(run=run).values("mentor_id").distinct().count()
            if run.program.format == ProgramFormat.GROUP
            else None
        ),
    )
    run.save(update_fields=["statistics", "updated_at"])


def _editable_run(actor: User, run_id: int) -> MatchRun:
    run = match_run_access(actor=actor, run_id=run_id, for_update=True)
    _transition(run, "edit")
    return run


def _rule_upsert(run: MatchRun, actor: User, proposal: MatchProposal, kind: str) -> None:
    PairRule.objects.update_or_create(
        mentor_id=proposal.mentor_id,
        mentee_id=proposal.mentee_id,
        defaults={"program_id": run.program_id, "kind": kind, "created_by": actor},
    )


@transaction.atomic
def match_proposal_pin(*, actor: User, run_id: int, proposal_id: int) -> MatchProposal:
    """Keep this pair in the draft and in every later run (a PIN rule).

    A mentee has one pinned mentor: pinning replaces the mentee's other pin rules.
    """
    run = _editable_run(actor, run_id)
    proposal = proposal_get(run=run, proposal_id=proposal_id)
    PairRule.objects.filter(
        program_id=run.program_id, mentee_id=proposal.mentee_id, kind=PairRuleKind.PIN
    ).exclude(mentor_id=proposal.mentor_id).delete()
    _rule_upsert(run, actor, proposal, PairRuleKind.PIN)
    if not proposal.is_pinned:
        proposal.is_pinned = True
        proposal.save(update_fields=["is_pinned", "updated_at"])
        _refresh_statistics(run)
    return proposal


@transaction.atomic
def match_proposal_unpin(*, actor: User, run_id: int, proposal_id: int) -> MatchProposal:
    """Let later runs choose freely for this pair again (drops its PIN rule)."""
    run = _editable_run(actor, run_id)
    proposal = proposal_get(run=run, proposal_id=proposal_id)
    PairRule.objects.filter(
        mentor_id=proposal.mentor_id, mentee_id=proposal.mentee_id, kind=PairRuleKind.PIN
    ).delete()
    if proposal.is_pinned:
        proposal.is_pinned = False
        proposal.save(update_fields=["is_pinned", "updated_at"])
        _refresh_statistics(run)
    return proposal


@transaction.atomic
def match_proposal_remove(*, actor: User, run_id: int, proposal_id: int) -> MatchUnmatched:
    """Take a pair out of the draft; an EXCLUDE rule keeps later runs from proposing it again.

    The mentee goes back to the draft's unmatched list, where a pair can be added by hand.
    """
    run = _editable_run(actor, run_id)
    proposal = proposal_get(run=run, proposal_id=proposal_id)
    _rule_upsert(run, actor, proposal, PairRuleKind.EXCLUDE)
    proposal.delete()
    unmatched = MatchUnmatched.objects.create(
        run=run,
        mentee_id=proposal.mentee_id,
        reason=REASON_REMOVED,
        detail=(
            f"Removed from the draft by {actor}; {proposal.mentor.user} will not be proposed "
            "for them again."
        )[:300],
    )
    _refresh_statistics(run)
    return unmatched


def _blocked_pairs(
    program: Program, pairs: list[tuple[Participant, Participant]]
) -> dict[tuple[int, int], str]:
    """Why each (mentee, mentor) pair may not be matched now, for the pairs that may not.

    Checked against today's data: the reporting line, never-pair rules, mentors' declines,
    earlier relationships in the programme, and people who left or stopped taking mentees.
    Five queries whatever the number of pairs.
    """
    wanted = {(mentee.pk, mentor.pk) for mentee, mentor in pairs}
    blocked: dict[tuple[int, int], str] = {}
    managers = dict(
        Profile.objects.filter(user__organization_id=program.organization_id, manager__isnull=False)
        .values_list("user_id", "manager_id")
        .order_by()
    )
    chain = reporting_chain_pairs(
        mentee_users={mentee.pk: mentee.user_id for mentee, _ in pairs},
        mentor_users={mentor.pk: mentor.user_id for _, mentor in pairs},
        managers=managers,
    )
    for pair in chain:
        if pair in wanted:
            blocked.setdefault(pair, EXCLUSION_LABELS["reporting_line"])
    checks = (
        (
            PairRule.objects.filter(program=program, kind=PairRuleKind.EXCLUDE),
            EXCLUSION_LABELS["rule"],
        ),
        (SuggestionDecline.objects.filter(mentee__program=program), EXCLUSION_LABELS["declined"]),
        (relationship_pairs_in_program(program=program), EXCLUSION_LABELS["earlier_relationship"]),
    )
    for queryset, label in checks:
        for pair in queryset.values_list("mentee_id", "mentor_id").order_by():
            if pair in wanted:
                blocked.setdefault(pair, label)
    current = {
        pk: (status, accepting)
        for pk, status, accepting in Participant.objects.filter(program=program).values_list(
            "pk", "status", "is_accepting_mentees"
        )
    }
    for mentee, mentor in pairs:
        pair = (mentee.pk, mentor.pk)
        if current.get(mentee.pk, ("", False))[0] != ParticipantStatus.ACTIVE:
            blocked.setdefault(pair, f"{mentee.user} is no longer enrolled")
        elif current.get(mentor.pk, ("", False))[0] != ParticipantStatus.ACTIVE:
            blocked.setdefault(pair, f"{mentor.user} is no longer enrolled")
        elif not current[mentor.pk][1]:
            blocked.setdefault(pair, f"{mentor.user} is not taking new mentees at the moment")
    return blocked


def _explained(built: BuiltProblem, mentee: Participant, mentor: Participant) -> engine.Explanation:
    if mentee.pk not in built.mentee_index:
        raise Conflict(f"{mentee.user} was not waiting for a mentor when this run started.")
    if mentor.pk not in built.mentor_index:
        raise Conflict(f"{mentor.user} had no free place when this run started.")
    mentee_index, mentor_index = built.pair_indices(mentee.pk, mentor.pk)
    explanation = engine.explain(built.problem, mentee_index, mentor_index)
    if not explanation.allowed:
        raise Conflict(
            f"{mentor.user} cannot mentor {mentee.user}: "
            f"{explanation.blocked_because or 'the pair breaks a rule'}."
        )
    return explanation


def _refuse_blocked(program: Program, pairs: list[tuple[Participant, Participant]]) -> None:
    blocked = _blocked_pairs(program, pairs)
    if not blocked:
        return
    errors = []
    for mentee, mentor in pairs:
        why = blocked.get((mentee.pk, mentor.pk))
        if why is not None:
            errors.append(FieldError("pair", f"{mentor.user} and {mentee.user}: {why}."))
    raise Conflict(" ".join(error.message for error in errors), errors)


def _apply_explanation(proposal: MatchProposal, explanation: engine.Explanation) -> None:
    proposal.score = float(explanation.score)
    proposal.contributions = _contributions(explanation)
    proposal.reasons = list(explanation.reasons)


@transaction.atomic
def match_proposals_swap(
    *, actor: User, run_id: int, first_id: int, second_id: int
) -> tuple[MatchProposal, MatchProposal]:
    """Exchange the mentees of two pairs of a draft, re-scored and re-explained.

    Each mentor keeps the same number of mentees, so capacities hold; the two new pairs must be
    allowed (reporting line, rules, declines, earlier pairs). Pinned pairs are not swapped.
    """
    run = _editable_run(actor, run_id)
    if first_id == second_id:
        raise InvalidInput.for_field("b", "Choose two different pairs to swap.")
    first = proposal_get(run=run, proposal_id=first_id)
    second = proposal_get(run=run, proposal_id=second_id)
    for proposal in (first, second):
        if proposal.is_pinned:
            raise Conflict(
                f"{proposal.mentor.user} and {proposal.mentee.user} are pinned; unpin them "
                "before swapping."
            )
    if first.mentor_id == second.mentor_id:
        raise InvalidInput.for_field(
            "b", f"Both pairs have the same mentor ({first.mentor.user}); swapping changes nothing."
        )
    _refuse_blocked(run.program, [(first.mentee, second.mentor), (second.mentee, first.mentor)])
    built = _build(run)
    first_explanation = _explained(built, first.mentee, second.mentor)
    second_explanation = _explained(built, second.mentee, first.mentor)
    # Each row keeps its mentee and takes the other row's mentor: the same exchange, and the
    # one-mentee-per-run constraint holds at every step.
    first_mentor, second_mentor = first.mentor, second.mentor
    first.mentor, second.mentor = second_mentor, first_mentor
    _apply_explanation(first, first_explanation)
    _apply_explanation(second, second_explanation)
    for proposal in (first, second):
        proposal.save(update_fields=["mentor", "score", "contributions", "reasons", "updated_at"])
    _refresh_statistics(run)
    return first, second


@transaction.atomic
def match_proposal_add(
    *, actor: User, run_id: int, mentee_id: int, mentor_id: int
) -> MatchProposal:
    """Pair an unmatched mentee of the draft with a mentor who still has a place in it."""
    run = _editable_run(actor, run_id)
    unmatched = (
        MatchUnmatched.objects.select_related("mentee__user")
        .filter(run=run, mentee_id=mentee_id)
        .first()
    )
    if unmatched is None:
        raise InvalidInput.for_field(
            "mentee_id", "That mentee is not on this draft's unmatched list."
        )
    mentor = (
        Participant.objects.select_related("user")
        .filter(pk=mentor_id, program_id=run.program_id, role=ParticipantRole.MENTOR)
        .first()
    )
    if mentor is None:
        raise InvalidInput.for_field("mentor_id", "That mentor is not in this programme.")
    capacity = Pool.from_inputs(run.inputs).capacity_of().get(mentor.pk, 0)
    taken = MatchProposal.objects.filter(run=run, mentor=mentor).count()
    if taken >= capacity:
        raise Conflict(
            f"{mentor.user} has no place left in this draft ({taken} of {capacity} taken).",
            [FieldError("mentor_id", "No place left in this draft.")],
        )
    mentee = unmatched.mentee
    _refuse_blocked(run.program, [(mentee, mentor)])
    explanation = _explained(_build(run), mentee, mentor)
    proposal = MatchProposal(run=run, mentee=mentee, mentor=mentor)
    _apply_explanation(proposal, explanation)
    proposal.save()
    unmatched.delete()
    _refresh_statistics(run)
    return proposal


# --- publishing --------------------------------------------------------------------------


def _circle_topics(program: Program, circles: Mapping[int, list[Participant]]) -> dict[int, str]:
    """The most shared skill wanted or matching answer among each circle's mentees.

    Three queries: the mentees' wanted skills, the matching questions, and their answers.
    """
    labels: dict[int, Counter[str]] = defaultdict(Counter)
    user_to_mentee = {mentee.user_id: mentee.pk for ms in circles.values() for mentee in ms}
    for user_id, name in (
        Profile.skills_wanted.through.objects.filter(profile__user__participations__program=program)
        .values_list("profile__user_id", "skill__name")
        .order_by()
    ):
        if user_id in user_to_mentee:
            labels[user_to_mentee[user_id]][name] += 1
    questions = {
        q.pk: q
        for q in EnrollmentQuestion.objects.filter(program=program, use_for_matching=True)
        if is_comparable_question(q)
        and q.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    }
    if questions:
        for participant_id, value in (
            Answer.objects.filter(question_id__in=list(questions), participant__program=program)
            .values_list("participant_id", "value")
            .order_by()
        ):
            for option in value if isinstance(value, list) else [value]:
                if isinstance(option, str) and option:
                    labels[participant_id][option] += 1
    topics: dict[int, str] = {}
    for mentor_id, mentees in circles.items():
        shared: Counter[str] = Counter()
        for mentee in mentees:
            shared.update(set(labels.get(mentee.pk, Counter())))
        if shared:
            best = sorted(shared.items(), key=lambda item: (-item[1], item[0].casefold()))[0][0]
            topics[mentor_id] = best[:1].upper() + best[1:]
        else:
            topics[mentor_id] = ""
    return topics


@atomic_with_retry
def match_run_publish(*, actor: User, run_id: int) -> MatchRun:
    """Open every pair of the draft as a proposed relationship, all or nothing.

    Each pair is checked again against today's data (people may have left, been paired or
    ruled out since the run); the first refusal is a Conflict naming the pair and nothing is
    written. Group programmes get one circle per mentor, named after what its mentees share.
    Both people of every pair are told through the outbox (`_announce`): the emails leave
    once this commits.
    """
    run = match_run_access(actor=actor, run_id=run_id, for_update=True)
    program = run.program
    _transition(run, "publish")
    _lock_program(program)
    proposals = list(
        MatchProposal.objects.filter(run=run)
        .select_related("mentor__user", "mentee__user")
        .order_by("mentor_id", "-score", "pk")
    )
    if not proposals:
        raise Conflict("This draft has no pairs to publish.")
    # Every person of the draft, in ascending id, before any place is taken: pairing them in
    # the draft's order would lock people in an order nobody else keeps.
    lock_rows(Participant, [id_ for p in proposals for id_ in (p.mentor_id, p.mentee_id)])
    _refuse_blocked(program, [(p.mentee, p.mentor) for p in proposals])
    circles: dict[int, Circle] = {}
    if program.format == ProgramFormat.GROUP:
        members: dict[int, list[Participant]] = defaultdict(list)
        for proposal in proposals:
            members[proposal.mentor_id].append(proposal.mentee)
        topics = _circle_topics(program, members)
        leaders = {p.mentor_id: p.mentor for p in proposals}
        for mentor_id in members:
            circles[mentor_id] = circle_create(
                program_id=program.pk, mentor=leaders[mentor_id], topic=topics[mentor_id]
            )
    opened: list[PublishedPair] = []
    for proposal in proposals:
        try:
            relationship = relationship_propose(
                mentor=proposal.mentor,
                mentee=proposal.mentee,
                source=RelationshipSource.BULK,
                score=proposal.score,
                explanation={"contributions": proposal.contributions, "reasons": proposal.reasons},
                circle=circles.get(proposal.mentor_id),
            )
        except (Conflict, InvalidInput) as error:
            message = f"{proposal.mentor.user} and {proposal.mentee.user}: {error.detail}"
            raise Conflict(
                f"Nothing was published. {message}", [FieldError("pair", message)]
            ) from error
        opened.append(
            PublishedPair(
                relationship_id=relationship.pk,
                mentor_person_id=proposal.mentor.user_id,
                mentee_person_id=proposal.mentee.user_id,
            )
        )
    match_requests_withdraw_for_matched(
        mentee_ids=[p.mentee_id for p in proposals],
        message="Withdrawn automatically: the programme matched you with a mentor.",
    )
    run.published_at = timezone.now()
    run.published_by = actor
    # In this transaction: the announcements and the pairs commit together, and the nudge
    # rule `match_announced` finds their keys already written, whenever it runs.
    _announce(run)
    run.save(update_fields=["status", "published_at", "published_by", "statistics", "updated_at"])
    published_at = run.published_at
    webhook_emit(
        organization_id=program.organization_id,
        event_type="match.published",
        data=lambda: MatchPublishedData(
            match_run_id=run.pk,
            program=ProgramRef(id=program.pk, name=program.name),
            published_at=published_at,
            pairs=opened,
        ),
    )
    audit_record(
        actor=actor,
        event=audit_events.MATCH_RUN_PUBLISHED,
        organization_id=program.organization_id,
        target=run,
        data={"program_id": program.pk, "pairs": len(proposals)},
    )
    return run


@transaction.atomic
def match_run_discard(*, actor: User, run_id: int) -> MatchRun:
    """Drop a run that will not be published (its draft rows are kept for the record)."""
    run = match_run_access(actor=actor, run_id=run_id, for_update=True)
    _transition(run, "discard")
    run.finished_at = run.finished_at or timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return run


# --- announcements after publishing ------------------------------------------------------

# Why the mentor's announcement of each pair in a circle is recorded but not sent.
COVERED_BY_CIRCLE = "covered by the announcement of the mentor's circle"


def _reasons_text(reasons: list[str]) -> str:
    top = [reason for reason in reasons if reason][:TOP_REASONS_IN_EMAIL]
    if not top:
        return ""
    return "Why we matched you:\n" + "\n".join(f"- {reason}" for reason in top) + "\n\n"


def _announcement(
    *, key: str, recipient: User, program: Program, subject: str, text: str, url: str
) -> OutboxItem:
    return OutboxItem(
        key=key,
        rule=MATCH_ANNOUNCED,
        recipient_id=recipient.pk,
        category=NotificationCategory.WELCOME,
        subject=subject,
        text=text,
        url=url,
        program=program_for_email(program),
    )


def _announcements(run: MatchRun) -> tuple[list[OutboxItem], list[OutboxItem]]:
    """The messages that announce a published run's pairs, and the keys they cover.

    Each mentee is told who their mentor is and why, under the key of their pair; a mentor of
    a one-to-one pair likewise. A circle's mentor gets one message listing the circle, under
    the circle's key, and the mentor's key of each pair in it is returned as covered (see
    `tandem.relationships.announcements`)."""
    program = run.program
    proposals = list(
        MatchProposal.objects.filter(run=run)
        .select_related("mentor__user", "mentee__user")
        .order_by("mentor_id", "-score", "pk")
    )
    # The relationships the run opened: the newest of each pair (a pair matched again after
    # an earlier relationship of theirs ended has two).
    opened = {
        (relationship.mentor_id, relationship.mentee_id): relationship
        for relationship in Relationship.objects.filter(program=program)
        .filter(
            Exists(
                MatchProposal.objects.filter(
                    run=run, mentor_id=OuterRef("mentor_id"), mentee_id=OuterRef("mentee_id")
                )
            )
        )
        .select_related("circle")
        .order_by("created_at", "pk")
    }
    messages: list[OutboxItem] = []
    covered: list[OutboxItem] = []
    circles: dict[Circle, list[tuple[MatchProposal, Relationship]]] = defaultdict(list)
    for proposal in proposals:
        relationship = opened.get((proposal.mentor_id, proposal.mentee_id))
        if relationship is None:
            continue
        mentor, mentee = proposal.mentor.user, proposal.mentee.user
        circle = relationship.circle
        about = f" on '{circle.topic}'" if circle is not None and circle.topic else ""
        workspace = reverse("workspace:detail", args=[relationship.pk])
        messages.append(
            _announcement(
                key=match_announced_key(
                    relationship_id=relationship.pk,
                    recipient_id=mentee.pk,
                    opened_at=relationship.created_at,
                ),
                recipient=mentee,
                program=program,
                subject=f"Your mentor in {program.name}: {mentor}",
                text=(
                    f"Hello {short_name(mentee)},\n\n"
                    + (
                        f"You are in {mentor}'s mentoring circle{about} in {program.name}.\n\n"
                        if circle is not None
                        else f"{mentor} ({mentor.email}) will be your mentor in {program.name}.\n\n"
                    )
                    + _reasons_text(proposal.reasons)
                    + "Say hello and agree when you will first meet.\n"
                ),
                url=workspace,
            )
        )
        mentor_key = match_announced_key(
            relationship_id=relationship.pk,
            recipient_id=mentor.pk,
            opened_at=relationship.created_at,
        )
        if circle is not None:
            circles[circle].append((proposal, relationship))
            covered.append(
                _announcement(
                    key=mentor_key,
                    recipient=mentor,
                    program=program,
                    subject=f"Your mentee in {program.name}: {mentee}",
                    text="",
                    url=workspace,
                )
            )
            continue
        messages.append(
            _announcement(
                key=mentor_key,
                recipient=mentor,
                program=program,
                subject=f"Your mentee in {program.name}: {mentee}",
                text=(
                    f"Hello {short_name(mentor)},\n\n"
                    f"You will mentor {mentee} ({mentee.email}) in {program.name}.\n\n"
                    + _reasons_text(proposal.reasons)
                    + "They will get in touch; agree when you will first meet.\n"
                ),
                url=workspace,
            )
        )
    for circle, members in circles.items():
        mentor = members[0][0].mentor.user
        names = "\n".join(f"- {p.mentee.user} ({p.mentee.user.email})" for p, _ in members)
        messages.append(
            _announcement(
                key=circle_announced_key(
                    circle_id=circle.pk, recipient_id=mentor.pk, opened_at=circle.created_at
                ),
                recipient=mentor,
                program=program,
                subject=f"Your mentoring circle in {program.name}",
                text=(
                    f"Hello {short_name(mentor)},\n\n"
                    f"You will lead a circle{f' on {circle.topic!r}' if circle.topic else ''} in "
                    f"{program.name} with:\n{names}\n\n"
                    "Agree with them when you will first meet.\n"
                ),
                url=reverse("workspace:detail", args=[members[0][1].pk]),
            )
        )
    return messages, covered


def _announce(run: MatchRun) -> int:
    """Write the run's announcements to the outbox and record that in its statistics (the
    caller saves them). Returns how many emails were enqueued: people who chose in-app only
    get the in-app copy alone."""
    messages, covered = _announcements(run)
    outbox_record_covered(items=covered, reason=COVERED_BY_CIRCLE)
    emails = outbox_enqueue_many(messages)
    run.statistics = {**(run.statistics or {}), "emails_sent": emails}
    return emails


def match_run_notify(*, run_id: int) -> int:
    """Announce every pair of a published run to both its people, through the outbox, once
    per run (`statistics["emails_sent"]` records it, and the outbox keys would refuse a second
    copy anyway). Publishing does this in its own transaction; this entry point serves the
    `match_run_notify_task` of runs published before it did. Returns how many emails were
    enqueued."""
    with transaction.atomic():
        run = (
            MatchRun.objects.select_for_update(of=("self",))
            .select_related("program")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status != S.PUBLISHED or "emails_sent" in (run.statistics or {}):
            return 0
        emails = _announce(run)
        run.save(update_fields=["statistics", "updated_at"])
    return emails


# --- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsChange:
    """What a manager may change about matching; None leaves the current value."""

    weights: Mapping[str, Any] | None = None
    seniority_gap_min: int | None = None
    seniority_gap_max: int | None = None
    department: str | None = None
    require_shared_language: bool | None = None
    question_modes: Mapping[str, str] | None = None
    allow_self_matching: bool | None = None
    requests_need_approval: bool | None = None
    accepted_requests_need_kickoff: bool | None = None
    request_expiry_days: int | None = None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_settings(
    program: Program, current: MatchingConfig, change: SettingsChange
) -> tuple[dict[str, int], dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    weights = dict(current.weights)
    for name, value in (change.weights or {}).items():
        if name not in EDITABLE_CRITERIA:
            errors.append(
                FieldError(
                    f"weights.{name}",
                    f"'{name}' is not a criterion. Use {', '.join(EDITABLE_CRITERIA)}.",
                )
            )
        elif not _whole(value) or not WEIGHT_MIN <= value <= WEIGHT_MAX:
            errors.append(
                FieldError(
                    f"weights.{name}",
                    f"The weight of {name} must be a whole number from {WEIGHT_MIN} to "
                    f"{WEIGHT_MAX}.",
                )
            )
        else:
            weights[name] = value
    rules = {**current.rules, "questions": dict(current.rules.get("questions") or {})}
    for field_name in ("seniority_gap_min", "seniority_gap_max"):
        value = getattr(change, field_name)
        if value is None:
            continue
        if not _whole(value) or not 0 <= value <= SENIORITY_GAP_LIMIT:
            errors.append(
                FieldError(
                    field_name,
                    f"A seniority gap is a whole number from 0 to {SENIORITY_GAP_LIMIT}.",
                )
            )
        else:
            rules[field_name] = value
    if (
        not any(e.field.startswith("seniority_gap") for e in errors)
        and rules["seniority_gap_min"] > rules["seniority_gap_max"]
    ):
        errors.append(
            FieldError(
                "seniority_gap_max",
                "The largest seniority gap must not be smaller than the smallest.",
            )
        )
    if change.department is not None:
        if change.department not in {d.value for d in DepartmentPreference}:
            errors.append(
                FieldError("department", "Choose 'different', 'same' or 'either' for departments.")
            )
        else:
            rules["department"] = change.department
    if change.require_shared_language is not None:
        rules["require_shared_language"] = bool(change.require_shared_language)
    if change.question_modes:
        questions = {
            str(q.pk): q
            for q in EnrollmentQuestion.objects.filter(program=program, use_for_matching=True)
            if is_comparable_question(q)
        }
        for key, mode in change.question_modes.items():
            question = questions.get(str(key))
            if question is None:
                errors.append(
                    FieldError(
                        f"question_modes.{key}",
                        f"Question {key} is not one of {program.name}'s matching questions.",
                    )
                )
                continue
            allowed = [m.value for m in question_modes_allowed(question)]
            if mode not in allowed:
                errors.append(
                    FieldError(
                        f"question_modes.{key}",
                        f"'{question.prompt}' can be compared by {', '.join(allowed)}, "
                        f"not '{mode}'.",
                    )
                )
            else:
                rules["questions"][str(key)] = mode
    if change.request_expiry_days is not None and (
        not _whole(change.request_expiry_days)
        or not 1 <= change.request_expiry_days <= REQUEST_EXPIRY_MAX_DAYS
    ):
        errors.append(
            FieldError(
                "request_expiry_days",
                f"Requests expire after 1 to {REQUEST_EXPIRY_MAX_DAYS} days.",
            )
        )
    return weights, rules, errors


@transaction.atomic
def matching_settings_update(
    *, actor: User, program_id: int, change: SettingsChange
) -> MatchingSettings:
    """Save a programme's matching weights, rules and self-matching options (its managers).

    Every field is checked and every mistake reported at once; nothing is saved on an error.
    """
    program = program_access(actor=actor, program_id=program_id, manage=True)
    if program.is_read_only:
        raise Conflict(f"{program.name} is archived; its settings can no longer change.")
    stored = MatchingSettings.objects.select_for_update().filter(program=program).first()
    weights, rules, errors = _clean_settings(
        program, MatchingConfig.for_program(program, stored), change
    )
    if errors:
        raise InvalidInput(" ".join(error.message for error in errors), errors)
    values: dict[str, Any] = {"weights": weights, "rules": rules}
    for name in (
        "allow_self_matching",
        "requests_need_approval",
        "accepted_requests_need_kickoff",
        "request_expiry_days",
    ):
        value = getattr(change, name)
        if value is not None:
            values[name] = value
    if stored is None:
        return MatchingSettings.objects.create(program=program, **values)
    for name, value in values.items():
        setattr(stored, name, value)
    stored.save(update_fields=[*values, "updated_at"])
    return stored
