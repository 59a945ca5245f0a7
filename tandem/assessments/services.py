"""Every write about self-assessments and a programme's own competencies.

- `assessment_submit`: one of the pair answers every active competency of the programme for
  one moment (start or end) while that moment is open (windows.py). One submission per
  person and moment: a second is a Conflict. Answers cannot be edited afterwards — the
  starting picture stays the one the person gave at the start, so the growth shown later is
  honest (the decision is recorded in the app's report).
- `assessment_share` / `assessment_unshare`: the person lets their partner see (or stop
  seeing) their answers for one moment. Answers are private to their author by default.
- `competency_create` / `competency_update` / `competency_delete`: a programme's managers add
  their own competencies, edit and deactivate them; one already rated cannot be deleted
  (deactivate it instead). The six built-ins are Tandem's and change only by migration.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.assessments.models import (
    NOTE_MAX,
    SCORE_MAX,
    SCORE_MIN,
    Competency,
    Moment,
    Rating,
    SelfAssessment,
)
from tandem.assessments.selectors import competency_list_for_program
from tandem.assessments.windows import is_open, window_text
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.programs.permissions import program_access
from tandem.relationships.models import RelationshipEventKind, RelationshipStatus
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.services import relationship_record_activity

NAME_MAX = 80
DESCRIPTION_MAX = 300


def _page(relationship_id: int) -> str:
    return reverse("assessments:page", args=[relationship_id])


def _moment(moment: str) -> Moment:
    if moment not in Moment.values:
        raise InvalidInput.for_field("moment", "The moment is either 'start' or 'end'.")
    return Moment(moment)


def _clean_answers(
    *,
    competencies: list[Competency],
    ratings: dict[int, int],
    notes: dict[int, str],
) -> dict[int, tuple[int, str]]:
    """competency id -> (score, note); one InvalidInput naming every missing, unknown or
    out-of-range answer."""
    known = {competency.pk: competency for competency in competencies}
    errors: list[FieldError] = []
    for competency in competencies:
        score = ratings.get(competency.pk)
        if score is None:
            errors.append(
                FieldError(f"ratings.{competency.pk}", f"Rate yourself on {competency.name}.")
            )
        elif not SCORE_MIN <= score <= SCORE_MAX:
            errors.append(
                FieldError(
                    f"ratings.{competency.pk}",
                    f"The score for {competency.name} is from {SCORE_MIN} to {SCORE_MAX}.",
                )
            )
    for competency_id in sorted(set(ratings) | set(notes)):
        if competency_id not in known:
            field = "ratings" if competency_id in ratings else "notes"
            errors.append(
                FieldError(
                    f"{field}.{competency_id}",
                    f"Competency {competency_id} is not one this programme asks about.",
                )
            )
    cleaned_notes: dict[int, str] = {}
    for competency_id, note in notes.items():
        note = (note or "").strip()
        if competency_id in known and len(note) > NOTE_MAX:
            errors.append(
                FieldError(
                    f"notes.{competency_id}",
                    f"Keep the note on {known[competency_id].name} within {NOTE_MAX} characters.",
                )
            )
        cleaned_notes[competency_id] = note
    if errors:
        missing = [e for e in errors if e.message.startswith("Rate yourself")]
        detail = (
            "Answer every competency: "
            + ", ".join(e.message.removeprefix("Rate yourself on ").rstrip(".") for e in missing)
            + " still need a score."
            if missing and len(missing) == len(errors)
            else "Some answers are not valid."
        )
        raise InvalidInput(errors[0].message if len(errors) == 1 else detail, errors=errors)
    return {
        competency.pk: (ratings[competency.pk], cleaned_notes.get(competency.pk, ""))
        for competency in competencies
    }


@transaction.atomic
def assessment_submit(
    *,
    actor: User,
    relationship_id: int,
    moment: str,
    ratings: dict[int, int],
    notes: dict[int, str] | None = None,
) -> SelfAssessment:
    """The actor (one of the pair) submits their self-assessment for `moment`: a score from 1
    to 5 for every active competency of the programme, and an optional short note on each.
    Refused (nothing saved) when the moment is not open, when any competency is unanswered
    (each named), or when they already submitted this moment (Conflict). The pair's timeline
    notes that they took it (not how they rated themselves)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    chosen = _moment(moment)
    relationship = access.relationship
    if not is_open(relationship, moment=chosen, now=timezone.now()):
        raise Conflict(
            f"The {chosen.label.lower()} self-assessment is not open now. "
            + window_text(relationship, moment=chosen)
        )
    if SelfAssessment.objects.filter(relationship=relationship, user=actor, moment=chosen).exists():
        raise Conflict(
            f"You already took the {chosen.label.lower()} self-assessment; it cannot be taken "
            "twice."
        )
    competencies = list(competency_list_for_program(program=relationship.program))
    answers = _clean_answers(competencies=competencies, ratings=ratings, notes=notes or {})
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                relationship=relationship, user=actor, moment=chosen, submitted_at=timezone.now()
            )
    except IntegrityError as error:  # the same person submitting twice at once
        raise Conflict(
            f"You already took the {chosen.label.lower()} self-assessment; it cannot be taken "
            "twice."
        ) from error
    Rating.objects.bulk_create(
        Rating(assessment=assessment, competency_id=competency_id, score=score, note=note)
        for competency_id, (score, note) in answers.items()
    )
    # Both of the pair see the timeline: it says that the actor took it, never a score or a
    # note (those stay private to the actor unless they share them).
    relationship_record_activity(
        relationship=relationship,
        actor=actor,
        kind=RelationshipEventKind.ASSESSMENT_TAKEN,
        summary=f"{display_name(actor)} completed the {chosen.label.lower()} self-assessment",
    )
    return assessment


def _own(access: RelationshipAccess, moment: Moment) -> SelfAssessment:
    # Ordered by its own key: the model's default ordering joins the relationship and the
    # user, and FOR UPDATE would lock their rows too (docs/architecture.md, "Lock order").
    assessment = (
        SelfAssessment.objects.select_for_update()
        .filter(relationship=access.relationship, user=access.user, moment=moment)
        .order_by("pk")
        .first()
    )
    if assessment is None:
        raise NotFound(f"You have not taken the {moment.label.lower()} self-assessment.")
    return assessment


@transaction.atomic
def assessment_share(*, actor: User, relationship_id: int, moment: str) -> SelfAssessment:
    """The actor lets their partner see their answers for `moment`; the partner is told."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    chosen = _moment(moment)
    assessment = _own(access, chosen)
    if assessment.is_shared:
        return assessment
    assessment.is_shared = True
    assessment.save(update_fields=["is_shared", "updated_at"])
    if access.partner is not None:
        notification_send(
            recipients=[access.partner],
            category=NotificationCategory.JOURNEY,
            subject=f"{display_name(actor)} shared their {chosen.label.lower()} self-assessment",
            body=(
                f"{display_name(actor)} chose to show you how they rated themselves on the soft "
                "skills of mentoring."
            ),
            url=_page(relationship_id),
        )
    return assessment


@transaction.atomic
def assessment_unshare(*, actor: User, relationship_id: int, moment: str) -> SelfAssessment:
    """The actor makes their answers for `moment` private again."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    assessment = _own(access, _moment(moment))
    if assessment.is_shared:
        assessment.is_shared = False
        assessment.save(update_fields=["is_shared", "updated_at"])
    return assessment


# --- a programme's own competencies ------------------------------------------------------


def _clean_competency(
    *, name: str | None, description: str | None
) -> tuple[str | None, str | None]:
    errors: list[FieldError] = []
    if name is not None:
        name = name.strip()
        if not name:
            errors.append(FieldError("name", "Name the competency in a few words."))
        elif len(name) > NAME_MAX:
            errors.append(FieldError("name", f"Keep the name within {NAME_MAX} characters."))
    if description is not None:
        description = description.strip()
        if not description:
            errors.append(
                FieldError("description", "Say what good looks like in one or two sentences.")
            )
        elif len(description) > DESCRIPTION_MAX:
            errors.append(
                FieldError(
                    "description", f"Keep the description within {DESCRIPTION_MAX} characters."
                )
            )
    if errors:
        raise InvalidInput(
            errors[0].message if len(errors) == 1 else "Some details are not valid.", errors
        )
    return name, description


def _key_for(program_id: int, name: str) -> str:
    base = (slugify(name).replace("-", "_") or "competency")[:50]
    taken = set(
        Competency.objects.filter(key__startswith=base, program_id=program_id).values_list(
            "key", flat=True
        )
    ) | set(
        Competency.objects.filter(key__startswith=base, program__isnull=True).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _program_competency(*, program_id: int, competency_id: int) -> Competency:
    competency = (
        Competency.objects.select_for_update()
        .filter(pk=competency_id, program_id=program_id)
        .first()
    )
    if competency is None:
        raise NotFound("No such competency in this programme.")
    return competency


@transaction.atomic
def competency_create(*, actor: User, program_id: int, name: str, description: str) -> Competency:
    """A programme manager adds a competency of the programme's own; it is asked after the
    six built-ins in every self-assessment taken from now on."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    clean_name, clean_description = _clean_competency(name=name, description=description)
    if Competency.objects.filter(program=program, name__iexact=clean_name).exists():
        raise Conflict(
            f"This programme already has a competency called {clean_name}.",
            [FieldError("name", "Choose another name.")],
        )
    highest = Competency.objects.filter(program=program).aggregate(top=Max("order"))["top"]
    try:
        with transaction.atomic():
            return Competency.objects.create(
                organization_id=program.organization_id,
                program=program,
                key=_key_for(program.pk, clean_name or ""),
                name=clean_name or "",
                description=clean_description or "",
                order=100 if highest is None else highest + 1,
            )
    except IntegrityError as error:
        raise Conflict("Another manager added this competency at the same moment.") from error


@transaction.atomic
def competency_update(
    *,
    actor: User,
    program_id: int,
    competency_id: int,
    name: str | None = None,
    description: str | None = None,
    order: int | None = None,
    is_active: bool | None = None,
) -> Competency:
    """Edit a programme's own competency; `is_active=False` deactivates it (no longer asked;
    answers already given stay). Built-ins are NotFound here."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    competency = _program_competency(program_id=program.pk, competency_id=competency_id)
    clean_name, clean_description = _clean_competency(name=name, description=description)
    if order is not None and order < 0:
        raise InvalidInput.for_field("order", "The position is 0 or more.")
    if (
        clean_name is not None
        and Competency.objects.filter(program=program, name__iexact=clean_name)
        .exclude(pk=competency.pk)
        .exists()
    ):
        raise Conflict(
            f"This programme already has a competency called {clean_name}.",
            [FieldError("name", "Choose another name.")],
        )
    fields: list[str] = []
    for field, value in (
        ("name", clean_name),
        ("description", clean_description),
        ("order", order),
        ("is_active", is_active),
    ):
        if value is not None and getattr(competency, field) != value:
            setattr(competency, field, value)
            fields.append(field)
    if fields:
        competency.save(update_fields=[*fields, "updated_at"])
    return competency


@transaction.atomic
def competency_delete(*, actor: User, program_id: int, competency_id: int) -> None:
    """Delete a programme's own competency nobody has rated yet; a rated one is a Conflict
    (deactivate it instead, so the answers already given keep their meaning)."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    competency = _program_competency(program_id=program.pk, competency_id=competency_id)
    if Rating.objects.filter(competency=competency).exists():
        raise Conflict(
            f"People have already rated themselves on {competency.name}: deactivate it instead "
            "of deleting it."
        )
    competency.delete()


def self_assessments_purge_ended(*, organization_id: int, closed_before: datetime.datetime) -> int:
    """Delete the self-assessments (and their ratings) of the organisation's relationships
    completed or ended before `closed_before` (its retention setting, run by privacy's daily
    job). Returns how many assessments went."""
    assessments = SelfAssessment.objects.filter(
        relationship__program__organization_id=organization_id,
        relationship__status__in=[RelationshipStatus.COMPLETED, RelationshipStatus.ENDED],
        relationship__closed_at__lt=closed_before,
    )
    count = assessments.count()
    assessments.delete()
    return count
