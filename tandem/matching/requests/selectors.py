"""Every read about self-matching: a mentee's suggestions, the rules a pair must pass, and the
lists of match requests each person (mentee, mentor, manager) sees. Scoped to the caller's
organisation; single requests come through `permissions.match_request_access`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from tandem.matching import adapters
from tandem.matching.engine import Explanation, explain, rank_mentors
from tandem.matching.fit import Fit, Reader, fit_of, max_score_of, reasons_for
from tandem.matching.models import (
    MatchingSettings,
    MatchRequest,
    RequestStatus,
)
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramStatus

# A request waits for someone in these states (and only until it expires).
OPEN_STATUSES = (RequestStatus.AWAITING_APPROVAL, RequestStatus.PENDING)

# The programme's matching settings come with it (a reverse one-to-one: one join), so a
# request's fit label costs no query of its own.
_REQUEST_RELATED = (
    "program__matching_settings",
    "mentee__user__profile",
    "mentor__user__profile",
)


_SETTINGS_CACHE = "_self_matching_settings"


def matching_settings_get(*, program: Program, fresh: bool = False) -> MatchingSettings:
    """The programme's matching settings; the defaults (unsaved, `pk` None) when it has no row
    yet. The one read of them: both halves of matching (and the runs' settings page,
    `runs.selectors.matching_settings_view`) ask here.

    Read once per programme object (a page asks for them several times); `fresh` reads the
    row again (after a write to it)."""
    cached = None if fresh else getattr(program, _SETTINGS_CACHE, None)
    if cached is None:
        found = MatchingSettings.objects.filter(program=program).first()
        cached = found if found is not None else MatchingSettings(program=program)
        setattr(program, _SETTINGS_CACHE, cached)
    return cached


def open_request_q(now: datetime.datetime | None = None) -> Q:
    """Requests still waiting for an answer: open status and not yet past their expiry."""
    return Q(status__in=OPEN_STATUSES, expires_at__gt=now or timezone.now())


def is_lapsed(match_request: MatchRequest, now: datetime.datetime | None = None) -> bool:
    """Open in the database but past its expiry (the expiry job has not run yet)."""
    return match_request.status in OPEN_STATUSES and match_request.expires_at <= (
        now or timezone.now()
    )


def program_max_score(*, program: Program) -> float:
    """The best score a pair can reach in `program` (the top of its fit scale)."""
    config = adapters.MatchingConfig.for_program(program, matching_settings_get(program=program))
    return max_score_of(config.weights)


def _settings_joined(program: Program) -> None:
    # A programme read with `select_related("program__matching_settings")` already knows its
    # settings (or that it has none): keep them as the cached ones, without a query.
    if getattr(program, _SETTINGS_CACHE, None) is not None:
        return
    if "matching_settings" in program._state.fields_cache:
        found = program._state.fields_cache["matching_settings"]
        setattr(program, _SETTINGS_CACHE, found or MatchingSettings(program=program))


def match_request_fit(match_request: MatchRequest) -> Fit | None:
    """The request's stored score on its programme's scale (`tandem.matching.fit`)."""
    _settings_joined(match_request.program)
    return fit_of(match_request.score, max_score=program_max_score(program=match_request.program))


def reader_of(match_request: MatchRequest, user: User) -> Reader:
    """Who `user` is to the request: its mentee, its mentor, or someone who manages it."""
    if user.pk == match_request.mentee.user_id:
        return Reader.MENTEE
    if user.pk == match_request.mentor.user_id:
        return Reader.MENTOR
    return Reader.MANAGER


def match_request_reasons(match_request: MatchRequest, *, reader: User) -> list[str]:
    """The request's stored reasons, said to `reader` (`tandem.matching.fit.reasons_for`)."""
    return reasons_for(
        match_request.reasons,
        reader=reader_of(match_request, reader),
        mentee_name=match_request.mentee.user.short_name,
        mentor_name=match_request.mentor.user.short_name,
    )


# --- who may self-match ------------------------------------------------------------------


def mentee_for_self_matching(
    *, actor: User, program: Program, for_update: bool = False
) -> Participant:
    """The actor's mentee place in `program` when they may look for a mentor, or why not.

    Forbidden (403) when the actor is not an enrolled mentee here; DomainError (400) when the
    programme does not offer self-matching or is not running; Conflict (409) when the mentee
    already has a mentor. `program` has passed `program_access`.
    """
    queryset = Participant.objects.select_related("user").filter(
        program=program,
        user=actor,
        role=ParticipantRole.MENTEE,
        status=ParticipantStatus.ACTIVE,
        program__organization_id=organization_id_of(actor),
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    mentee = queryset.first()
    if mentee is None:
        raise Forbidden(f"Only mentees enrolled in {program.name} can look for a mentor there.")
    mentee.program = program  # one programme object, so its settings are read once
    refusal = self_matching_refusal(program=program)
    if refusal is not None:
        raise refusal
    if mentee.matched_count >= 1:
        raise Conflict(f"You already have a mentor in {program.name}.")
    return mentee


def self_matching_refusal(*, program: Program) -> DomainError | None:
    """Why mentees of `program` cannot choose a mentor themselves right now, or None."""
    if program.status != ProgramStatus.PUBLISHED:
        return DomainError(f"{program.name} is not running, so nobody can be matched in it.")
    if not matching_settings_get(program=program).allow_self_matching:
        return DomainError(
            f"In {program.name} the programme's managers match mentees with mentors; "
            "mentees do not choose a mentor themselves."
        )
    return None


# --- the rules a pair must pass ----------------------------------------------------------


def mentor_refusal(*, mentor: Participant) -> DomainError | None:
    """Why nobody may ask `mentor` right now (left, paused, full), or None.

    Capacity here is only the friendly early answer; the database's CHECK on matched_count
    is what keeps a mentor within capacity when requests are accepted.
    """
    name = str(mentor.user)
    if mentor.status != ParticipantStatus.ACTIVE:
        return Conflict(f"{name} is not an enrolled mentor in {mentor.program.name}.")
    if not mentor.is_accepting_mentees:
        return Conflict(f"{name} is not taking new mentees right now.")
    if mentor.matched_count >= (mentor.capacity or 0):
        return Conflict(f"{name} has no mentee places left.")
    return None


def _exclusion_sentence(why: str, mentor_name: str) -> str:
    """The adapter's reason a pair is forbidden, said to the mentee."""
    sentences = {
        adapters.EXCLUDED_DECLINED: f"{mentor_name} has asked not to be suggested to you.",
        adapters.EXCLUDED_BY_RULE: (
            f"the programme's managers have ruled out pairing you with {mentor_name}."
        ),
        adapters.EXCLUDED_EARLIER: f"you have already been paired with {mentor_name} here.",
        adapters.EXCLUDED_REPORTING_LINE: (
            f"{mentor_name} is in your reporting line, so cannot be your mentor."
        ),
    }
    return sentences.get(why, adapters.EXCLUSION_LABELS.get(why, why))


# --- request lists -----------------------------------------------------------------------


def _requests_in_org(actor: User) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(
        program__organization_id=organization_id_of(actor)
    ).select_related(*_REQUEST_RELATED)


def match_request_list_incoming(
    *, actor: User, program: Program | None = None
) -> QuerySet[MatchRequest]:
    """Requests waiting for the actor's answer as a mentor, oldest first: pending, not expired,
    and from mentees still without a mentor (one matched another way is not shown)."""
    queryset = _requests_in_org(actor).filter(
        open_request_q(), mentor__user=actor, status=RequestStatus.PENDING, mentee__matched_count=0
    )
    if program is not None:
        queryset = queryset.filter(program=program)
    return queryset.order_by("created_at", "pk")


def match_request_list_for_member(
    *, actor: User, direction: str = "", status: str = ""
) -> QuerySet[MatchRequest]:
    """Every request the actor sent (as a mentee) or received (as a mentor), newest first.

    `direction` "incoming" keeps the received ones, "outgoing" the sent ones. `status` keeps
    one status; "expired" includes open requests already past their expiry.
    """
    # Each side by its own indexed look-up, joined by a UNION: an OR across the two joins
    # would make PostgreSQL read every request and participant of the database.
    received = MatchRequest.objects.filter(mentor__user=actor).order_by().values("pk")
    sent = MatchRequest.objects.filter(mentee__user=actor).order_by().values("pk")
    mine = Q(pk__in=received.union(sent))
    if direction == "incoming":
        mine = Q(mentor__user=actor)
    elif direction == "outgoing":
        mine = Q(mentee__user=actor)
    return _filter_status(_requests_in_org(actor).filter(mine), status).order_by(
        "-created_at", "-pk"
    )


@dataclass(frozen=True)
class WaitingRequests:
    """The requests waiting on someone that the home page shows the actor: those they sent
    (waiting for the mentor or a manager) and those waiting for their answer as a mentor."""

    sent: list[MatchRequest]
    received: list[MatchRequest]


def match_request_waiting_for_member(*, actor: User) -> WaitingRequests:
    """The actor's open requests, both ways, oldest first: one query."""
    waiting = list(
        match_request_list_for_member(actor=actor)
        .filter(open_request_q())
        .order_by("created_at", "pk")
    )
    return WaitingRequests(
        sent=[item for item in waiting if item.mentee.user_id == actor.pk],
        received=[
            item
            for item in waiting
            if item.mentor.user_id == actor.pk
            and item.status == RequestStatus.PENDING
            # one matched another way is not waiting for this mentor any more
            and item.mentee.matched_count == 0
        ],
    )


def match_request_list_for_mentee(*, actor: User, program: Program) -> QuerySet[MatchRequest]:
    """The requests the actor sent in `program`, newest first."""
    return (
        _requests_in_org(actor)
        .filter(program=program, mentee__user=actor)
        .order_by("-created_at", "-pk")
    )


def match_request_list_for_program(
    *, actor: User, program: Program, status: str = ""
) -> QuerySet[MatchRequest]:
    """A programme's requests for its managers (who passed `program_access(manage=True)`)."""
    queryset = _requests_in_org(actor).filter(program=program)
    return _filter_status(queryset, status).order_by("created_at", "pk")


def _filter_status(queryset: QuerySet[MatchRequest], status: str) -> QuerySet[MatchRequest]:
    if status not in RequestStatus.values:
        return queryset
    now = timezone.now()
    if status == RequestStatus.EXPIRED:
        return queryset.filter(
            Q(status=RequestStatus.EXPIRED) | Q(status__in=OPEN_STATUSES, expires_at__lte=now)
        )
    if status in OPEN_STATUSES:
        return queryset.filter(status=status, expires_at__gt=now)
    return queryset.filter(status=status)


def open_request_count(*, mentee: Participant) -> int:
    return MatchRequest.objects.filter(open_request_q(), mentee=mentee).count()


# --- suggestions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One mentor suggested to a mentee: how well they fit and why."""

    mentor: Participant
    score: float
    reasons: list[str]  # said to the mentee (tandem.matching.fit.reasons_for)
    contributions: dict[str, float]
    open_request: MatchRequest | None = None
    fit: Fit | None = None


@dataclass(frozen=True)
class Suggestions:
    """What the suggestions page and endpoint show a mentee."""

    mentee: Participant
    suggestions: list[Suggestion] = field(default_factory=list)
    open_requests: list[MatchRequest] = field(default_factory=list)


def _problem_for_mentee(*, mentee: Participant) -> adapters.BuiltProblem:
    """The programme's mentors against this one mentee, as the engine's problem.

    The adapter decides who may take part (mentors accepting mentees with a free place) and
    which pairs are forbidden (reporting line, excluded, declined, paired before); only this
    mentee's row is built, so a page costs the same whatever the number of mentees.
    """
    program = mentee.program
    pool = adapters.matching_pool(program=program)
    mine = adapters.Pool(
        mentee_ids=(mentee.pk,),
        mentor_ids=pool.mentor_ids,
        capacity=pool.capacity,
        exclusions=tuple(item for item in pool.exclusions if item[0] == mentee.pk),
    )
    config = adapters.MatchingConfig.for_program(program, matching_settings_get(program=program))
    return adapters.matching_problem_build(program=program, pool=mine, config=config)


def contributions_of(explanation: Explanation) -> dict[str, float]:
    """Criterion name -> its part of the score, as stored and sent (JSON keys are strings)."""
    return {str(getattr(k, "value", k)): float(v) for k, v in explanation.contributions.items()}


def pair_explanation(*, mentee: Participant, mentor: Participant) -> Explanation:
    """How well `mentor` fits `mentee` and why, or the reason they may not be paired.

    Raises the refusal (Conflict: left, paused, full; InvalidInput on mentor_participant_id:
    a forbidden pair) so a request can only go to a mentor the mentee could be suggested.
    """
    refusal = mentor_refusal(mentor=mentor)
    if refusal is not None:
        raise refusal
    built = _problem_for_mentee(mentee=mentee)
    if mentor.pk not in built.mentor_index:
        raise Conflict(f"{mentor.user} has no mentee places left.")
    mentor_index = built.mentor_index[mentor.pk]
    why = built.forbidden_reason.get((0, mentor_index))
    if why is not None:
        raise InvalidInput.for_field(
            "mentor_participant_id",
            f"You cannot ask {mentor.user}: {_exclusion_sentence(why, str(mentor.user))}",
        )
    explanation = explain(built.problem, 0, mentor_index)
    if not explanation.allowed:
        because = (explanation.blocked_because or "A programme rule rules the pair out").rstrip(".")
        raise InvalidInput.for_field(
            "mentor_participant_id",
            f"You cannot ask {mentor.user}: {because[:1].lower()}{because[1:]}.",
        )
    return explanation


def suggestion_list_for_mentee(*, actor: User, program: Program) -> Suggestions:
    """The actor's best mentors in `program`, best first, with the score and the reasons.

    Only mentors accepting mentees with a place left, never a forbidden pair; as many as the
    programme shows (`suggestions_shown`). Mentors the mentee has already asked are marked
    with that request. Raises what `mentee_for_self_matching` raises.
    """
    mentee = mentee_for_self_matching(actor=actor, program=program)
    limit = matching_settings_get(program=program).suggestions_shown
    built = _problem_for_mentee(mentee=mentee)
    open_requests = list(
        match_request_list_for_mentee(actor=actor, program=program).filter(open_request_q())
    )
    if not built.mentor_ids or limit <= 0:
        return Suggestions(mentee=mentee, open_requests=open_requests)
    mentor_rows, scores = rank_mentors(built.problem, 0, limit=limit)
    ranked_ids = [built.mentor_ids[int(j)] for j in mentor_rows]
    mentors = Participant.objects.select_related("user", "user__profile").in_bulk(ranked_ids)
    asked = {match_request.mentor_id: match_request for match_request in open_requests}
    max_score = program_max_score(program=program)
    suggestions = []
    for j, score in zip(mentor_rows, scores, strict=True):
        explanation = explain(built.problem, 0, int(j))
        if not explanation.allowed:
            continue
        mentor_id = built.mentor_ids[int(j)]
        mentor = mentors[mentor_id]
        suggestions.append(
            Suggestion(
                mentor=mentor,
                score=round(float(score), 2),
                reasons=reasons_for(
                    explanation.reasons,
                    reader=Reader.MENTEE,
                    mentee_name=mentee.user.short_name,
                    mentor_name=mentor.user.short_name,
                ),
                contributions=contributions_of(explanation),
                open_request=asked.get(mentor_id),
                fit=fit_of(float(score), max_score=max_score),
            )
        )
    return Suggestions(mentee=mentee, suggestions=suggestions, open_requests=open_requests)


def mentor_get_for_actor(*, actor: User, program: Program) -> Participant | None:
    """The actor's mentor place in `program` (any status), or None."""
    return (
        Participant.objects.select_related("user", "program")
        .filter(
            program=program,
            user=actor,
            role=ParticipantRole.MENTOR,
            program__organization_id=organization_id_of(actor),
        )
        .first()
    )
