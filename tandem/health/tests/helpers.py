"""Shared by the health tests: the actors, the state a denied request must leave untouched,
and more pairs for query budgets."""

import datetime

from django.utils import timezone

from conftest import PAIR_ACTOR_NAMES
from tandem.health.models import HealthNote, RelationshipHealth, RelationshipHealthHistory
from tandem.notifications.models import Notification, OutboxMessage
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus

MANAGERS = ("manager", "admin")
ACTORS = [*PAIR_ACTOR_NAMES, "other_manager"]


def state() -> tuple:
    """Everything a health request could change."""
    return (
        sorted(RelationshipHealth.objects.values_list("relationship_id", "score", "computed_at")),
        RelationshipHealthHistory.objects.count(),
        sorted(HealthNote.objects.values_list("relationship_id", "text")),
        sorted(OutboxMessage.objects.values_list("key", flat=True)),
        Notification.objects.count(),
    )


def more_pairs(program: Program, count: int, *, quiet_days: int = 50) -> list[Relationship]:
    """`count` active pairs, quiet for `quiet_days` and never met (at risk)."""
    now = timezone.now()
    made = []
    for _ in range(count):
        mentor = ParticipantFactory(program=program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=program, user__organization=program.organization)
        made.append(
            Relationship.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=RelationshipStatus.ACTIVE,
                source="manual",
                started_on=(now - datetime.timedelta(days=quiet_days)).date(),
                activated_at=now - datetime.timedelta(days=quiet_days),
                last_activity_at=now - datetime.timedelta(days=quiet_days),
            )
        )
    return made


def make_quiet(relationship: Relationship, days: int = 50) -> None:
    """Move the pair's start and last activity `days` back (tests cannot wait)."""
    back = timezone.now() - datetime.timedelta(days=days)
    Relationship.objects.filter(pk=relationship.pk).update(
        activated_at=back, last_activity_at=back, started_on=back.date()
    )
