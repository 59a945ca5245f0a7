"""A mentor and a mentee working together in a programme (and the circles that group them).

Matching (or a manager pairing two people by hand) creates relationships in the `proposed`
state; `services.relationship_transition` takes them through the lifecycle in `lifecycle.py`.
Every app of the workspace records what happened as a RelationshipEvent: the pair's timeline
and the relationship's last-activity time come from that one place.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.participants.models import Participant
from tandem.programs.models import Program


class RelationshipStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("relationship status", "Proposed")
    ACTIVE = "active", pgettext_lazy("relationship status", "Active")
    PAUSED = "paused", pgettext_lazy("relationship status", "Paused")
    COMPLETED = "completed", pgettext_lazy("relationship status", "Completed")
    ENDED = "ended", pgettext_lazy("relationship status", "Ended early")


# A relationship in these states holds one of the mentor's places.
OPEN_STATUSES = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


class RelationshipSource(models.TextChoices):
    BULK = "bulk", _("Bulk matching")
    REQUEST = "request", _("Mentee's request")
    MANUAL = "manual", _("Paired by a manager")


class Circle(TimeStampedModel):
    """A group circle: one mentor with several mentees around a shared topic."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="circles_led")
    topic = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["program", "topic", "id"]

    def __str__(self) -> str:
        return self.topic or gettext("Circle %(number)s") % {"number": self.pk}


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
    activated_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed or ended early
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_reason = models.TextField(blank=True)
    # Ended early with "find me a new match": the mentee went back to matching.
    wants_new_match = models.BooleanField(default=False)

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
            # A programme's relationships newest first (the managers' list): read in index
            # order and stop at the page, whatever the programme's size; the partial one serves
            # the default "open" filter without stepping over closed pairs.
            models.Index(
                fields=["program", "-created_at", "-id"], name="relationship_program_newest"
            ),
            models.Index(
                fields=["program", "-created_at", "-id"],
                condition=Q(status__in=["proposed", "active", "paused"]),
                name="relationship_program_open_new",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.mentee}"


class RelationshipEventKind(models.TextChoices):
    STATUS_CHANGED = "status_changed", _("Status changed")
    AGREEMENT_UPDATED = "agreement_updated", _("Agreement updated")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    GOAL_CREATED = "goal_created", _("Goal set")
    GOAL_UPDATED = "goal_updated", _("Goal updated")
    GOAL_COMPLETED = "goal_completed", _("Goal achieved")
    MILESTONE_COMPLETED = "milestone_completed", _("Milestone reached")
    MEETING_SCHEDULED = "meeting_scheduled", _("Meeting scheduled")
    MEETING_RESCHEDULED = "meeting_rescheduled", _("Meeting rescheduled")
    MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    MEETING_HELD = "meeting_held", _("Meeting held")
    CHECKIN = "checkin", _("Checked in")
    ACTION_CREATED = "action_created", _("Action agreed")
    ACTION_DONE = "action_done", _("Action done")
    MESSAGE = "message", _("Message")
    FEEDBACK = "feedback", _("Feedback given")
    # That someone took a self-assessment, never how they rated themselves (private to them).
    ASSESSMENT_TAKEN = "assessment_taken", _("Self-assessment taken")
    JOURNEY_STEP_TICKED = "journey_step_ticked", _("Journey step ticked")
    JOURNEY_STEP_UNTICKED = "journey_step_unticked", _("Journey step unticked")


class RelationshipEvent(models.Model):
    """Something one of the pair did, for their timeline. Never holds private text: the
    summary is written by the service from titles and dates, not from notes, journal,
    messages or feedback."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=30, choices=RelationshipEventKind.choices)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["relationship", "-created_at"])]

    def __str__(self) -> str:
        return self.summary
