"""A mentor and a mentee working together in a programme (and the circles that group them).

Matching creates relationships in the `proposed` state; the relationship workspace (a later
issue) takes them through their lifecycle.
"""

from django.db import models
from django.db.models import Q

from tandem.core.models import TimeStampedModel
from tandem.participants.models import Participant
from tandem.programs.models import Program


class RelationshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"


# A relationship in these states holds one of the mentor's places.
OPEN_STATUSES = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


class RelationshipSource(models.TextChoices):
    BULK = "bulk", "Bulk matching"
    REQUEST = "request", "Mentee's request"
    MANUAL = "manual", "Paired by a manager"


class Circle(TimeStampedModel):
    """A group circle: one mentor with several mentees around a shared topic."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="circles_led")
    topic = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["program", "topic", "id"]

    def __str__(self) -> str:
        return self.topic or f"Circle {self.pk}"


class Relationship(TimeStampedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="relationships")
    mentor = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="relationships_as_mentor"
    )
    mentee = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="relationships_as_mentee"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="relationships"
    )
    status = models.CharField(
        max_length=20, choices=RelationshipStatus.choices, default=RelationshipStatus.PROPOSED
    )
    source = models.CharField(max_length=20, choices=RelationshipSource.choices)
    match_score = models.FloatField(null=True, blank=True)
    # Why this pair was proposed: criterion -> contribution, and the sentences shown to people.
    match_explanation = models.JSONField(default=dict, blank=True)
    started_on = models.DateField(null=True, blank=True)
    planned_end_on = models.DateField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open relationship per pair in a programme; history (ended/completed) may repeat.
            models.UniqueConstraint(
                "program",
                "mentor",
                "mentee",
                condition=Q(status__in=["proposed", "active", "paused"]),
                name="relationship_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="relationship_two_people"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.mentee}"
