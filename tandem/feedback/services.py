"""Every write about feedback. Only the mentor and the mentee give it (the guard first), the
direction follows from who writes, the partner is told that there is feedback — never what it
says — and the pair's timeline notes it without its text."""

from django.db import transaction
from django.urls import reverse

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import FieldError, InvalidInput
from tandem.feedback.models import Feedback, FeedbackDirection
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.relationships.models import RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_record_activity

TEXT_MAX = 4000
# Specific feedback names what was seen and what to try: a word or two is not enough.
SPECIFIC_MIN = 15

MENTOR_FIELDS = ("strengths", "to_develop", "suggestion")
MENTEE_TEXT_FIELDS = ("what_helped", "what_to_change")
REQUIRED = {
    FeedbackDirection.MENTOR_TO_MENTEE: MENTOR_FIELDS,
    FeedbackDirection.MENTEE_TO_MENTOR: ("what_helped",),
}
PROMPTS = {
    "strengths": "Name a strength you saw, and when you saw it.",
    "to_develop": "Name one thing to develop, as specifically as you can.",
    "suggestion": "Suggest one concrete thing to try.",
    "what_helped": "Say what helped you most.",
}


@transaction.atomic
def feedback_give(
    *,
    actor: User,
    relationship_id: int,
    strengths: str = "",
    to_develop: str = "",
    suggestion: str = "",
    what_helped: str = "",
    what_to_change: str = "",
    usefulness: int | None = None,
) -> Feedback:
    """Give feedback to the partner. The mentor answers strengths, to_develop and suggestion
    (all three, each specific); the mentee answers what_helped (required), what_to_change
    (optional) and usefulness (1 to 5). InvalidInput names every field that is missing, too
    short, too long or meant for the other side; nothing is written then. Conflict when the
    relationship is completed or ended. The partner is notified (category feedback) without
    the text."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    direction = (
        FeedbackDirection.MENTOR_TO_MENTEE
        if access.side == "mentor"
        else FeedbackDirection.MENTEE_TO_MENTOR
    )
    texts = {
        "strengths": strengths.strip(),
        "to_develop": to_develop.strip(),
        "suggestion": suggestion.strip(),
        "what_helped": what_helped.strip(),
        "what_to_change": what_to_change.strip(),
    }
    own = MENTOR_FIELDS if direction == FeedbackDirection.MENTOR_TO_MENTEE else MENTEE_TEXT_FIELDS
    errors: list[FieldError] = []
    for field, text in texts.items():
        if field not in own:
            if text:
                errors.append(FieldError(field, f"Only the {_other(access.side)} answers this."))
        elif field in REQUIRED[direction] and not text:
            errors.append(FieldError(field, PROMPTS[field]))
        elif field in REQUIRED[direction] and len(text) < SPECIFIC_MIN:
            errors.append(
                FieldError(
                    field, f"Be specific: at least {SPECIFIC_MIN} characters. {PROMPTS[field]}"
                )
            )
        elif len(text) > TEXT_MAX:
            errors.append(FieldError(field, f"Keep it to {TEXT_MAX} characters."))
    if direction == FeedbackDirection.MENTEE_TO_MENTOR:
        if usefulness is None or not 1 <= usefulness <= 5:
            errors.append(
                FieldError("usefulness", "Rate how useful the mentoring is, from 1 to 5.")
            )
    elif usefulness is not None:
        errors.append(FieldError("usefulness", "Only the mentee answers this."))
    if errors:
        raise InvalidInput("Some of the feedback needs another look.", errors=errors)
    feedback = Feedback.objects.create(
        relationship=access.relationship,
        author=actor,
        direction=direction,
        usefulness=usefulness if direction == FeedbackDirection.MENTEE_TO_MENTOR else None,
        **texts,
    )
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.FEEDBACK,
        summary=f"{display_name(actor)} gave feedback",
    )
    partner = access.partner
    if partner is not None:
        notification_send(
            recipients=[partner],
            category=NotificationCategory.FEEDBACK,
            subject=f"{display_name(actor)} gave you feedback",
            body=(
                f"{display_name(actor)} shared feedback with you in "
                f"{access.relationship.program.name}. "
                "Read it in your mentoring workspace; it is private to the two of you."
            ),
            url=reverse("feedback:list", args=[access.relationship.pk]),
        )
    return feedback


def _other(side: str) -> str:
    return "mentee" if side == "mentor" else "mentor"
