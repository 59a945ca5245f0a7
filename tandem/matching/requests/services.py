"""Every write about self-matching: a mentee asks a suggested mentor; the mentor accepts or
declines; the mentee may withdraw; a manager approves first when the programme asks for it;
requests lapse after the programme's expiry period. Each step tells the people it concerns
through the notifications outbox, in the step's own transaction (see "messages" below).

Accepting opens the relationship through `relationship_propose`, whose F() update the
database's CHECK on matched_count refuses when the mentor is full: that, not a count read
beforehand, is what keeps a mentor within capacity when several requests are accepted at once.
"""

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tandem.core.transactions import atomic_with_retry, lock_rows
from tandem.matching.models import MatchRequest, RequestStatus, SuggestionDecline
from tandem.matching.requests import selectors
from tandem.matching.requests.lifecycle import REQUEST_DONE, REQUEST_LIFECYCLE
from tandem.matching.requests.permissions import match_request_access
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import OutboxItem, outbox_enqueue_many
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.permissions import participant_access
from tandem.programs.models import Program
from tandem.programs.permissions import can_manage_program, program_access
from tandem.programs.selectors import program_for_email
from tandem.relationships.announcements import MATCH_ANNOUNCED, match_announced_key
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose, relationship_transition

# A mentee may wait on this many mentors at once; more would hold places others could use.
MAX_OPEN_REQUESTS = 3
MAX_MESSAGE = 2000

_REQUEST_FIELDS = ["status", "decided_at", "response_message", "updated_at"]


def _clean_text(field: str, label: str, text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise InvalidInput.for_field(field, f"The {label} can be at most {MAX_MESSAGE} characters.")
    return text


def _human_date(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


def _require_waiting(
    match_request: MatchRequest,
    *,
    action: str,
    now: datetime.datetime,
) -> str:
    """The status `action` leads to: Conflict when the request is past its expiry or
    `REQUEST_LIFECYCLE` does not allow it from the request's status."""
    if selectors.is_lapsed(match_request, now) or match_request.status == RequestStatus.EXPIRED:
        raise Conflict(
            f"This request expired on {_human_date(match_request.expires_at)}; it can no "
            f"longer be {REQUEST_DONE[action]}."
        )
    return REQUEST_LIFECYCLE.apply(match_request.status, action).target


def _require_mentor(actor: User, match_request: MatchRequest, verb: str) -> None:
    if actor.pk != match_request.mentor.user_id:
        raise Forbidden(f"Only {match_request.mentor.user}, the mentor asked, can {verb} it.")


def _require_manager(actor: User, match_request: MatchRequest, verb: str) -> None:
    if not can_manage_program(actor, match_request.program):
        raise Forbidden(
            f"Only {match_request.program.name}'s managers and organisation admins can {verb} "
            "requests."
        )


def _lock_pair_then_request(*, actor: User, request_id: int) -> MatchRequest:
    """The request, locked, after its programme's row and its two people's rows: the lock
    order of docs/architecture.md ("Lock order"): programme, then participants in ascending
    id, then match requests, then relationships. Every decision on a request (accept,
    decline, withdraw, approve, reject) takes its locks through here.

    Accepting updates both people's rows (as `relationship_propose` does), then all the
    mentee's open requests; declining or withdrawing another of the mentee's requests at the
    same moment would otherwise hold that request while the accept holds the people, and each
    would wait for the other. Taken in one order, the second one waits, then finds the state
    the first one left (a withdrawn request, a mentee with a mentor). The locks only order the
    writers: whether a place is left is still decided by the database's CHECK.
    """
    seen = match_request_access(actor=actor, request_id=request_id)
    lock_rows(Program, [seen.program_id])
    lock_rows(Participant, [seen.mentor_id, seen.mentee_id])
    return match_request_access(actor=actor, request_id=request_id, for_update=True)


def _save(match_request: MatchRequest, fields: list[str] = _REQUEST_FIELDS) -> None:
    match_request.save(update_fields=fields)


def _expire_lapsed(queryset: Any, now: datetime.datetime) -> int:
    # Called with the mentee's row locked: their requests are theirs to change, in id order.
    lapsed = queryset.filter(status__in=selectors.OPEN_STATUSES, expires_at__lte=now)
    ids = list(lapsed.order_by("pk").values_list("pk", flat=True))
    lock_rows(MatchRequest, ids)
    return int(
        MatchRequest.objects.filter(
            pk__in=ids, status__in=selectors.OPEN_STATUSES, expires_at__lte=now
        ).update(status=RequestStatus.EXPIRED, updated_at=now)
    )


# --- the mentee's side -------------------------------------------------------------------


@atomic_with_retry
def match_request_create(
    *, actor: User, program_id: int, mentor_participant_id: int, note: str = ""
) -> MatchRequest:
    """The actor, a mentee without a mentor, asks one of the programme's mentors.

    Refused when self-matching is off (400), when the actor is not an enrolled mentee (403),
    the mentor is unknown here (404), paused, full or already asked (409), the pair is ruled
    out (declined for good, excluded, paired before, management line: 400), or the mentee
    already has MAX_OPEN_REQUESTS open requests (409). Waits for a manager first when the
    programme asks for approval (its managers are told); otherwise the mentor is told.
    """
    program = program_access(actor=actor, program_id=program_id)
    # Locking the mentee's row serialises their requests, so the open-request limit holds.
    mentee = selectors.mentee_for_self_matching(actor=actor, program=program, for_update=True)
    note = _clean_text("note", "note", note)
    mentor = (
        Participant.objects.select_related("user", "program")
        .filter(pk=mentor_participant_id, program=program, role=ParticipantRole.MENTOR)
        .first()
    )
    if mentor is None:
        raise NotFound(f"No such mentor in {program.name}.")
    refusal = selectors.mentor_refusal(mentor=mentor)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    # Requests past their expiry stop counting, and stop holding their pair, right here.
    _expire_lapsed(MatchRequest.objects.filter(mentee=mentee), now)
    if (
        MatchRequest.objects.filter(mentee=mentee, status__in=selectors.OPEN_STATUSES)
        .filter(mentor=mentor)
        .exists()
    ):
        raise Conflict(
            f"You have already asked {mentor.user}; wait for their answer or withdraw it first."
        )
    open_count = selectors.open_request_count(mentee=mentee)
    if open_count >= MAX_OPEN_REQUESTS:
        raise Conflict(
            f"You already have {open_count} open requests, the most you can have at once. "
            "Withdraw one or wait for an answer before asking another mentor."
        )
    # The same rules and scores as the suggestions: a forbidden pair is refused here too.
    explanation = selectors.pair_explanation(mentee=mentee, mentor=mentor)
    settings = selectors.matching_settings_get(program=program)
    status = (
        RequestStatus.AWAITING_APPROVAL
        if settings.requests_need_approval
        else RequestStatus.PENDING
    )
    try:
        with transaction.atomic():
            match_request = MatchRequest.objects.create(
                program=program,
                mentee=mentee,
                mentor=mentor,
                note=note,
                status=status,
                score=explanation.score,
                contributions=selectors.contributions_of(explanation),
                reasons=list(explanation.reasons),
                expires_at=now + datetime.timedelta(days=settings.request_expiry_days),
            )
    except IntegrityError as exc:  # the same request sent twice at the same moment
        raise Conflict(
            f"You have already asked {mentor.user}; wait for their answer or withdraw it first."
        ) from exc
    if status == RequestStatus.PENDING:
        _tell([_new_request_message(match_request)])
    else:
        _tell(
            _approval_needed_message(match_request, manager)
            for manager in program.managers.order_by("email")
        )
    return match_request


@atomic_with_retry
def match_request_withdraw(*, actor: User, request_id: int) -> MatchRequest:
    """The mentee takes back a request that is still waiting (for the mentor or a manager)."""
    match_request = _lock_pair_then_request(actor=actor, request_id=request_id)
    if actor.pk != match_request.mentee.user_id:
        raise Forbidden(f"Only {match_request.mentee.user}, who sent it, can withdraw it.")
    now = timezone.now()
    to_status = _require_waiting(match_request, action="withdraw", now=now)
    match_request.status = to_status
    match_request.decided_at = now
    _save(match_request)
    return match_request


# --- the mentor's side -------------------------------------------------------------------


@atomic_with_retry
def match_request_accept(*, actor: User, request_id: int, message: str = "") -> MatchRequest:
    """The mentor accepts: the relationship opens and starts (active), and the mentee's other
    open requests are withdrawn. Both are told (the match's announcement; see
    `_accepted_messages`). A programme whose settings ask for a kick-off
    (`accepted_requests_need_kickoff`) leaves the pair proposed, for someone to start it.

    Only the mentor asked may accept (403 for the mentee and the managers). An expired,
    withdrawn, declined or unapproved request is a Conflict. When the mentor has no place
    left, `relationship_propose` raises Conflict ("… has no mentee places left …") and
    nothing changes: the request stays pending.
    """
    match_request = _lock_pair_then_request(actor=actor, request_id=request_id)
    _require_mentor(actor, match_request, "accept")
    message = _clean_text("message", "message", message)
    now = timezone.now()
    to_status = _require_waiting(match_request, action="accept", now=now)
    relationship = relationship_propose(
        mentor=match_request.mentor,
        mentee=match_request.mentee,
        source="request",
        score=match_request.score,
        explanation={
            "contributions": dict(match_request.contributions),
            "reasons": list(match_request.reasons),
        },
    )
    if not selectors.matching_settings_get(
        program=match_request.program
    ).accepted_requests_need_kickoff:
        # The mentor's accept is the pair's agreement to start: no third click.
        relationship = relationship_transition(
            actor=actor, relationship_id=relationship.pk, action="start", tell_partner=False
        )
    match_request.status = to_status
    match_request.decided_at = now
    match_request.response_message = message
    _save(match_request)
    match_requests_withdraw_for_matched(
        mentee_ids=[match_request.mentee_id],
        message=f"Withdrawn automatically: {match_request.mentor.user} became your mentor.",
        now=now,
    )
    _tell(_accepted_messages(match_request, relationship))
    return match_request


def match_requests_withdraw_for_matched(
    *, mentee_ids: Collection[int], message: str, now: datetime.datetime | None = None
) -> int:
    """Withdraw the open requests of mentees who now have a mentor (nobody could accept them
    any more). Called by whatever matched them: an accepted request, a published run, with
    the mentees' rows already locked (see "Lock order"); the requests are locked here in id
    order before they change, never in whatever order one UPDATE meets them."""
    now = now or timezone.now()
    open_requests = MatchRequest.objects.filter(
        mentee_id__in=list(mentee_ids), status__in=selectors.OPEN_STATUSES
    )
    ids = list(open_requests.order_by("pk").values_list("pk", flat=True))
    lock_rows(MatchRequest, ids)
    return MatchRequest.objects.filter(pk__in=ids, status__in=selectors.OPEN_STATUSES).update(
        status=RequestStatus.WITHDRAWN, decided_at=now, response_message=message, updated_at=now
    )


@atomic_with_retry
def match_request_decline(
    *, actor: User, request_id: int, message: str = "", do_not_suggest_again: bool = False
) -> MatchRequest:
    """The mentor says no, optionally why; `do_not_suggest_again` records a SuggestionDecline
    so this mentee is never suggested to (nor matched with) them again. The mentee is told.
    """
    match_request = _lock_pair_then_request(actor=actor, request_id=request_id)
    _require_mentor(actor, match_request, "decline")
    message = _clean_text("message", "message", message)
    now = timezone.now()
    to_status = _require_waiting(match_request, action="decline", now=now)
    match_request.status = to_status
    match_request.decided_at = now
    match_request.response_message = message
    _save(match_request)
    if do_not_suggest_again:
        SuggestionDecline.objects.get_or_create(
            mentor=match_request.mentor, mentee=match_request.mentee
        )
    _tell([_declined_message(match_request, by_manager=False)])
    return match_request


@atomic_with_retry
def suggestion_decline_create(
    *, actor: User, program_id: int, mentor_participant_id: int, mentee_participant_id: int
) -> SuggestionDecline:
    """ "Don't suggest this mentee to me again": the mentor (or a manager for them) rules out a
    pair for good. Requests between them still waiting are declined with it. Idempotent."""
    program = program_access(actor=actor, program_id=program_id)
    mentor = participant_access(actor=actor, participant_id=mentor_participant_id)
    if mentor.program_id != program.pk:
        raise NotFound("No such participant.")
    if mentor.role != ParticipantRole.MENTOR:
        raise InvalidInput.for_field(
            "mentor_participant_id", f"{mentor.user} is not a mentor in {program.name}."
        )
    mentee = Participant.objects.filter(
        pk=mentee_participant_id, program=program, role=ParticipantRole.MENTEE
    ).first()
    if mentee is None:
        raise NotFound(f"No such mentee in {program.name}.")
    # The lock order: the two people, then their requests (an accept of one of them waits).
    lock_rows(Participant, [mentor.pk, mentee.pk])
    decline, _ = SuggestionDecline.objects.get_or_create(mentor=mentor, mentee=mentee)
    now = timezone.now()
    waiting = MatchRequest.objects.filter(
        mentor=mentor, mentee=mentee, status__in=selectors.OPEN_STATUSES
    )
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    lock_rows(MatchRequest, ids)
    MatchRequest.objects.filter(pk__in=ids, status__in=selectors.OPEN_STATUSES).update(
        status=RequestStatus.DECLINED, decided_at=now, updated_at=now
    )
    return decline


# --- the manager's side ------------------------------------------------------------------


@atomic_with_retry
def match_request_approve(*, actor: User, request_id: int) -> MatchRequest:
    """A manager lets a request awaiting approval through to the mentor (pending). The expiry
    period starts again so the mentor has all of it; the mentor is told."""
    match_request = _lock_pair_then_request(actor=actor, request_id=request_id)
    _require_manager(actor, match_request, "approve")
    now = timezone.now()
    to_status = _require_waiting(match_request, action="approve", now=now)
    settings = selectors.matching_settings_get(program=match_request.program)
    match_request.status = to_status
    match_request.expires_at = now + datetime.timedelta(days=settings.request_expiry_days)
    _save(match_request, ["status", "expires_at", "updated_at"])
    _tell([_new_request_message(match_request)])
    return match_request


@atomic_with_retry
def match_request_reject(*, actor: User, request_id: int, message: str = "") -> MatchRequest:
    """A manager turns down a request awaiting approval (declined); the mentee is told."""
    match_request = _lock_pair_then_request(actor=actor, request_id=request_id)
    _require_manager(actor, match_request, "reject")
    message = _clean_text("message", "message", message)
    now = timezone.now()
    to_status = _require_waiting(match_request, action="reject", now=now)
    match_request.status = to_status
    match_request.decided_at = now
    match_request.response_message = message
    _save(match_request)
    _tell([_declined_message(match_request, by_manager=True)])
    return match_request


# --- expiry ------------------------------------------------------------------------------


@atomic_with_retry
def match_request_expire_lapsed(*, now: datetime.datetime | None = None) -> int:
    """Mark every open request past its expiry as expired; how many. A system job (no actor):
    run by `manage.py expire_match_requests` or the `match_requests_expire_task` task.
    Idempotent: a second run finds nothing to do.

    It holds no person's row, so it must never wait for a request that a decision holds
    (that decision may be waiting for another of the mentee's requests this job already
    has): on PostgreSQL it skips the requests locked right now. A skipped request is being
    decided; if it is still open and lapsed afterwards, the next run expires it, and every
    reader treats it as expired meanwhile (`selectors.is_lapsed`)."""
    now = now or timezone.now()
    lapsed = MatchRequest.objects.filter(status__in=selectors.OPEN_STATUSES, expires_at__lte=now)
    features = connection.features
    if features.has_select_for_update_skip_locked:
        free = lapsed.order_by("pk").select_for_update(
            skip_locked=True, no_key=features.has_select_for_no_key_update
        )
        lapsed = MatchRequest.objects.filter(
            pk__in=list(free.values_list("pk", flat=True)), status__in=selectors.OPEN_STATUSES
        )
    # (SQLite: one writer at a time, nothing to skip; one UPDATE.)
    return int(lapsed.update(status=RequestStatus.EXPIRED, updated_at=now))


# --- messages ----------------------------------------------------------------------------

# The rule of the outbox rows about a request. Their key is
# "match_request:<request id>:<recipient id>:<the status the request reached>" (a request reaches
# each status once), so nobody is told twice about one step. An accepted request is a match: it
# is announced under the key of the nudge rule `match_announced`, which then sends nothing more.
MATCH_REQUEST = "match_request"


def _tell(items: Iterable[OutboxItem]) -> None:
    # In the caller's transaction: a decision that rolls back tells nobody, and the emails
    # leave once it commits (a mail server that is down delays them; it fails nothing here).
    outbox_enqueue_many(list(items))


def _about(
    match_request: MatchRequest, recipient: User, *, subject: str, text: str, url: str
) -> OutboxItem:
    return OutboxItem(
        key=f"{MATCH_REQUEST}:{match_request.pk}:{recipient.pk}:{match_request.status}",
        rule=MATCH_REQUEST,
        recipient_id=recipient.pk,
        category=NotificationCategory.RELATIONSHIP,
        subject=subject,
        text=text,
        url=url,
        program=program_for_email(match_request.program),
    )


def _new_request_message(match_request: MatchRequest) -> OutboxItem:
    mentee, mentor = match_request.mentee.user, match_request.mentor.user
    program = match_request.program
    note = f'\n\nTheir note:\n"{match_request.note}"' if match_request.note else ""
    return _about(
        match_request,
        mentor,
        subject=f"{mentee} would like you as their mentor in {program.name}",
        text=f"Hello {mentor.get_short_name()},\n\n{mentee} asks you to be their mentor in "
        f"{program.name}.{note}\n\nAccept or decline by "
        f"{_human_date(match_request.expires_at)} from your mentor page on Tandem.",
        url=reverse("matching:mentor_dashboard", args=[program.pk]),
    )


def _approval_needed_message(match_request: MatchRequest, manager: User) -> OutboxItem:
    mentee, mentor = match_request.mentee.user, match_request.mentor.user
    program = match_request.program
    return _about(
        match_request,
        manager,
        subject=f"{mentee} asks for {mentor} as mentor in {program.name}: your approval is needed",
        text=f"{mentee} would like {mentor} as their mentor in {program.name}, which asks its "
        "managers to approve such requests first.\n\nApprove or reject it on the programme's "
        "'Requests to approve' page on Tandem.",
        url=reverse("matching:approvals", args=[program.pk]),
    )


def _accepted_messages(match_request: MatchRequest, relationship: Relationship) -> list[OutboxItem]:
    """The match's announcement to both people, under the keys of the nudge rule
    `match_announced` (see `tandem.relationships.announcements`)."""
    mentee, mentor = match_request.mentee.user, match_request.mentor.user
    program = match_request.program
    message = (
        f'\n\nTheir message:\n"{match_request.response_message}"'
        if match_request.response_message
        else ""
    )
    texts = (
        (
            mentee,
            f"{mentor} accepted your request in {program.name}",
            f"Hello {mentee.get_short_name()},\n\n{mentor} will be your mentor in "
            f"{program.name}.{message}\n\nSay hello and agree when you first meet.",
        ),
        (
            mentor,
            f"You are now {mentee}'s mentor in {program.name}",
            f"Hello {mentor.get_short_name()},\n\nYou accepted {mentee}'s request in "
            f"{program.name}. Write to {mentee.email} to agree when you first meet.",
        ),
    )
    return [
        OutboxItem(
            key=match_announced_key(
                relationship_id=relationship.pk,
                recipient_id=person.pk,
                opened_at=relationship.created_at,
            ),
            rule=MATCH_ANNOUNCED,
            recipient_id=person.pk,
            category=NotificationCategory.WELCOME,
            subject=subject,
            text=text,
            url=reverse("workspace:detail", args=[relationship.pk]),
            program=program_for_email(program),
        )
        for person, subject, text in texts
    ]


# How many next mentors a declined mentee is offered in the notice.
NEXT_SUGGESTIONS = 3


def _next_mentors(match_request: MatchRequest) -> list[str]:
    """The mentee's best mentors now, less the one who said no: what a decline offers next.
    None when the mentee may not ask anyone (matched meanwhile, self-matching off)."""
    try:
        found = selectors.suggestion_list_for_mentee(
            actor=match_request.mentee.user, program=match_request.program
        )
    except DomainError:
        return []
    return [
        f"{suggestion.mentor.user} ({suggestion.fit.label.lower()})"
        if suggestion.fit is not None
        else str(suggestion.mentor.user)
        for suggestion in found.suggestions
        if suggestion.mentor.pk != match_request.mentor_id and suggestion.open_request is None
    ][:NEXT_SUGGESTIONS]


def _declined_message(match_request: MatchRequest, *, by_manager: bool) -> OutboxItem:
    """The mentee is told, naming the mentor once, with the mentors they could ask next."""
    mentee, mentor = match_request.mentee.user, match_request.mentor.user
    program = match_request.program
    what = (
        f"{program.name}'s managers declined your request for {mentor} as your mentor."
        if by_manager
        else f"{mentor} declined your request to be your mentor."
    )
    reason = (
        f'\n\nTheir message:\n"{match_request.response_message}"'
        if match_request.response_message
        else ""
    )
    others = _next_mentors(match_request)
    if others:
        listing = "\n".join(f"- {name}" for name in others)
        next_step = f"Mentors you could ask next:\n{listing}\n\nAsk one from your suggestions."
    else:
        next_step = "Your suggestions page shows any mentor who frees a place or resumes."
    return _about(
        match_request,
        mentee,
        subject=f"Your request to {mentor} in {program.name} was declined",
        text=f"Hello {mentee.get_short_name()},\n\n{what}{reason}\n\n{next_step}",
        url=reverse("matching:suggestions", args=[program.pk]),
    )
