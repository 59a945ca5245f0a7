"""Every write about surveys: defining and editing them (a new version once answered), the
shipped defaults of a programme, the invitations the scheduler writes, and answering.

Answering a pairing-fit question with "not a good fit" tells the programme's managers at once
(`notification_send`), with a link to the relationship's status page where they end it and
offer the mentee a new match.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.json_rows import in_values, insert_rows
from tandem.core.text import single_line_problem
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.surveys.definition import (
    NOT_A_GOOD_FIT,
    NPS_RANGE,
    PAIRING_FIT_CHOICES,
    RATING_RANGE,
    TEXT_MAX,
    definition_validate,
    questions_of,
)
from tandem.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyVersion,
    Trigger,
)
from tandem.surveys.permissions import invitation_access, survey_access
from tandem.surveys.templates_data import SHIPPED
from tandem.webhooks.events import SurveyAnsweredData
from tandem.webhooks.services import webhook_emit

TITLE_MAX = 120
OFFSET_MAX = 730


# --- defining ----------------------------------------------------------------------------


def _check_timing(
    *, trigger: str, audience: str, offset_days: int, repeat_days: int | None
) -> None:
    errors = []
    if trigger not in Trigger.values:
        errors.append(FieldError("trigger", f"Choose one of: {', '.join(Trigger.values)}."))
    if audience not in SurveyAudience.values:
        errors.append(FieldError("audience", f"Choose one of: {', '.join(SurveyAudience.values)}."))
    if not 0 <= offset_days <= OFFSET_MAX:
        errors.append(FieldError("offset_days", f"Choose between 0 and {OFFSET_MAX} days."))
    if repeat_days is not None and (
        trigger != Trigger.AFTER_MATCH or not 1 <= repeat_days <= OFFSET_MAX
    ):
        errors.append(
            FieldError(
                "repeat_days",
                f"Only a survey sent days after the match repeats, every 1 to {OFFSET_MAX} days.",
            )
        )
    if errors:
        raise InvalidInput("The survey's timing is not valid.", errors=errors)


def _check_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput.for_field("title", f"Give a title of 1 to {TITLE_MAX} characters.")
    # The HTML editor posts the title without a form field: the service holds the line too.
    if problem := single_line_problem(title):
        raise InvalidInput.for_field("title", problem)
    return title


@transaction.atomic
def survey_create(
    *,
    actor: User,
    program_id: int,
    title: str,
    trigger: str,
    definition: object,
    audience: str = SurveyAudience.BOTH,
    offset_days: int = 0,
    repeat_days: int | None = None,
) -> Survey:
    """Add a survey of the programme's own (its managers and the organisation's admins), with
    its first version. Any invalid field raises InvalidInput naming it, and nothing is stored."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    title = _check_title(title)
    _check_timing(
        trigger=trigger, audience=audience, offset_days=offset_days, repeat_days=repeat_days
    )
    stored = definition_validate(definition)
    survey = Survey.objects.create(
        program=program,
        kind=SurveyKind.CUSTOM,
        title=title,
        audience=audience,
        trigger=trigger,
        offset_days=offset_days,
        repeat_days=repeat_days,
    )
    SurveyVersion.objects.create(survey=survey, number=1, definition=stored, created_by=actor)
    return survey


@dataclass(frozen=True)
class SurveyChange:
    """What an edit changes; None leaves a field as it is."""

    title: str | None = None
    is_active: bool | None = None
    trigger: str | None = None
    audience: str | None = None
    offset_days: int | None = None
    repeat_days: int | None = None
    clear_repeat: bool = False
    definition: object | None = None


@transaction.atomic
def survey_update(*, actor: User, survey_id: int, change: SurveyChange) -> Survey:
    """Edit a survey (its programme's managers and the organisation's admins).

    A new definition replaces the current version while nobody has answered it; once someone
    has, it becomes the next version and the answered one is kept as it was (answers keep
    their version). Invitations not answered yet move to the new version. Invalid input raises
    InvalidInput naming the field, and nothing changes. A new trigger applies to the
    occasions still to come (invitations already sent stay, keyed by their own occasion)."""
    survey = survey_access(actor=actor, survey_id=survey_id)
    # Lock the bare survey row: two edits at once make one version each, in turn.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    title = _check_title(change.title) if change.title is not None else survey.title
    trigger = change.trigger if change.trigger is not None else survey.trigger
    audience = change.audience if change.audience is not None else survey.audience
    offset_days = change.offset_days if change.offset_days is not None else survey.offset_days
    repeat_days = None if change.clear_repeat else change.repeat_days or survey.repeat_days
    _check_timing(
        trigger=trigger, audience=audience, offset_days=offset_days, repeat_days=repeat_days
    )
    stored = definition_validate(change.definition) if change.definition is not None else None
    survey.title, survey.trigger, survey.audience = title, trigger, audience
    survey.offset_days, survey.repeat_days = offset_days, repeat_days
    if change.is_active is not None:
        survey.is_active = change.is_active
    survey.save(
        update_fields=[
            "title",
            "trigger",
            "audience",
            "offset_days",
            "repeat_days",
            "is_active",
            "updated_at",
        ]
    )
    if stored is not None:
        current = survey.versions.order_by("-number").first()
        if current is not None and current.definition == stored:
            return survey
        if current is not None and not current.responses.exists():
            current.definition = stored
            current.save(update_fields=["definition"])
        else:
            number = (current.number if current else 0) + 1
            version = SurveyVersion.objects.create(
                survey=survey, number=number, definition=stored, created_by=actor
            )
            SurveyInvitation.objects.filter(survey=survey, response__isnull=True).update(
                version=version, updated_at=timezone.now()
            )
    return survey


def surveys_add_defaults(*, program_ids: Iterable[int]) -> int:
    """Give each of the programmes Tandem's shipped surveys it does not have yet (a system
    write: the scheduler calls it for every published programme). A fixed number of
    statements whatever the number of programmes; safe to run twice or at once, as the
    (programme, template) pair is unique. Returns how many surveys were added."""
    wanted = list(program_ids)
    if not wanted:
        return 0
    now = timezone.now()
    added = insert_rows(
        Survey,
        [
            "program_id",
            "template_key",
            "kind",
            "title",
            "audience",
            "trigger",
            "offset_days",
            "repeat_days",
        ],
        [
            (
                program_id,
                shipped.template_key,
                shipped.kind,
                shipped.title,
                shipped.audience,
                shipped.trigger,
                shipped.offset_days,
                shipped.repeat_days,
            )
            for program_id in wanted
            for shipped in SHIPPED
        ],
        same={"is_active": True, "created_at": now, "updated_at": now},
        ignore_conflicts=True,
        returning=["id", "template_key"],
    )
    if added:
        definitions = {shipped.template_key: shipped.definition for shipped in SHIPPED}
        insert_rows(
            SurveyVersion,
            ["survey_id", "definition"],
            [(survey_id, definitions[key]) for survey_id, key in added],
            same={"number": 1, "created_at": now},
        )
    return len(added)


@transaction.atomic
def survey_defaults_add(*, actor: User, program_id: int) -> list[Survey]:
    """The programme's managers add the shipped surveys it does not have yet (the scheduler
    does the same for every published programme). Returns the programme's surveys."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    surveys_add_defaults(program_ids=[program.pk])
    return list(Survey.objects.filter(program=program).order_by("id"))


@dataclass(frozen=True)
class DueInvitation:
    survey_id: int
    relationship_id: int
    user_id: int
    occasion: str


def invitations_ensure(*, due: list[DueInvitation]) -> dict[DueInvitation, int]:
    """Write an invitation for each of `due` that has none yet (the scheduler's write; one
    INSERT … ON CONFLICT DO NOTHING), each at its survey's current version, and return the
    id of every one of them, new or not (one query). The unique key makes this exactly once."""
    if not due:
        return {}
    surveys = {item.survey_id for item in due}
    current = dict(
        SurveyVersion.objects.filter(survey_id__in=surveys)
        .values("survey_id")
        .annotate(latest=Max("number"))
        .values_list("survey_id", "latest")
    )
    version_ids = {
        (survey_id, number): pk
        for pk, survey_id, number in SurveyVersion.objects.filter(
            survey_id__in=surveys
        ).values_list("pk", "survey_id", "number")
    }
    now = timezone.now()
    rows = [
        (
            item.survey_id,
            version_ids[(item.survey_id, current[item.survey_id])],
            item.relationship_id,
            item.user_id,
            item.occasion,
        )
        for item in due
        if item.survey_id in current
    ]
    insert_rows(
        SurveyInvitation,
        ["survey_id", "version_id", "relationship_id", "user_id", "occasion"],
        rows,
        same={"created_at": now, "updated_at": now},
        ignore_conflicts=True,
    )
    relationship_ids = sorted({item.relationship_id for item in due})
    found = SurveyInvitation.objects.filter(
        survey_id__in=surveys, relationship_id__in=in_values(relationship_ids)
    ).values_list("pk", "survey_id", "relationship_id", "user_id", "occasion")
    ids = {DueInvitation(s, r, u, o): pk for pk, s, r, u, o in found}
    return {item: ids[item] for item in due if item in ids}


# --- answering ---------------------------------------------------------------------------


def _answer_of(question: dict[str, Any], value: Any) -> tuple[SurveyAnswer | None, str | None]:
    """One question's answer as a row, or the message saying why `value` is not one."""
    kind, key = question["type"], question["key"]
    empty = value is None or value == "" or value == []
    if empty:
        return (
            (None, "This question needs an answer.")
            if question.get("required", True)
            else (None, None)
        )
    answer = SurveyAnswer(question_key=key, question_type=kind)
    if kind in ("rating", "nps"):
        low, high = RATING_RANGE if kind == "rating" else NPS_RANGE
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, f"Choose a whole number from {low} to {high}."
        answer.number = value
    elif kind == "single_choice":
        if not isinstance(value, str) or value not in question["choices"]:
            return None, "Choose one of the listed answers."
        answer.choices = [value]
    elif kind == "multiple_choice":
        if (
            not isinstance(value, list)
            or not all(isinstance(item, str) and item in question["choices"] for item in value)
            or len(set(value)) != len(value)
        ):
            return None, "Choose one or more of the listed answers, each once."
        # Stored in the survey's order, so two people with the same choice store the same.
        answer.choices = [choice for choice in question["choices"] if choice in value]
    elif kind == "pairing_fit":
        if not isinstance(value, str) or value not in PAIRING_FIT_CHOICES:
            return None, f"Choose one of: {', '.join(PAIRING_FIT_CHOICES)}."
        answer.choices = [value]
    else:  # text
        if not isinstance(value, str):
            return None, "Write your answer as text."
        value = value.strip()
        if len(value) > TEXT_MAX:
            return None, f"Keep it under {TEXT_MAX} characters."
        if not value:
            return (
                (None, "This question needs an answer.")
                if question.get("required", True)
                else (None, None)
            )
        answer.text = value
    return answer, None


def answers_check(*, definition: dict[str, Any], answers: Mapping[str, Any]) -> list[SurveyAnswer]:
    """The answers to `definition`'s questions as rows (unsaved), or InvalidInput with one
    error per question that is wrong (`answers.<key>`) and one per key the survey does not ask."""
    questions = questions_of(definition)
    known = {question["key"] for question in questions}
    errors = [
        FieldError(f"answers.{key}", "This survey has no such question.")
        for key in answers
        if key not in known
    ]
    rows = []
    for question in questions:
        answer, message = _answer_of(question, answers.get(question["key"]))
        if message:
            errors.append(FieldError(f"answers.{question['key']}", message))
        elif answer is not None:
            rows.append(answer)
    if errors:
        raise InvalidInput("Some answers are not valid.", errors=errors)
    return rows


def _ending_path(relationship_id: int) -> str:
    """The pair's lifecycle page with its "End" form chosen: where a manager ends the
    relationship and, ticking "Find the mentee a new match", starts the rematch."""
    return reverse("relationships:status", args=[relationship_id]) + "?action=end"


@transaction.atomic
def response_submit(
    *,
    actor: User,
    invitation_id: int,
    answers: Mapping[str, Any],
    now: datetime.datetime | None = None,
) -> SurveyResponse:
    """Answer a survey one was invited to (that person only; anyone else gets NotFound). One
    response per invitation: a second is a Conflict. Every answer is checked against the
    invitation's version; any wrong one raises InvalidInput naming each question, and nothing
    is stored. A pairing-fit answer "not a good fit" tells the programme's managers, with a
    link to end the relationship and offer a new match."""
    invitation = invitation_access(actor=actor, invitation_id=invitation_id)
    # Lock order: the survey's bare row, then the invitation's (survey_update takes the
    # survey's too), so an edit and an answer run one after the other: an edit never
    # rewrites a version in place while an answer to it is being stored.
    list(Survey.objects.select_for_update().filter(pk=invitation.survey_id).values("pk"))
    invitation = invitation_access(actor=actor, invitation_id=invitation_id, for_update=True)
    if SurveyResponse.objects.filter(invitation_id=invitation.pk).exists():
        raise Conflict("You have already answered this survey.")
    rows = answers_check(definition=invitation.version.definition, answers=answers)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                invitation=invitation,
                version=invitation.version,
                submitted_at=now or timezone.now(),
            )
    except IntegrityError:
        raise Conflict("You have already answered this survey.") from None
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    if any(row.question_type == "pairing_fit" and row.choices == [NOT_A_GOOD_FIT] for row in rows):
        _tell_managers_not_a_fit(invitation)
    _tell_webhooks_answered(invitation, response)
    return response


def _tell_webhooks_answered(invitation: SurveyInvitation, response: SurveyResponse) -> None:
    """The "survey.answered" webhook: that this person answered, never what."""
    program: Program = invitation.survey.program
    webhook_emit(
        organization_id=program.organization_id,
        event_type="survey.answered",
        data=lambda: SurveyAnsweredData(
            survey_id=invitation.survey_id,
            response_id=response.pk,
            program_id=program.pk,
            relationship_id=invitation.relationship_id,
            respondent_person_id=invitation.user_id,
            answered_at=response.submitted_at,
        ),
    )


def _tell_managers_not_a_fit(invitation: SurveyInvitation) -> None:
    relationship = invitation.relationship
    program: Program = invitation.survey.program
    managers = list(program.managers.filter(is_active=True))
    mentor = display_name(relationship.mentor.user)
    mentee = display_name(relationship.mentee.user)
    notification_send(
        recipients=managers,
        category=NotificationCategory.RELATIONSHIP,
        subject=f"A pairing in {program.name} may not be a good fit",
        body=(
            f"Someone in the pairing of {mentor} (mentor) and {mentee} (mentee) answered that "
            "it is not a good fit. Talk to them; if it should end, you can end it and offer "
            "the mentee a new match from the relationship's page."
        ),
        url=_ending_path(relationship.pk),
    )
