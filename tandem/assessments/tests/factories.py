import datetime

from django.utils import timezone

from tandem.assessments.models import Competency, Rating, SelfAssessment
from tandem.assessments.selectors import competency_list_for_program
from tandem.relationships.models import Relationship, RelationshipEvent
from tandem.relationships.services import relationship_transition

BUILTIN_KEYS = [
    "communication",
    "active_listening",
    "empathy",
    "giving_feedback",
    "receiving_feedback",
    "goal_setting",
]


def all_scores(relationship: Relationship, score: int = 3) -> dict[int, int]:
    """A score for every competency the relationship's programme asks about."""
    return {c.pk: score for c in competency_list_for_program(program=relationship.program)}


def set_dates(relationship: Relationship, *, started_days_ago: int, duration_days: int) -> None:
    """Move the relationship's start (and planned end) as if time had passed."""
    started = timezone.localdate() - datetime.timedelta(days=started_days_ago)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=started, planned_end_on=started + datetime.timedelta(days=duration_days)
    )


def age_answers(*, months: int = 1) -> None:
    """Move every self-assessment into the calendar month `months` before this one (the
    aggregate rule publishes only months that have ended)."""
    day = timezone.now().replace(day=15, hour=12, minute=0, second=0, microsecond=0)
    for _ in range(months):
        day = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    SelfAssessment.objects.update(submitted_at=day)


def close(relationship: Relationship, *, action: str = "complete", days_ago: int = 0) -> None:
    """Complete (or end) the relationship through the lifecycle, `days_ago` days ago."""
    relationship_transition(
        actor=relationship.mentor.user,
        relationship_id=relationship.pk,
        action=action,
        reason="We reached our goals." if action == "end" else "",
    )
    Relationship.objects.filter(pk=relationship.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def state() -> tuple[list[dict], ...]:
    """Everything this app stores, and the pairs' timelines it writes to, to check that a
    refused request changed nothing."""
    return (
        list(Competency.objects.order_by("pk").values()),
        list(SelfAssessment.objects.order_by("pk").values()),
        list(Rating.objects.order_by("pk").values()),
        list(RelationshipEvent.objects.order_by("pk").values()),
    )
