"""A programme's journey: the stages a pair goes through (getting started → setting goals →
working together → mid-point review → closing) and the steps in each, due a number of days
after the relationship starts or at a fraction of its planned length.

A step completes itself when the system can see it happen (`completion` names the signal:
the agreement signed, a meeting held, goals set, ...). Those are never stored: the selectors
derive them from the other apps' state on every read. Manual steps are ticked by one of the
pair, which writes a StepCompletion.
"""

import datetime

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program
from tandem.relationships.models import Relationship
from tandem.resources.models import Resource
from tandem.resources.models import Stage as StageKey  # one list of stages for both apps

__all__ = ["StageKey"]


class Completion(models.TextChoices):
    """How a step gets done: by hand, or by a signal the system sees (never stored)."""

    MANUAL = "manual", "Ticked by the pair"
    AGREEMENT_SIGNED = "agreement_signed", "The agreement is signed by both"
    FIRST_MEETING_HELD = "first_meeting_held", "The first meeting is held"
    GOALS_SET = "goals_set", "At least one goal is set"
    MEETINGS_HELD_N = "meetings_held_n", "A number of meetings are held"
    MIDPOINT_REVIEW = "midpoint_review", "A meeting is held after half-time"
    FEEDBACK_GIVEN = "feedback_given", "Both have given feedback"
    RELATIONSHIP_COMPLETED = "relationship_completed", "The relationship is completed"


AUTO_COMPLETIONS = tuple(value for value in Completion.values if value != Completion.MANUAL)

MAX_OFFSET_DAYS = 3650
MAX_MEETINGS_COUNT = 100


class Journey(TimeStampedModel):
    """One per programme, stored from the default for its format by the first write that needs
    it (read in memory until then: `selectors.default_steps`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="journey")

    def __str__(self) -> str:
        return f"Journey of {self.program}"


class Stage(TimeStampedModel):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=30, choices=StageKey.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint("journey", "key", name="stage_one_per_key"),
            models.CheckConstraint(condition=Q(key__in=StageKey.values), name="stage_key_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class Step(TimeStampedModel):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    # Exactly one of the two: days after the start, or a share of the planned length.
    due_offset_days = models.PositiveIntegerField(null=True, blank=True)
    due_at_fraction = models.FloatField(null=True, blank=True)
    completion = models.CharField(
        max_length=30, choices=Completion.choices, default=Completion.MANUAL
    )
    # For meetings_held_n: how many held meetings complete the step.
    meetings_count = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    # Guidance shown beside the step (the organisation's library or the programme's additions).
    resources = models.ManyToManyField(Resource, blank=True, related_name="journey_steps")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(due_offset_days__isnull=False) & Q(due_at_fraction__isnull=True))
                | (Q(due_offset_days__isnull=True) & Q(due_at_fraction__isnull=False)),
                name="step_due_offset_xor_fraction",
            ),
            models.CheckConstraint(
                condition=Q(due_at_fraction__isnull=True)
                | Q(due_at_fraction__gte=0, due_at_fraction__lte=1),
                name="step_due_fraction_0_1",
            ),
            models.CheckConstraint(
                condition=Q(completion__in=Completion.values), name="step_completion_valid"
            ),
            models.CheckConstraint(
                condition=Q(meetings_count__gte=1), name="step_meetings_count_min_1"
            ),
        ]
        indexes = [models.Index(fields=["stage", "order"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_auto(self) -> bool:
        return self.completion != Completion.MANUAL

    def due_on(
        self, *, started_on: datetime.date | None, planned_end_on: datetime.date | None
    ) -> datetime.date | None:
        """When this step is due for a relationship that started on `started_on` and is
        planned to end on `planned_end_on`; None before the relationship has started (or for a
        fraction when it has no planned end)."""
        if started_on is None:
            return None
        if self.due_offset_days is not None:
            return started_on + datetime.timedelta(days=self.due_offset_days)
        if planned_end_on is None or self.due_at_fraction is None:
            return None
        length = max((planned_end_on - started_on).days, 0)
        return started_on + datetime.timedelta(days=round(length * self.due_at_fraction))

    @property
    def due_label(self) -> str:
        """When the step is due, in words ('by day 7', 'at half-time', 'at the end')."""
        if self.due_offset_days is not None:
            return "at the start" if self.due_offset_days == 0 else f"by day {self.due_offset_days}"
        fraction = self.due_at_fraction or 0
        if fraction >= 1:
            return "at the end"
        if fraction == 0.5:
            return "at half-time"
        return f"at {round(fraction * 100)}% of the way"


class StepCompletion(models.Model):
    """A manual step ticked by one of the pair (auto steps are never stored)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="journey_completions"
    )
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="completions")
    completed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint("relationship", "step", name="step_completion_once"),
        ]

    def __str__(self) -> str:
        return f"Step {self.step_id} done in relationship {self.relationship_id}"
