"""Every write about journeys.

Managers (the programme's managers and the organisation's admins, through
`program_access(manage=True)`) edit their programme's journey: stages and steps, their order,
the resources linked to a step, and going back to the default for the programme's format.
The pair tick manual steps; auto steps complete themselves (selectors derive them) and refuse
a manual tick with a Conflict.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.journeys.models import (
    MAX_MEETINGS_COUNT,
    MAX_OFFSET_DAYS,
    Completion,
    Journey,
    Stage,
    StageKey,
    Step,
    StepCompletion,
)
from tandem.journeys.selectors import default_steps
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.relationships.models import Relationship, RelationshipEventKind, RelationshipStatus
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_record_activity
from tandem.resources.models import Resource

TITLE_MAX = 200
DESCRIPTION_MAX = 2000


# --- the journey and its default ------------------------------------------------------------


def _build_default(journey: Journey) -> None:
    """Fill an empty journey with the default for its programme's format: exactly the rows
    `selectors.default_steps` shows before the journey is stored. Four queries (the starter
    resources, then one insert each for the stages, their steps and the steps' resources),
    whatever the default holds: bulk_create gives back the new primary keys on PostgreSQL and
    SQLite (3.35 and later)."""
    steps = default_steps(program=journey.program)
    stages: list[Stage] = []
    for step in steps:
        if not stages or stages[-1] is not step.stage:
            step.stage.journey = journey
            stages.append(step.stage)
    Stage.objects.bulk_create(stages)
    for step in steps:
        step.stage = step.stage  # the stage has its id now: copy it to stage_id
    Step.objects.bulk_create(steps)
    Step.resources.through.objects.bulk_create(
        Step.resources.through(step_id=step.pk, resource_id=resource.pk)
        for step in steps
        for resource in step.starter_resources  # type: ignore[attr-defined]
    )


def journey_ensure(*, program: Program) -> Journey:
    """The programme's stored journey, made from the default for its format the first time a
    write needs it (a manager's edit, the pair's first tick, the scheduler); reads never call
    this. Idempotent; two first writes racing make it once. The caller has checked who may
    see it."""
    journey = Journey.objects.filter(program=program).first()
    if journey is not None:
        return journey
    try:
        with transaction.atomic():
            journey = Journey.objects.create(program=program)
            _build_default(journey)
    except IntegrityError:
        return Journey.objects.get(program=program)
    return journey


def journeys_ensure_for_active_programs() -> int:
    """Make the default journey of every programme that has active relationships but no
    journey yet (so `selectors.journey_steps_due` sees them); answers how many were made.
    One query when there is nothing to do; a few per programme made, once."""
    programs = list(
        Program.objects.filter(
            relationships__status=RelationshipStatus.ACTIVE, journey__isnull=True
        ).distinct()
    )
    for program in programs:
        journey_ensure(program=program)
    return len(programs)


def _editable(actor: User, program_id: int) -> Journey:
    program = program_access(actor=actor, program_id=program_id, manage=True)
    if program.is_read_only:
        raise Conflict("This programme is archived; its journey can no longer change.")
    return journey_ensure(program=program)


@transaction.atomic
def journey_customise(*, actor: User, program_id: int) -> Journey:
    """Store the programme's default journey so its managers can edit it (the editor shows
    the default read-only until then). Storing it twice changes nothing. Conflict for an
    archived programme."""
    return _editable(actor, program_id)


@transaction.atomic
def journey_reset_to_default(*, actor: User, program_id: int) -> Journey:
    """Replace the programme's journey with the default for its format. The pair's ticks of
    manual steps go with the steps they were for (auto steps re-derive themselves)."""
    journey = _editable(actor, program_id)
    Journey.objects.select_for_update().filter(pk=journey.pk).first()
    Stage.objects.filter(journey=journey).delete()
    _build_default(journey)
    journey.save(update_fields=["updated_at"])
    return journey


# --- validation -----------------------------------------------------------------------------


def _text(value: str, field: str, *, required: bool, limit: int, errors: list[FieldError]) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.append(FieldError(field, "This is required."))
    elif len(value) > limit:
        errors.append(FieldError(field, f"Keep it to {limit} characters."))
    return value


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("; ".join(error.message for error in errors), errors=errors)


def _resources(journey: Journey, resource_ids: Iterable[int]) -> list[Resource]:
    """The resources a step may link: the organisation's library and this programme's
    additions (hidden ones too — the manager chose them). Anything else is an input error."""
    wanted = set(resource_ids)
    if not wanted:
        return []
    program = journey.program
    found = list(
        Resource.objects.filter(pk__in=wanted, organization_id=program.organization_id).filter(
            Q(program__isnull=True) | Q(program_id=program.pk)
        )
    )
    missing = wanted - {resource.pk for resource in found}
    if missing:
        raise InvalidInput.for_field(
            "resource_ids",
            "No such resource in this organisation's library: "
            f"{', '.join(map(str, sorted(missing)))}.",
        )
    return found


def _check_step(
    *,
    title: str,
    description: str,
    due_offset_days: int | None,
    due_at_fraction: float | None,
    completion: str,
    meetings_count: int,
) -> tuple[str, str]:
    errors: list[FieldError] = []
    title = _text(title, "title", required=True, limit=TITLE_MAX, errors=errors)
    description = _text(
        description, "description", required=False, limit=DESCRIPTION_MAX, errors=errors
    )
    if (due_offset_days is None) == (due_at_fraction is None):
        errors.append(
            FieldError(
                "due_offset_days",
                "Give either a number of days after the start or a share of the planned "
                "length (0.5 is half-time), not both.",
            )
        )
    if due_offset_days is not None and not 0 <= due_offset_days <= MAX_OFFSET_DAYS:
        errors.append(
            FieldError("due_offset_days", f"Use a number of days from 0 to {MAX_OFFSET_DAYS}.")
        )
    if due_at_fraction is not None and not 0 <= due_at_fraction <= 1:
        errors.append(
            FieldError("due_at_fraction", "Use a share from 0 (the start) to 1 (the end).")
        )
    if completion not in Completion.values:
        errors.append(FieldError("completion", f"Use one of {', '.join(Completion.values)}."))
    if not 1 <= meetings_count <= MAX_MEETINGS_COUNT:
        errors.append(
            FieldError(
                "meetings_count", f"Use a number of meetings from 1 to {MAX_MEETINGS_COUNT}."
            )
        )
    _raise(errors)
    return title, description


def _stage_of(journey: Journey, stage_id: int, *, lock: bool = False) -> Stage:
    queryset = Stage.objects.filter(pk=stage_id, journey=journey)
    if lock:
        queryset = queryset.select_for_update()
    stage = queryset.first()
    if stage is None:
        raise NotFound("No such stage in this journey.")
    return stage


def _step_of(journey: Journey, step_id: int) -> Step:
    step = (
        Step.objects.select_for_update(of=("self",))
        .select_related("stage")
        .filter(pk=step_id, stage__journey=journey)
        .first()
    )
    if step is None:
        raise NotFound("No such step in this journey.")
    return step


# --- stages ---------------------------------------------------------------------------------


@transaction.atomic
def stage_create(
    *, actor: User, program_id: int, key: str, title: str = "", description: str = ""
) -> Stage:
    """Add one of the five stages the journey lacks (each stage once), at its place in the
    usual order. Conflict when the journey has it already."""
    journey = _editable(actor, program_id)
    if key not in StageKey.values:
        raise InvalidInput.for_field("key", f"Use one of {', '.join(StageKey.values)}.")
    errors: list[FieldError] = []
    title = _text(title, "title", required=False, limit=TITLE_MAX, errors=errors) or str(
        StageKey(key).label
    )
    description = _text(
        description, "description", required=False, limit=DESCRIPTION_MAX, errors=errors
    )
    _raise(errors)
    if Stage.objects.filter(journey=journey, key=key).exists():
        raise Conflict(f"The journey already has the stage “{StageKey(key).label}”.")
    # Place it after the stages that usually come before it.
    rank = StageKey.values.index(key)
    stages = list(Stage.objects.select_for_update().filter(journey=journey).order_by("order", "id"))
    before = [s for s in stages if StageKey.values.index(s.key) < rank]
    position = (stages.index(before[-1]) + 1) if before else 0
    try:
        with transaction.atomic():
            stage = Stage.objects.create(
                journey=journey, key=key, title=title, description=description
            )
    except IntegrityError as error:
        raise Conflict(f"The journey already has the stage “{StageKey(key).label}”.") from error
    stages.insert(position, stage)
    _renumber(stages)
    return stage


def _renumber(rows: list) -> None:
    """Give `rows` (stages or steps, in their new order) the orders 1, 2, 3, ..."""
    changed = []
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])


@transaction.atomic
def stage_update(
    *, actor: User, program_id: int, stage_id: int, title: str, description: str = ""
) -> Stage:
    """Rename a stage or change what it says it is about."""
    journey = _editable(actor, program_id)
    stage = _stage_of(journey, stage_id, lock=True)
    errors: list[FieldError] = []
    stage.title = _text(title, "title", required=True, limit=TITLE_MAX, errors=errors)
    stage.description = _text(
        description, "description", required=False, limit=DESCRIPTION_MAX, errors=errors
    )
    _raise(errors)
    stage.save(update_fields=["title", "description", "updated_at"])
    return stage


@transaction.atomic
def stage_delete(*, actor: User, program_id: int, stage_id: int) -> None:
    """Remove a stage with its steps (and the pair's ticks of them)."""
    journey = _editable(actor, program_id)
    stage = _stage_of(journey, stage_id, lock=True)
    stage.delete()


def _move(rows: list, row_id: int, direction: str) -> None:
    if direction not in ("up", "down"):
        raise InvalidInput.for_field("direction", "Use up or down.")
    index = next(i for i, row in enumerate(rows) if row.pk == row_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)


@transaction.atomic
def stage_move(*, actor: User, program_id: int, stage_id: int, direction: str) -> Stage:
    """Move a stage one place up or down (at the top or bottom already: nothing changes)."""
    journey = _editable(actor, program_id)
    stage = _stage_of(journey, stage_id)
    stages = list(Stage.objects.select_for_update().filter(journey=journey).order_by("order", "id"))
    _move(stages, stage.pk, direction)
    return next(s for s in stages if s.pk == stage.pk)


# --- steps ----------------------------------------------------------------------------------


@transaction.atomic
def step_create(
    *,
    actor: User,
    program_id: int,
    stage_id: int,
    title: str,
    description: str = "",
    due_offset_days: int | None = None,
    due_at_fraction: float | None = None,
    completion: str = Completion.MANUAL,
    meetings_count: int = 1,
    resource_ids: list[int] | None = None,
) -> Step:
    """Add a step at the end of a stage: due `due_offset_days` after the relationship starts
    or at `due_at_fraction` of its planned length (exactly one), completed by hand or by the
    signal `completion` names, with resources from the organisation's library linked.
    InvalidInput names each field that breaks a rule; nothing is written then."""
    journey = _editable(actor, program_id)
    stage = _stage_of(journey, stage_id, lock=True)
    title, description = _check_step(
        title=title,
        description=description,
        due_offset_days=due_offset_days,
        due_at_fraction=due_at_fraction,
        completion=completion,
        meetings_count=meetings_count,
    )
    resources = _resources(journey, resource_ids or [])
    last = Step.objects.filter(stage=stage).aggregate(last=Max("order"))["last"] or 0
    step = Step.objects.create(
        stage=stage,
        title=title,
        description=description,
        due_offset_days=due_offset_days,
        due_at_fraction=due_at_fraction,
        completion=completion,
        meetings_count=meetings_count,
        order=last + 1,
    )
    step.resources.set(resources)
    return step


@transaction.atomic
def step_update(
    *,
    actor: User,
    program_id: int,
    step_id: int,
    title: str,
    description: str = "",
    due_offset_days: int | None = None,
    due_at_fraction: float | None = None,
    completion: str = Completion.MANUAL,
    meetings_count: int = 1,
    resource_ids: list[int] | None = None,
    stage_id: int | None = None,
) -> Step:
    """Replace a step's fields (the same rules as `step_create`); `stage_id` moves it to the
    end of another stage of the journey. Turning a manual step into an auto one drops the
    pair's ticks of it: the signal decides from then on."""
    journey = _editable(actor, program_id)
    step = _step_of(journey, step_id)
    title, description = _check_step(
        title=title,
        description=description,
        due_offset_days=due_offset_days,
        due_at_fraction=due_at_fraction,
        completion=completion,
        meetings_count=meetings_count,
    )
    resources = _resources(journey, resource_ids or [])
    fields = [
        "title",
        "description",
        "due_offset_days",
        "due_at_fraction",
        "completion",
        "meetings_count",
        "updated_at",
    ]
    if stage_id is not None and stage_id != step.stage_id:
        stage = _stage_of(journey, stage_id, lock=True)
        last = Step.objects.filter(stage=stage).aggregate(last=Max("order"))["last"] or 0
        step.stage = stage
        step.order = last + 1
        fields += ["stage", "order"]
    if completion != Completion.MANUAL:
        StepCompletion.objects.filter(step=step).delete()
    step.title = title
    step.description = description
    step.due_offset_days = due_offset_days
    step.due_at_fraction = due_at_fraction
    step.completion = completion
    step.meetings_count = meetings_count
    step.save(update_fields=fields)
    step.resources.set(resources)
    return step


@transaction.atomic
def step_delete(*, actor: User, program_id: int, step_id: int) -> None:
    """Remove a step (and the pair's ticks of it)."""
    journey = _editable(actor, program_id)
    _step_of(journey, step_id).delete()


@transaction.atomic
def step_move(*, actor: User, program_id: int, step_id: int, direction: str) -> Step:
    """Move a step one place up or down within its stage."""
    journey = _editable(actor, program_id)
    step = _step_of(journey, step_id)
    steps = list(
        Step.objects.select_for_update().filter(stage_id=step.stage_id).order_by("order", "id")
    )
    _move(steps, step.pk, direction)
    return next(s for s in steps if s.pk == step.pk)


# --- the pair's ticks -----------------------------------------------------------------------


def _party_step(*, actor: User, relationship_id: int, step_id: int) -> tuple[Step, Relationship]:
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    step = (
        Step.objects.select_related("stage")
        .filter(pk=step_id, stage__journey__program_id=access.relationship.program_id)
        .first()
    )
    if step is None:
        raise NotFound("No such step in this relationship's journey.")
    access.require_open()
    if step.is_auto:
        raise Conflict(
            f"“{step.title}” completes itself when {Completion(step.completion).label.lower()}"
            "; it cannot be ticked by hand."
        )
    return step, access.relationship


@transaction.atomic
def step_complete(*, actor: User, relationship_id: int, step_id: int) -> StepCompletion:
    """Tick a manual step of the pair's journey (either of the pair; ticking it again keeps
    the first tick and records nothing new). The tick goes on the pair's timeline. Conflict
    for an auto step or a closed relationship."""
    step, relationship = _party_step(actor=actor, relationship_id=relationship_id, step_id=step_id)
    completion, created = StepCompletion.objects.get_or_create(
        relationship_id=relationship_id,
        step=step,
        defaults={"completed_by": actor, "completed_at": timezone.now()},
    )
    if created:
        relationship_record_activity(
            relationship=relationship,
            actor=actor,
            kind=RelationshipEventKind.JOURNEY_STEP_TICKED,
            summary=f"{display_name(actor)} ticked a journey step: {step.title}",
        )
    return completion


@transaction.atomic
def journey_default_step_complete(
    *, actor: User, relationship_id: int, stage_key: str, order: int, title: str
) -> StepCompletion:
    """Tick a manual step of a journey the pair read in memory (`selectors.default_steps`:
    its steps have no id yet), named by its stage, its place in the stage and its title.
    Stores the programme's journey first (the same rows the pair saw), then ticks as
    `step_complete`. NotFound when no such step is there any more (a manager changed the
    journey meanwhile: the pair reloads it)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    journey = journey_ensure(program=access.relationship.program)
    step = Step.objects.filter(
        stage__journey=journey, stage__key=stage_key, order=order, title=title
    ).first()
    if step is None:
        raise NotFound("This step is no longer in the journey: reload the page.")
    return step_complete(actor=actor, relationship_id=relationship_id, step_id=step.pk)


@transaction.atomic
def step_uncomplete(*, actor: User, relationship_id: int, step_id: int) -> None:
    """Untick a manual step (either of the pair; unticking an unticked step changes nothing).
    The untick goes on the pair's timeline."""
    step, relationship = _party_step(actor=actor, relationship_id=relationship_id, step_id=step_id)
    deleted, _ = StepCompletion.objects.filter(
        relationship_id=relationship_id, step_id=step_id
    ).delete()
    if deleted:
        relationship_record_activity(
            relationship=relationship,
            actor=actor,
            kind=RelationshipEventKind.JOURNEY_STEP_UNTICKED,
            summary=f"{display_name(actor)} unticked a journey step: {step.title}",
        )
