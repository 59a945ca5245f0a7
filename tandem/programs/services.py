"""Every write about programmes: their settings, their lifecycle and their enrolment form.

Each service takes keyword-only arguments with the acting user first, checks that the actor may
do it before anything else, runs in one transaction, and either applies every change or raises a
`tandem.core.errors` exception and changes nothing.
"""

import datetime
import re
from collections.abc import Iterable
from typing import Any, Literal, TypedDict, Unpack

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.people.models import DirectoryGroup
from tandem.programs.models import (
    CHOICE_KINDS,
    DEFAULT_PROGRAM_COLOUR,
    PROGRAM_COLOUR_PATTERN,
    EnrollmentQuestion,
    MeetingCadence,
    Program,
    ProgramAccess,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
    QuestionAudience,
    QuestionKind,
)
from tandem.programs.permissions import program_access

# --- rules and defaults -------------------------------------------------------------------

MANAGER_ROLES = frozenset({Role.ORG_ADMIN, Role.PROGRAM_MANAGER})
MAX_DURATION_MONTHS = 120
MAX_MENTOR_CAPACITY = 50
MAX_CIRCLE_SIZE = 50
SCALE_MIN, SCALE_MAX = 1, 5
COPY_PREFIX = "Copy of "


class PurposeDefaults(TypedDict):
    cadence: str
    duration_months: int


# What a programme of each purpose usually looks like; used when the manager does not say.
PURPOSE_DEFAULTS: dict[str, PurposeDefaults] = {
    ProgramPurpose.CAREER: {"cadence": MeetingCadence.MONTHLY, "duration_months": 12},
    ProgramPurpose.SKILLS: {"cadence": MeetingCadence.FORTNIGHTLY, "duration_months": 6},
    ProgramPurpose.LEADERSHIP: {"cadence": MeetingCadence.MONTHLY, "duration_months": 12},
    ProgramPurpose.DIVERSITY: {"cadence": MeetingCadence.MONTHLY, "duration_months": 12},
    ProgramPurpose.ONBOARDING: {"cadence": MeetingCadence.WEEKLY, "duration_months": 3},
    ProgramPurpose.OTHER: {"cadence": MeetingCadence.MONTHLY, "duration_months": 12},
}


def _transition_refusal(refused: Refused) -> str:
    if refused.status == refused.target:
        return f"{refused.subject} is already {refused.current}."
    target = refused.lifecycle.label(refused.target or "")
    allowed = [refused.lifecycle.label(move.target) for move in refused.possible]
    if allowed:
        return (
            f"{refused.subject} is {refused.current}, so it cannot become {target}; "
            f"it can only become {' or '.join(allowed)}."
        )
    return (
        f"{refused.subject} is {refused.current}, so it cannot become {target}; "
        "it can only be duplicated."
    )


# The lifecycle: every allowed (from, to) move and the verb a person would use for it.
# `program_transition` is the only code that changes a programme's status.
PROGRAM_TRANSITIONS = Lifecycle(
    "programme",
    [
        (ProgramStatus.DRAFT, "publish", ProgramStatus.PUBLISHED),
        (ProgramStatus.DRAFT, "archive", ProgramStatus.ARCHIVED),
        (ProgramStatus.PUBLISHED, "archive", ProgramStatus.ARCHIVED),
    ],
    labels=ProgramStatus.choices,
    refusal=_transition_refusal,
)


class ProgramFields(TypedDict, total=False):
    """The settings a manager may change on a programme (all optional for an update)."""

    name: str
    description: str
    purpose: str
    format: str
    is_ongoing: bool
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    enrollment_opens_on: datetime.date | None
    enrollment_closes_on: datetime.date | None
    duration_months: int | None
    cadence: str | None
    default_mentor_capacity: int
    max_circle_size: int
    access: str
    colour: str
    manager_ids: list[int]
    eligible_group_ids: list[int]


class QuestionFields(TypedDict, total=False):
    """What a manager may change on an enrolment question (all optional for an update)."""

    prompt: str
    help_text: str
    kind: str
    audience: str
    is_required: bool
    use_for_matching: bool
    choices: list[str]
    min_value: int | None
    max_value: int | None


PROGRAM_SETTING_FIELDS = (
    "name",
    "description",
    "purpose",
    "format",
    "is_ongoing",
    "starts_on",
    "ends_on",
    "enrollment_opens_on",
    "enrollment_closes_on",
    "duration_months",
    "cadence",
    "default_mentor_capacity",
    "max_circle_size",
    "access",
    "colour",
)
QUESTION_FIELDS = (
    "prompt",
    "help_text",
    "kind",
    "audience",
    "is_required",
    "use_for_matching",
    "choices",
    "min_value",
    "max_value",
)


# --- permission helpers -------------------------------------------------------------------


def _require_program_creator(actor: User) -> int:
    """The organisation the actor creates programmes in, if their role allows it."""
    if actor.organization_id is None or not actor.is_active:
        raise Forbidden("Only members of an organisation can create programmes.")
    if actor.role not in MANAGER_ROLES:
        raise Forbidden("Only organisation admins and programme managers can create programmes.")
    return actor.organization_id


def _lock_managed_program(actor: User, program: Program) -> Program:
    """The programme, row-locked for this transaction, after checking that `actor` manages it."""
    program_access(actor=actor, program_id=program.pk, manage=True)
    return Program.objects.select_for_update().get(pk=program.pk)


def _require_editable(program: Program) -> None:
    if program.is_read_only:
        raise Conflict(f"'{program.name}' is archived, so it can no longer be changed.")


# --- validation ---------------------------------------------------------------------------


def _choice_error(field: str, value: object, choices: Iterable[str], what: str) -> FieldError:
    allowed = ", ".join(choices)
    return FieldError(field, f"'{value}' is not a {what}. Use one of: {allowed}.")


def _program_errors(values: dict[str, Any]) -> list[FieldError]:
    """Every rule a programme's settings must keep, checked on the settings as they would be."""
    errors: list[FieldError] = []
    name = values["name"]
    if not name:
        errors.append(FieldError("name", "Give the programme a name."))
    elif len(name) > 200:
        errors.append(FieldError("name", "Keep the name to 200 characters or fewer."))
    for field, enum, what in (
        ("purpose", ProgramPurpose, "purpose"),
        ("format", ProgramFormat, "format"),
        ("cadence", MeetingCadence, "meeting cadence"),
        ("access", ProgramAccess, "way to join"),
    ):
        if values[field] not in enum.values:
            errors.append(_choice_error(field, values[field], enum.values, what))

    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if not values["is_ongoing"]:
        if starts_on is None:
            errors.append(
                FieldError("starts_on", "A cohort needs a start date (or mark it as ongoing).")
            )
        if ends_on is None:
            errors.append(
                FieldError("ends_on", "A cohort needs an end date (or mark it as ongoing).")
            )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.append(FieldError("ends_on", "The end date must be on or after the start date."))

    opens_on, closes_on = values["enrollment_opens_on"], values["enrollment_closes_on"]
    if opens_on is not None and closes_on is not None and closes_on < opens_on:
        errors.append(
            FieldError(
                "enrollment_closes_on",
                "Enrolment must close on or after the day it opens.",
            )
        )

    for field, low, high, label in (
        ("duration_months", 1, MAX_DURATION_MONTHS, "The expected duration in months"),
        ("default_mentor_capacity", 1, MAX_MENTOR_CAPACITY, "The default mentor capacity"),
        ("max_circle_size", 2, MAX_CIRCLE_SIZE, "The maximum circle size"),
    ):
        number = values[field]
        if not isinstance(number, int) or isinstance(number, bool):
            errors.append(FieldError(field, f"{label} must be a whole number."))
        elif number < low:
            errors.append(FieldError(field, f"{label} must be at least {low}."))
        elif number > high:
            errors.append(FieldError(field, f"{label} must be at most {high}."))
    if not re.fullmatch(PROGRAM_COLOUR_PATTERN, values["colour"]):
        errors.append(FieldError("colour", f"Use a hex colour like {DEFAULT_PROGRAM_COLOUR}."))
    return errors


def _eligible_managers(actor: User, manager_ids: Iterable[int]) -> tuple[list[User], list[int]]:
    """The users behind `manager_ids` who may manage programmes in the actor's organisation,
    and the ids that are not such users (wrong organisation, wrong role, unknown or inactive).
    The two cases are reported the same way so that no other organisation's ids leak."""
    wanted = list(dict.fromkeys(manager_ids))
    if actor.organization_id is None:
        return [], wanted
    found = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=wanted,
            organization_id=actor.organization_id,
            role__in=MANAGER_ROLES,
            is_active=True,
        )
    }
    return [found[pk] for pk in wanted if pk in found], [pk for pk in wanted if pk not in found]


def _eligible_groups(
    actor: User, group_ids: Iterable[int]
) -> tuple[list[DirectoryGroup], list[FieldError]]:
    """The actor's organisation's directory groups behind `group_ids`, and an error naming
    the ids that are not (another organisation's look the same as unknown ones)."""
    wanted = list(dict.fromkeys(group_ids))
    found = {
        group.pk: group
        for group in DirectoryGroup.objects.filter(
            pk__in=wanted, organization_id=actor.organization_id or 0
        )
    }
    rejected = [pk for pk in wanted if pk not in found]
    errors = (
        [
            FieldError(
                "eligible_group_ids",
                "These ids are not directory groups of your organisation: "
                f"{', '.join(str(pk) for pk in rejected)}.",
            )
        ]
        if rejected
        else []
    )
    return [found[pk] for pk in wanted if pk in found], errors


_NOT_SETTINGS = ("manager_ids", "eligible_group_ids")


def _manager_errors(rejected: list[int]) -> list[FieldError]:
    if not rejected:
        return []
    listed = ", ".join(str(pk) for pk in rejected)
    return [
        FieldError(
            "manager_ids",
            f"These ids are not programme managers or organisation admins in your organisation: "
            f"{listed}.",
        )
    ]


def _clean_program_values(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise what people type: trimmed text, and no end date for an ongoing programme."""
    for field in ("name", "description"):
        if values.get(field) is None:
            values[field] = ""
        values[field] = str(values[field]).strip()
    if values.get("is_ongoing"):
        values["ends_on"] = None
    values["is_ongoing"] = bool(values.get("is_ongoing"))
    # One spelling per colour: what a colour picker sends (#rrggbb, lower case).
    values["colour"] = str(values.get("colour") or "").strip().lower()
    return values


def _raise_if(errors: list[FieldError], detail: str) -> None:
    if errors:
        raise InvalidInput(f"{detail} {' '.join(error.message for error in errors)}", errors)


# --- programmes ---------------------------------------------------------------------------


def program_defaults_for(purpose: str) -> PurposeDefaults:
    """The cadence and duration a programme of this purpose starts with."""
    return PURPOSE_DEFAULTS.get(purpose, PURPOSE_DEFAULTS[ProgramPurpose.OTHER])


@transaction.atomic
def program_create(*, actor: User, **fields: Unpack[ProgramFields]) -> Program:
    """Create a draft programme in the actor's organisation; the actor becomes one of its managers.

    Cadence and expected duration default to what suits the purpose when they are not given.
    """
    organization_id = _require_program_creator(actor)
    unknown = set(fields) - set(ProgramFields.__annotations__)
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    purpose = fields.get("purpose") or ProgramPurpose.CAREER
    defaults = program_defaults_for(purpose)
    values: dict[str, Any] = {
        "name": "",
        "description": "",
        "purpose": purpose,
        "format": ProgramFormat.ONE_TO_ONE,
        "is_ongoing": False,
        "starts_on": None,
        "ends_on": None,
        "enrollment_opens_on": None,
        "enrollment_closes_on": None,
        "default_mentor_capacity": 1,
        "max_circle_size": 5,
        "access": ProgramAccess.OPEN,
        "colour": DEFAULT_PROGRAM_COLOUR,
    }
    values.update({key: value for key, value in fields.items() if key not in _NOT_SETTINGS})
    if values.get("cadence") is None:
        values["cadence"] = defaults["cadence"]
    if values.get("duration_months") is None:
        values["duration_months"] = defaults["duration_months"]
    values = _clean_program_values(values)
    managers, rejected = _eligible_managers(actor, fields.get("manager_ids") or [])
    groups, group_errors = _eligible_groups(actor, fields.get("eligible_group_ids") or [])
    errors = _program_errors(values) + _manager_errors(rejected) + group_errors
    _raise_if(errors, "The programme was not created.")
    program = Program.objects.create(
        organization_id=organization_id,
        created_by=actor,
        status=ProgramStatus.DRAFT,
        **{field: values[field] for field in PROGRAM_SETTING_FIELDS},
    )
    program.managers.set({actor.pk, *(manager.pk for manager in managers)})
    program.eligible_groups.set(groups)
    return program


@transaction.atomic
def program_update(*, actor: User, program: Program, **changes: Unpack[ProgramFields]) -> Program:
    """Change some of a programme's settings (only the ones given). Archived ones are read-only.

    `manager_ids`, when given, replaces the list of managers; `eligible_group_ids` the
    directory groups whose members may enrol (empty: everyone of the organisation).
    """
    locked = _lock_managed_program(actor, program)
    _require_editable(locked)
    unknown = set(changes) - set(ProgramFields.__annotations__)
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    values: dict[str, Any] = {field: getattr(locked, field) for field in PROGRAM_SETTING_FIELDS}
    values.update({key: value for key, value in changes.items() if key not in _NOT_SETTINGS})
    values = _clean_program_values(values)
    errors = _program_errors(values)
    groups: list[DirectoryGroup] | None = None
    if "eligible_group_ids" in changes:
        groups, group_errors = _eligible_groups(actor, changes["eligible_group_ids"] or [])
        errors += group_errors
    managers: list[User] | None = None
    if "manager_ids" in changes:
        manager_ids = changes["manager_ids"] or []
        managers, rejected = _eligible_managers(actor, manager_ids)
        errors += _manager_errors(rejected)
        if not rejected and not managers:
            errors.append(FieldError("manager_ids", "A programme needs at least one manager."))
    _raise_if(errors, "The programme was not changed.")
    changed = [field for field in PROGRAM_SETTING_FIELDS if getattr(locked, field) != values[field]]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if managers is not None:
        locked.managers.set(managers)
    if groups is not None:
        locked.eligible_groups.set(groups)
    return locked


def program_transition(*, actor: User, program: Program, to_status: str) -> Program:
    """Move a programme along its lifecycle, as `PROGRAM_TRANSITIONS` allows, or raise Conflict.

    Publishing checks that the programme is complete; archiving records when it happened.
    """
    with transaction.atomic():
        locked = _lock_managed_program(actor, program)
        PROGRAM_TRANSITIONS.apply_to(locked.status, to_status, subject=f"'{locked.name}'")
        if to_status == ProgramStatus.PUBLISHED:
            values = _clean_program_values(
                {field: getattr(locked, field) for field in PROGRAM_SETTING_FIELDS}
            )
            _raise_if(_program_errors(values), "The programme cannot be published yet.")
        now = timezone.now()
        locked.status = to_status
        update_fields = ["status", "updated_at"]
        if to_status == ProgramStatus.PUBLISHED:
            locked.published_at = now
            update_fields.append("published_at")
        if to_status == ProgramStatus.ARCHIVED:
            locked.archived_at = now
            update_fields.append("archived_at")
        locked.save(update_fields=update_fields)
        return locked


def program_publish(*, actor: User, program: Program) -> Program:
    """Open a draft to the organisation: people can see it and, within its window, enrol."""
    return program_transition(actor=actor, program=program, to_status=ProgramStatus.PUBLISHED)


def program_archive(*, actor: User, program: Program) -> Program:
    """Close a programme for good: it becomes read-only and closed to enrolment."""
    return program_transition(actor=actor, program=program, to_status=ProgramStatus.ARCHIVED)


@transaction.atomic
def program_duplicate(*, actor: User, program: Program) -> Program:
    """A new draft "Copy of …" with the same settings, managers, eligible groups and enrolment
    questions.

    Participants are not copied. Managers who may no longer manage programmes are left out;
    the actor becomes a manager of the copy.
    """
    source = _lock_managed_program(actor, program)
    settings = {field: getattr(source, field) for field in PROGRAM_SETTING_FIELDS}
    settings["name"] = (COPY_PREFIX + source.name)[:200]
    copy = Program.objects.create(
        organization_id=source.organization_id,
        created_by=actor,
        status=ProgramStatus.DRAFT,
        **settings,
    )
    manager_ids = source.managers.filter(
        organization_id=source.organization_id, role__in=MANAGER_ROLES, is_active=True
    ).values_list("pk", flat=True)
    copy.managers.set({actor.pk, *manager_ids})
    copy.eligible_groups.set(source.eligible_groups.all())
    EnrollmentQuestion.objects.bulk_create(
        [
            EnrollmentQuestion(
                program=copy,
                position=question.position,
                **{field: getattr(question, field) for field in QUESTION_FIELDS},
            )
            for question in source.questions.order_by("position", "id")
        ]
    )
    return copy


# --- enrolment questions ------------------------------------------------------------------


def _question_errors(values: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not values["prompt"]:
        errors.append(FieldError("prompt", "Write the question people will answer."))
    elif len(values["prompt"]) > 300:
        errors.append(FieldError("prompt", "Keep the question to 300 characters or fewer."))
    if len(values["help_text"]) > 500:
        errors.append(FieldError("help_text", "Keep the help text to 500 characters or fewer."))
    kind = values["kind"]
    if kind not in QuestionKind.values:
        errors.append(_choice_error("kind", kind, QuestionKind.values, "question kind"))
    if values["audience"] not in QuestionAudience.values:
        errors.append(
            _choice_error("audience", values["audience"], QuestionAudience.values, "audience")
        )
    choices = values["choices"]
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors.append(
                FieldError("choices", "A choice question needs at least two different options.")
            )
        elif len({choice.casefold() for choice in choices}) != len(choices):
            errors.append(FieldError("choices", "Each option must be different from the others."))
        elif any(len(choice) > 200 for choice in choices):
            errors.append(FieldError("choices", "Keep each option to 200 characters or fewer."))
    low, high = values["min_value"], values["max_value"]
    if kind == QuestionKind.SCALE and (low, high) != (SCALE_MIN, SCALE_MAX):
        errors.append(
            FieldError("min_value", f"A scale always runs from {SCALE_MIN} to {SCALE_MAX}.")
        )
    if kind == QuestionKind.NUMBER and low is not None and high is not None and high < low:
        errors.append(
            FieldError("max_value", "The largest allowed number must not be below the smallest.")
        )
    if kind == QuestionKind.TEXT and values["use_for_matching"]:
        errors.append(
            FieldError(
                "use_for_matching",
                "Free-text answers cannot be compared, so they cannot be used for matching.",
            )
        )
    return errors


def _clean_question_values(values: dict[str, Any]) -> dict[str, Any]:
    """Trim text, drop empty options, and keep only the settings the kind uses."""
    values["prompt"] = str(values.get("prompt") or "").strip()
    values["help_text"] = str(values.get("help_text") or "").strip()
    values["is_required"] = bool(values.get("is_required"))
    values["use_for_matching"] = bool(values.get("use_for_matching"))
    kind = values["kind"]
    if kind in CHOICE_KINDS:
        values["choices"] = [
            str(choice).strip() for choice in values.get("choices") or [] if str(choice).strip()
        ]
    else:
        values["choices"] = []
    if kind == QuestionKind.SCALE:
        # The scale is fixed; a client that sends no bounds gets them filled in.
        if values.get("min_value") is None:
            values["min_value"] = SCALE_MIN
        if values.get("max_value") is None:
            values["max_value"] = SCALE_MAX
    elif kind != QuestionKind.NUMBER:
        values["min_value"] = values["max_value"] = None
    return values


def _question_for_update(actor: User, question: EnrollmentQuestion) -> EnrollmentQuestion:
    program = _lock_managed_program(actor, question.program)
    _require_editable(program)
    locked = EnrollmentQuestion.objects.filter(pk=question.pk, program=program).first()
    if locked is None:
        raise NotFound("No such question on this programme.")
    locked.program = program
    return locked


@transaction.atomic
def question_create(
    *, actor: User, program: Program, **fields: Unpack[QuestionFields]
) -> EnrollmentQuestion:
    """Add a question at the end of a programme's enrolment form."""
    locked = _lock_managed_program(actor, program)
    _require_editable(locked)
    values: dict[str, Any] = {
        "prompt": "",
        "help_text": "",
        "kind": QuestionKind.TEXT,
        "audience": QuestionAudience.BOTH,
        "is_required": False,
        "use_for_matching": False,
        "choices": [],
        "min_value": None,
        "max_value": None,
    }
    values.update(fields)
    values = _clean_question_values(values)
    _raise_if(_question_errors(values), "The question was not added.")
    last = locked.questions.aggregate(last=Max("position"))["last"]
    return EnrollmentQuestion.objects.create(
        program=locked,
        position=0 if last is None else last + 1,
        **{field: values[field] for field in QUESTION_FIELDS},
    )


@transaction.atomic
def question_update(
    *, actor: User, question: EnrollmentQuestion, **changes: Unpack[QuestionFields]
) -> EnrollmentQuestion:
    """Change a question. Once anyone has answered it, its kind can no longer change."""
    locked = _question_for_update(actor, question)
    values: dict[str, Any] = {field: getattr(locked, field) for field in QUESTION_FIELDS}
    values.update(changes)
    if values["kind"] != locked.kind and locked.answers.exists():
        raise Conflict(
            f"People have already answered '{locked.prompt}', so its kind cannot change "
            "from {old} to {new}: their answers would no longer fit. Add a new question "
            "instead.".format(
                old=QuestionKind(locked.kind).label.lower(),
                new=QuestionKind(values["kind"]).label.lower()
                if values["kind"] in QuestionKind.values
                else values["kind"],
            ),
            [FieldError("kind", "This question already has answers, so its kind is fixed.")],
        )
    values = _clean_question_values(values)
    _raise_if(_question_errors(values), "The question was not changed.")
    changed = [field for field in QUESTION_FIELDS if getattr(locked, field) != values[field]]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


@transaction.atomic
def question_delete(*, actor: User, question: EnrollmentQuestion) -> None:
    """Remove a question (and any answers to it) from a programme's form."""
    locked = _question_for_update(actor, question)
    program = locked.program
    locked.delete()
    _renumber(program, list(program.questions.order_by("position", "id")))


def _renumber(program: Program, questions: list[EnrollmentQuestion]) -> list[EnrollmentQuestion]:
    for position, question in enumerate(questions):
        question.position = position
    EnrollmentQuestion.objects.bulk_update(questions, ["position"])
    return questions


@transaction.atomic
def question_reorder(
    *, actor: User, program: Program, question_ids: list[int]
) -> list[EnrollmentQuestion]:
    """Put a programme's questions in the given order. The list must name each question once."""
    locked = _lock_managed_program(actor, program)
    _require_editable(locked)
    questions = {question.pk: question for question in locked.questions.all()}
    if len(question_ids) != len(set(question_ids)) or set(question_ids) != set(questions):
        raise InvalidInput.for_field(
            "question_ids",
            "List every question of this programme exactly once, in the new order "
            f"(expected the ids {sorted(questions)}).",
        )
    return _renumber(locked, [questions[pk] for pk in question_ids])


@transaction.atomic
def question_move(
    *, actor: User, question: EnrollmentQuestion, direction: Literal["up", "down"]
) -> list[EnrollmentQuestion]:
    """Move a question one place up or down the form (the first cannot go further up)."""
    locked = _question_for_update(actor, question)
    if direction not in ("up", "down"):
        raise InvalidInput.for_field("direction", "Move a question 'up' or 'down'.")
    ordered = list(locked.program.questions.order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == locked.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    return _renumber(locked.program, ordered)
