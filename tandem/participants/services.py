"""Every write about participants: enrolment, direct placement, approval, decline, withdrawal.

A participant's status moves only along `models.PARTICIPANT_LIFECYCLE`, applied by `_transition`.
"""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.core.transactions import atomic_with_retry, locking
from tandem.participants import selectors
from tandem.participants.models import (
    PARTICIPANT_LIFECYCLE,
    Answer,
    Participant,
    ParticipantRole,
    ParticipantStatus,
)
from tandem.participants.permissions import participant_access
from tandem.programs.models import (
    EnrollmentQuestion,
    Program,
    ProgramAccess,
    ProgramStatus,
    QuestionKind,
)
from tandem.programs.permissions import program_access
from tandem.webhooks.events import PersonEnrolledData, PersonRef, ProgramRef
from tandem.webhooks.services import webhook_emit

MAX_CAPACITY = 100
MAX_TEXT_ANSWER = 5000
MAX_NOTE = 2000
SCALE_MIN, SCALE_MAX = 1, 5

S = ParticipantStatus


def _tell_enrolled(participant: Participant, program: Program) -> None:
    """The "person.enrolled" webhook, in the caller's transaction, once a person becomes an
    active participant (enrolled, approved or added)."""
    enrolled_at = participant.enrolled_at
    if participant.status != S.ACTIVE or enrolled_at is None:
        return

    def data() -> PersonEnrolledData:
        person = participant.user
        return PersonEnrolledData(
            participant_id=participant.pk,
            person=PersonRef(id=person.pk, email=person.email),
            program=ProgramRef(id=program.pk, name=program.name),
            role="mentor" if participant.role == ParticipantRole.MENTOR else "mentee",
            enrolled_at=enrolled_at,
        )

    webhook_emit(organization_id=program.organization_id, event_type="person.enrolled", data=data)


def _transition(participant: Participant, action: str, to_status: str) -> None:
    """Move `participant` to `to_status` for `action`, or raise Conflict naming both states."""
    move = PARTICIPANT_LIFECYCLE.find(participant.status, action, to_status)
    if move is None:
        # Refused only: naming the person and programme may load them.
        raise PARTICIPANT_LIFECYCLE.refuse(
            participant.status,
            verb=action,
            target=to_status,
            subject=str(participant.user),
            context={"program": participant.program.name},
        )
    participant.status = move.target


# --- validation --------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def _is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _options(question: EnrollmentQuestion) -> list[str]:
    return [str(choice) for choice in (question.choices or [])]


def _check_answer(
    question: EnrollmentQuestion, value: Any, skill_ids: set[int]
) -> tuple[Any, str | None]:
    """The answer as stored, and an error message naming the question when it is wrong."""
    prompt = f"'{question.prompt}'"
    kind = question.kind
    if kind == QuestionKind.TEXT:
        if not isinstance(value, str):
            return None, f"{prompt} must be text."
        value = value.strip()
        if len(value) > MAX_TEXT_ANSWER:
            return None, f"{prompt} must be at most {MAX_TEXT_ANSWER} characters."
        return value, None
    if kind == QuestionKind.SINGLE_CHOICE:
        options = _options(question)
        if not isinstance(value, str) or value not in options:
            return None, f"{prompt}: '{value}' is not one of the options ({', '.join(options)})."
        return value, None
    if kind == QuestionKind.MULTIPLE_CHOICE:
        options = _options(question)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"{prompt} must be a list of options."
        unknown = [v for v in value if v not in options]
        if unknown:
            listed = ", ".join(f"'{v}'" for v in unknown)
            return None, f"{prompt}: {listed} not among the options ({', '.join(options)})."
        return list(dict.fromkeys(value)), None
    if kind == QuestionKind.SCALE:
        if not _is_whole_number(value) or not SCALE_MIN <= value <= SCALE_MAX:
            return None, f"{prompt} must be a whole number from {SCALE_MIN} to {SCALE_MAX}."
        return value, None
    if kind == QuestionKind.NUMBER:
        if not _is_whole_number(value):
            return None, f"{prompt} must be a whole number."
        low, high = question.min_value, question.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                return None, f"{prompt} must be between {low} and {high}."
            if low is not None:
                return None, f"{prompt} must be at least {low}."
            return None, f"{prompt} must be at most {high}."
        return value, None
    if kind == QuestionKind.SKILLS:
        if not isinstance(value, list) or not all(_is_whole_number(v) for v in value):
            return None, f"{prompt} must be a list of skill ids."
        unknown_ids = [v for v in value if v not in skill_ids]
        if unknown_ids:
            listed = ", ".join(str(v) for v in unknown_ids)
            return None, f"{prompt}: skill {listed} is not in your organisation's skill list."
        return list(dict.fromkeys(value)), None
    return None, f"{prompt} has a kind of answer Tandem does not know ({kind})."


def _clean_answers(
    *, actor: User, program: Program, role: str, answers: Mapping[Any, Any]
) -> tuple[dict[int, Any], list[FieldError]]:
    """Check the answers against the questions that apply to `role`. One error per question."""
    questions = selectors.questions_for_role(program=program, role=role)
    by_id = {question.pk: question for question in questions}
    errors: list[FieldError] = []
    given: dict[int, Any] = {}
    for key, value in answers.items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            errors.append(FieldError(f"answers.{key}", f"'{key}' is not a question id."))
            continue
        if question_id not in by_id:
            errors.append(
                FieldError(
                    f"answers.{question_id}",
                    f"Question {question_id} is not on {program.name}'s form for {role}s.",
                )
            )
            continue
        given[question_id] = value
    skill_ids: set[int] = set()
    if any(q.kind == QuestionKind.SKILLS for q in questions):
        skill_ids = {pk for pk, _ in selectors.skill_choices_for_org(actor=actor)}
    cleaned: dict[int, Any] = {}
    for question in questions:
        value = given.get(question.pk)
        if _is_blank(value):
            if question.is_required:
                errors.append(
                    FieldError(f"answers.{question.pk}", f"'{question.prompt}' is required.")
                )
            continue
        stored, message = _check_answer(question, value, skill_ids)
        if message is not None:
            errors.append(FieldError(f"answers.{question.pk}", message))
        else:
            cleaned[question.pk] = stored
    return cleaned, errors


def _check_role(role: str) -> list[FieldError]:
    if role in ParticipantRole.values:
        return []
    return [FieldError("role", f"Choose whether you join as a mentor or a mentee, not '{role}'.")]


def _clean_capacity(
    *, program: Program, role: str, capacity: int | None
) -> tuple[int | None, list[FieldError]]:
    if role != ParticipantRole.MENTOR:
        return None, []
    if capacity is None:
        capacity = program.default_mentor_capacity
    if not _is_whole_number(capacity) or capacity < 1:
        return None, [FieldError("capacity", "A mentor's capacity must be at least 1 mentee.")]
    if capacity > MAX_CAPACITY:
        return None, [
            FieldError("capacity", f"A mentor's capacity can be at most {MAX_CAPACITY} mentees.")
        ]
    return capacity, []


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(" ".join(error.message for error in errors), errors)


def _check_length(field: str, label: str, text: str) -> list[FieldError]:
    if len(text) > MAX_NOTE:
        return [FieldError(field, f"The {label} can be at most {MAX_NOTE} characters.")]
    return []


def _replace_answers(participant: Participant, answers: dict[int, Any]) -> None:
    Answer.objects.filter(participant=participant).delete()
    Answer.objects.bulk_create(
        Answer(participant=participant, question_id=question_id, value=value)
        for question_id, value in answers.items()
    )


# --- enrolment ---------------------------------------------------------------------------


@atomic_with_retry
def participant_enroll(
    *,
    actor: User,
    program_id: int,
    role: str,
    capacity: int | None = None,
    motivation: str = "",
    answers: Mapping[Any, Any] | None = None,
) -> Participant:
    """Enrol the actor themself in a programme as mentor or mentee, with their answers.

    Open programmes enrol at once (active); application programmes record an application
    (pending) for a manager to decide; invitation-only programmes accept only people holding
    an invitation (which becomes active). Someone who withdrew enrols again on the same row.
    Raises NotFound for a programme the actor cannot see, DomainError (400) when the
    programme is not taking people (archived, draft, window closed, invitation only),
    Conflict when they already hold a place, and InvalidInput listing every wrong field.
    """
    program = program_access(actor=actor, program_id=program_id)
    existing = locking(Participant.objects.filter(program=program, user=actor)).first()
    refusal = selectors.enrollment_refusal(program=program, participation=existing, person=actor)
    if refusal is not None:
        raise refusal
    if existing is not None and existing.status in selectors.HOLDING_STATUSES:
        raise Conflict(
            f"You are already in {program.name} as a {existing.get_role_display().lower()} "
            f"(status: {existing.get_status_display().lower()})."
        )

    motivation = (motivation or "").strip()
    errors = _check_role(role)
    if (
        not errors
        and existing is not None
        and existing.status == S.INVITED
        and role != existing.role
    ):
        errors.append(
            FieldError(
                "role",
                f"You were invited to {program.name} as a "
                f"{existing.get_role_display().lower()}; enrol in that role or ask its "
                "managers to change the invitation.",
            )
        )
    capacity, capacity_errors = _clean_capacity(program=program, role=role, capacity=capacity)
    errors += capacity_errors
    if program.access == ProgramAccess.APPLICATION and not motivation:
        errors.append(
            FieldError(
                "motivation",
                f"Tell {program.name}'s managers why you want to join: applications need "
                "a motivation.",
            )
        )
    errors += _check_length("motivation", "motivation", motivation)
    cleaned: dict[int, Any] = {}
    if role in ParticipantRole.values:
        cleaned, answer_errors = _clean_answers(
            actor=actor, program=program, role=role, answers=answers or {}
        )
        errors += answer_errors
    _raise_if(errors)

    if existing is not None and existing.status == S.INVITED:
        target = S.ACTIVE
    elif program.access == ProgramAccess.APPLICATION:
        target = S.PENDING
    else:
        target = S.ACTIVE
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    program=program,
                    user=actor,
                    role=role,
                    status=target,
                    capacity=capacity,
                    motivation=motivation,
                    enrolled_at=now,
                )
        except IntegrityError as exc:
            raise Conflict(f"You are already in {program.name}.") from exc
    else:
        participant = existing
        _transition(participant, "enrol", target)
        participant.role = role
        participant.capacity = capacity
        participant.motivation = motivation
        participant.enrolled_at = now
        participant.decided_at = None
        participant.decided_by = None
        participant.decision_note = ""
        participant.withdrawn_at = None
        participant.withdrawal_reason = ""
        participant.save(
            update_fields=[
                "status",
                "role",
                "capacity",
                "motivation",
                "enrolled_at",
                "decided_at",
                "decided_by",
                "decision_note",
                "withdrawn_at",
                "withdrawal_reason",
                "updated_at",
            ]
        )
    _replace_answers(participant, cleaned)
    _tell_enrolled(participant, program)
    return participant


@atomic_with_retry
def participant_add(
    *,
    actor: User,
    program_id: int,
    role: str,
    user_id: int | None = None,
    email: str | None = None,
    capacity: int | None = None,
) -> Participant:
    """A manager places someone from the organisation in a programme directly.

    In an invitation-only programme this records an invitation (status invited) that the
    person completes by enrolling; otherwise they are enrolled (active) at once. Name the
    person by `user_id` or `email`. Someone who withdrew or was declined is placed again on
    their existing row; someone who already holds a place, applied, or was invited is a
    Conflict.
    """
    program = program_access(actor=actor, program_id=program_id, manage=True)
    if program.status == ProgramStatus.ARCHIVED:
        raise Conflict(f"{program.name} has been archived; it no longer takes participants.")
    errors = _check_role(role)
    email = (email or "").strip()
    if user_id is None and not email:
        errors.append(FieldError("email", "Give the email of the person to add."))
    capacity, capacity_errors = _clean_capacity(program=program, role=role, capacity=capacity)
    errors += capacity_errors
    _raise_if(errors)

    people = User.objects.filter(organization_id=organization_id_of(actor))
    person = (
        people.filter(pk=user_id).first()
        if user_id is not None
        else people.filter(email__iexact=email).first()
    )
    if person is None:
        raise NotFound(
            f"No one in your organisation has the email {email}."
            if user_id is None
            else "No such person in your organisation."
        )
    if not person.is_active:
        raise InvalidInput.for_field(
            "email", f"{person}'s account is deactivated; reactivate it before adding them."
        )

    target = S.INVITED if program.access == ProgramAccess.INVITATION else S.ACTIVE
    enrolled_at = None if target == S.INVITED else timezone.now()
    existing = locking(Participant.objects.filter(program=program, user=person)).first()
    if existing is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    program=program,
                    user=person,
                    role=role,
                    status=target,
                    capacity=capacity,
                    enrolled_at=enrolled_at,
                )
        except IntegrityError as exc:
            raise Conflict(f"{person} is already in {program.name}.") from exc
        _tell_enrolled(participant, program)
        return participant
    participant = existing
    participant.program = program
    participant.user = person
    if participant.status in (S.ACTIVE, S.PENDING, S.INVITED):
        verb: dict[str, str] = {
            S.ACTIVE: "enrolled",
            S.PENDING: "awaiting approval",
            S.INVITED: "invited",
        }
        raise Conflict(
            f"{person} is already {verb[participant.status]} in {program.name} as a "
            f"{participant.get_role_display().lower()}."
            + (" Approve their application instead." if participant.status == S.PENDING else "")
        )
    _transition(participant, "add", target)
    participant.role = role
    participant.capacity = capacity
    participant.enrolled_at = enrolled_at
    participant.withdrawn_at = None
    participant.withdrawal_reason = ""
    participant.decided_at = None
    participant.decided_by = None
    participant.decision_note = ""
    participant.save(
        update_fields=[
            "status",
            "role",
            "capacity",
            "enrolled_at",
            "withdrawn_at",
            "withdrawal_reason",
            "decided_at",
            "decided_by",
            "decision_note",
            "updated_at",
        ]
    )
    _tell_enrolled(participant, program)
    return participant


# --- decisions and withdrawal ------------------------------------------------------------


def _decide(
    *, actor: User, participant_id: int, note: str, action: str, target: str
) -> Participant:
    participant = participant_access(
        actor=actor, participant_id=participant_id, manage=True, for_update=True
    )
    note = (note or "").strip()
    _raise_if(_check_length("note", "note", note))
    _transition(participant, action, target)
    participant.decided_at = timezone.now()
    participant.decided_by = actor
    participant.decision_note = note
    update_fields = ["status", "decided_at", "decided_by", "decision_note", "updated_at"]
    if target == S.ACTIVE:
        participant.enrolled_at = participant.decided_at
        update_fields.append("enrolled_at")
    participant.save(update_fields=update_fields)
    _tell_enrolled(participant, participant.program)
    return participant


@atomic_with_retry
def participant_approve(*, actor: User, participant_id: int, note: str = "") -> Participant:
    """Accept a pending application: the person becomes an enrolled participant.

    Managers of the programme and organisation admins only; anything but a pending
    application is a Conflict.
    """
    return _decide(
        actor=actor, participant_id=participant_id, note=note, action="approve", target=S.ACTIVE
    )


@atomic_with_retry
def participant_decline(*, actor: User, participant_id: int, note: str = "") -> Participant:
    """Turn down a pending application, optionally saying why (the note is kept on the row).

    Managers of the programme and organisation admins only; anything but a pending
    application is a Conflict.
    """
    return _decide(
        actor=actor,
        participant_id=participant_id,
        note=note,
        action="decline",
        target=S.DECLINED,
    )


@atomic_with_retry
def participant_withdraw(*, actor: User, participant_id: int, reason: str = "") -> Participant:
    """Take someone out of a programme: the person themself, or one of its managers.

    The row is kept (history, metrics) with status withdrawn and the time; enrolling again
    reopens it. An invited or pending person may withdraw too.
    """
    participant = participant_access(actor=actor, participant_id=participant_id, for_update=True)
    reason = (reason or "").strip()
    _raise_if(_check_length("reason", "reason", reason))
    _transition(participant, "withdraw", S.WITHDRAWN)
    participant.withdrawn_at = timezone.now()
    participant.withdrawal_reason = reason
    participant.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    return participant


# --- a mentor's own controls -------------------------------------------------------------


def _mentor_for_controls(*, actor: User, participant_id: int) -> Participant:
    participant = participant_access(actor=actor, participant_id=participant_id, for_update=True)
    if participant.role != ParticipantRole.MENTOR:
        raise Conflict(
            f"{participant.user} is a mentee in {participant.program.name}; only mentors take "
            "mentees."
        )
    return participant


@atomic_with_retry
def participant_set_accepting(*, actor: User, participant_id: int, accepting: bool) -> Participant:
    """Pause or resume a mentor's availability for new mentees (the mentor or a manager).

    A paused mentor keeps their current mentees and the requests already waiting for them,
    but is not suggested to mentees and new requests to them are refused.
    """
    participant = _mentor_for_controls(actor=actor, participant_id=participant_id)
    participant.is_accepting_mentees = accepting
    participant.save(update_fields=["is_accepting_mentees", "updated_at"])
    return participant


@atomic_with_retry
def participant_set_capacity(*, actor: User, participant_id: int, capacity: int) -> Participant:
    """Change how many mentees a mentor takes (the mentor or a manager).

    Never below the mentees they already have: the UPDATE itself carries that condition (and
    the database's CHECK backs it), so a relationship opened at the same moment cannot slip
    under it. Raises InvalidInput outside 1..MAX_CAPACITY, Conflict below matched_count.
    """
    participant = _mentor_for_controls(actor=actor, participant_id=participant_id)
    if not _is_whole_number(capacity) or capacity < 1:
        raise InvalidInput.for_field("capacity", "A mentor's capacity must be at least 1 mentee.")
    if capacity > MAX_CAPACITY:
        raise InvalidInput.for_field(
            "capacity", f"A mentor's capacity can be at most {MAX_CAPACITY} mentees."
        )
    try:
        with transaction.atomic():
            updated = Participant.objects.filter(
                pk=participant.pk, matched_count__lte=capacity
            ).update(capacity=capacity, updated_at=timezone.now())
    except IntegrityError:
        updated = 0
    if not updated:
        current = Participant.objects.values_list("matched_count", flat=True).get(pk=participant.pk)
        raise Conflict(
            f"{participant.user} already has {current} mentee{'' if current == 1 else 's'} in "
            f"{participant.program.name}, so their capacity cannot go below {current}.",
            [FieldError("capacity", f"The capacity cannot be below {current} (current mentees).")],
        )
    participant.refresh_from_db(fields=["capacity", "updated_at", "matched_count"])
    return participant
