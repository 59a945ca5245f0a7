"""What feedback holds about a person: feedback they gave, and feedback their partner gave
them (it is about them)."""

from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.feedback.models import Feedback, FeedbackDirection

COVERS = ("feedback.Feedback",)

FIELDS = (
    "id",
    "relationship_id",
    "direction",
    "strengths",
    "to_develop",
    "suggestion",
    "what_helped",
    "what_to_change",
    "usefulness",
    "created_at",
)


def export(user: User) -> list[Section]:
    received = Q(relationship__mentee__user=user, direction=FeedbackDirection.MENTOR_TO_MENTEE) | Q(
        relationship__mentor__user=user, direction=FeedbackDirection.MENTEE_TO_MENTOR
    )
    return [
        Section(
            "feedback_given",
            "Feedback you gave.",
            rows_of(Feedback.objects.filter(author=user), FIELDS),
        ),
        Section(
            "feedback_received",
            "Feedback your partners gave you.",
            rows_of(Feedback.objects.filter(received).exclude(author=user), FIELDS),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Feedback given is the partner's to read: kept, its author pseudonymised.
    return ErasureReport().kept("feedback.Feedback", Feedback.objects.filter(author=user).count())
