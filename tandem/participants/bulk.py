"""Bulk actions on people and participants: see exactly what will happen, then do it.

Three actions, each the one-row service run for every person chosen:
- `add`: people from the directory into a programme (`participant_add`: enrolled, or invited
  when the programme is by invitation);
- `approve`: pending applications of a programme (`participant_approve`);
- `move`: participants of a programme into another one, same role (`participant_add` there,
  then `participant_withdraw` here).

`bulk_preview` runs the rows for real, each in its own savepoint, and rolls everything back:
the preview is what the services answer, not a second copy of their rules. Each row says what
will happen to that person or why they are skipped. `bulk_apply` runs the same rows in one
transaction and keeps them, unless the outcome differs from the one the manager confirmed
(its `fingerprint`): then nothing is kept and the new preview is shown again.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import TextChoices

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.bulk import PreviewedRows
from tandem.core.errors import Conflict, DomainError, InvalidInput, NotFound
from tandem.participants import services
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramAccess
from tandem.programs.permissions import program_access

MAX_BULK = 200


class BulkAction(TextChoices):
    ADD = "add", "Add to a programme"
    APPROVE = "approve", "Approve"
    MOVE = "move", "Move to another programme"


@dataclass(frozen=True)
class BulkRow:
    user_id: int
    name: str
    email: str
    done: bool
    # What happens to this person ("enrolled as a mentee", "approved") or why they are skipped.
    outcome: str


@dataclass(frozen=True)
class BulkRequest:
    action: str
    ids: tuple[int, ...]  # user ids for `add`, participant ids otherwise
    program_id: int | None = None  # the programme the participants are in (approve, move)
    target_program_id: int | None = None  # where they go (add, move)
    role: str = ""  # `add` only


@dataclass(frozen=True)
class BulkOutcome(PreviewedRows[BulkRow]):
    request: BulkRequest
    program: Program | None
    target: Program | None
    rows: list[BulkRow]


class BulkChanged(Conflict):
    """The rows no longer give what the manager confirmed; nothing was kept."""

    def __init__(self, outcome: BulkOutcome) -> None:
        super().__init__(
            "Something changed since the preview (someone joined, left or was decided on), "
            "so nothing was done. Check the new preview and confirm again."
        )
        self.outcome = outcome


def _check(actor: User, request: BulkRequest) -> tuple[Program | None, Program | None]:
    """Permission and input, before any row: the programmes as the actor may manage them."""
    if request.action not in BulkAction.values:
        raise InvalidInput.for_field("action", f"Choose an action from {BulkAction.values}.")
    if not request.ids:
        raise InvalidInput.for_field("ids", "Tick at least one person.")
    if len(request.ids) > MAX_BULK:
        raise InvalidInput.for_field(
            "ids", f"Choose at most {MAX_BULK} people at a time ({len(request.ids)} chosen)."
        )
    program = target = None
    if request.action in (BulkAction.APPROVE, BulkAction.MOVE):
        if request.program_id is None:
            raise InvalidInput.for_field("program", "Say which programme they are in.")
        program = program_access(actor=actor, program_id=request.program_id, manage=True)
    if request.action in (BulkAction.ADD, BulkAction.MOVE):
        if request.target_program_id is None:
            raise InvalidInput.for_field("target_program", "Choose the programme.")
        target = program_access(actor=actor, program_id=request.target_program_id, manage=True)
        if program is not None and target.pk == program.pk:
            raise InvalidInput.for_field(
                "target_program", f"They are already in {target.name}; choose another."
            )
    if request.action == BulkAction.ADD and request.role not in ParticipantRole.values:
        raise InvalidInput.for_field("role", f"Choose a role from {ParticipantRole.values}.")
    return program, target


def _people(actor: User, request: BulkRequest, program: Program | None) -> list[User | Participant]:
    found: list[User | Participant]
    if request.action == BulkAction.ADD:
        found = list(
            User.objects.filter(
                organization_id=organization_id_of(actor), pk__in=request.ids
            ).order_by("last_name", "first_name", "email", "pk")
        )
    else:
        found = list(
            Participant.objects.filter(program=program, pk__in=request.ids)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__email", "pk")
        )
    missing = len(set(request.ids)) - len(found)
    if missing:
        where = "your organisation" if program is None else program.name
        raise NotFound(
            f"{missing} of the people chosen {'is' if missing == 1 else 'are'} not in {where}."
        )
    return found


def _joined(target: Program, role: str) -> str:
    role_label = ParticipantRole(role).label.lower()
    if target.access == ProgramAccess.INVITATION:
        return f"invited to {target.name} as a {role_label}"
    return f"enrolled in {target.name} as a {role_label}"


def _step(
    actor: User,
    request: BulkRequest,
    item: User | Participant,
    program: Program | None,
    target: Program | None,
) -> str:
    """One person's action through its one-row service; what happened, or a DomainError."""
    if isinstance(item, User):
        if target is None:
            raise NotFound("Choose the programme.")
        services.participant_add(
            actor=actor, program_id=target.pk, role=request.role, user_id=item.pk
        )
        return _joined(target, request.role)
    if request.action == BulkAction.APPROVE:
        if item.status != ParticipantStatus.PENDING:
            raise Conflict(f"{item.get_status_display()}, not an application to approve.")
        services.participant_approve(actor=actor, participant_id=item.pk)
        return "approved"
    if target is None or program is None:
        raise NotFound("Choose the programme.")
    services.participant_add(
        actor=actor,
        program_id=target.pk,
        role=item.role,
        user_id=item.user_id,
        capacity=item.capacity if item.role == ParticipantRole.MENTOR else None,
    )
    services.participant_withdraw(
        actor=actor, participant_id=item.pk, reason=f"Moved to {target.name}"
    )
    return f"withdrawn from {program.name}, {_joined(target, item.role)}"


def _run(actor: User, request: BulkRequest) -> BulkOutcome:
    program, target = _check(actor, request)
    rows = []
    for item in _people(actor, request, program):
        user = item.user if isinstance(item, Participant) else item
        try:
            with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                outcome, done = _step(actor, request, item, program, target), True
        except DomainError as error:
            outcome, done = error.detail, False
        rows.append(
            BulkRow(user_id=user.pk, name=str(user), email=user.email, done=done, outcome=outcome)
        )
    return BulkOutcome(request=request, program=program, target=target, rows=rows)


def bulk_preview(*, actor: User, request: BulkRequest) -> BulkOutcome:
    """What `bulk_apply` would do, row by row; nothing is kept."""
    with transaction.atomic():
        outcome = _run(actor, request)
        transaction.set_rollback(True)
    return outcome


@transaction.atomic
def bulk_apply(*, actor: User, request: BulkRequest, fingerprint: str) -> BulkOutcome:
    """Do what the preview with this `fingerprint` showed, in one transaction, or nothing."""
    outcome = _run(actor, request)
    if outcome.fingerprint != fingerprint:
        transaction.set_rollback(True)
        raise BulkChanged(outcome)
    return outcome
