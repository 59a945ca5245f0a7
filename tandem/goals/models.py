"""The mentee's goals in a relationship: a specific outcome, how success is measured, a target
date, milestones with due dates, and a history of every change (goals are revisited).

The mentee owns their goals; the mentor suggests goals and comments (services.py says who may do
what). Goals are private to the pair: managers only see the progress percentage
(`selectors.goal_progress_by_relationship`), never titles, measures or comments.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.relationships.models import Relationship


class GoalStatus(models.TextChoices):
    SUGGESTED = (
        "suggested",
        pgettext_lazy("goal status", "Suggested"),
    )  # by the mentor, waiting for the mentee
    ACTIVE = "active", pgettext_lazy("goal status", "Active")
    ACHIEVED = "achieved", pgettext_lazy("goal status", "Achieved")
    DROPPED = "dropped", pgettext_lazy("goal status", "Dropped")
    DECLINED = (
        "declined",
        pgettext_lazy("goal status", "Suggestion declined"),
    )  # kept for the history, not shown as a goal


# The goals that count: shown as the pair's goals and averaged in the manager's progress signal.
COUNTED_STATUSES = (GoalStatus.ACTIVE, GoalStatus.ACHIEVED)


class ProgressMode(models.TextChoices):
    DERIVED = "derived", _("From the milestones")
    MANUAL = "manual", _("Set by hand")


def derived_progress(*, done: int, total: int) -> int:
    """Whole per cent of milestones done (rounded down, so 100 means every one is done)."""
    return 100 * done // total if total else 0


class Goal(TimeStampedModel):
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)  # the specific outcome
    measure = models.TextField(max_length=2000)  # how success will be measured
    target_on = models.DateField()
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    progress_mode = models.CharField(
        max_length=10, choices=ProgressMode.choices, default=ProgressMode.DERIVED
    )
    manual_progress = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    achieved_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="goal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress_mode__in=ProgressMode.values), name="goal_progress_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(manual_progress__gte=0, manual_progress__lte=100),
                name="goal_manual_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status=GoalStatus.ACHIEVED, achieved_at__isnull=False)
                | (~Q(status=GoalStatus.ACHIEVED) & Q(achieved_at__isnull=True)),
                name="goal_achieved_at_iff_achieved",
            ),
        ]
        indexes = [models.Index(fields=["relationship", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        """0-100: 100 once achieved; else the hand-set value, or the share of milestones done.
        Uses the prefetched milestones when the selector loaded them."""
        if self.status == GoalStatus.ACHIEVED:
            return 100
        if self.progress_mode == ProgressMode.MANUAL:
            return self.manual_progress
        milestones = list(self.milestones.all())
        return derived_progress(
            done=sum(1 for m in milestones if m.done_at is not None), total=len(milestones)
        )


class Milestone(TimeStampedModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_by__isnull=True) | Q(done_at__isnull=False),
                name="milestone_done_by_needs_done_at",
            ),
        ]
        indexes = [models.Index(fields=["goal", "order"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class GoalComment(TimeStampedModel):
    """A comment from either person on a goal; private to the pair."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=4000)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["goal", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on goal {self.goal_id}"


class GoalChangeField(models.TextChoices):
    CREATED = "created", _("Goal set")
    TITLE = "title", _("Outcome")
    MEASURE = "measure", _("Measure of success")
    TARGET_ON = "target_on", _("Target date")
    STATUS = "status", _("Status")
    PROGRESS_MODE = "progress_mode", _("Progress mode")
    MANUAL_PROGRESS = "manual_progress", _("Progress")
    ORDER = "order", _("Position")
    MILESTONE_ADDED = "milestone_added", _("Milestone added")
    MILESTONE_TITLE = "milestone_title", _("Milestone renamed")
    MILESTONE_DUE_ON = "milestone_due_on", _("Milestone due date")
    MILESTONE_DONE = "milestone_done", _("Milestone ticked")
    MILESTONE_REOPENED = "milestone_reopened", _("Milestone reopened")
    MILESTONE_REMOVED = "milestone_removed", _("Milestone removed")


def _shown(field: str, value: str) -> str:
    if not value:
        return gettext("none")
    if field in (GoalChangeField.TARGET_ON, GoalChangeField.MILESTONE_DUE_ON):
        day = datetime.date.fromisoformat(value)
        return formats.date_format(day, "j M Y")
    if field == GoalChangeField.STATUS:
        return str(GoalStatus(value).label)
    if field == GoalChangeField.PROGRESS_MODE:
        return str(ProgressMode(value).label).lower()
    if field == GoalChangeField.MANUAL_PROGRESS:
        return f"{value}%"
    return f"“{value}”"


class GoalChange(models.Model):
    """One entry of a goal's history: who changed which field, from what, to what. Every
    service that edits a goal or its milestones writes these in its transaction. `subject` is
    the milestone's title for milestone changes."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    field = models.CharField(max_length=30, choices=GoalChangeField.choices)
    subject = models.CharField(max_length=200, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=GoalChangeField.values), name="goal_change_field_valid"
            ),
        ]
        indexes = [models.Index(fields=["goal", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of goal {self.goal_id}"

    @property
    def description(self) -> str:
        """The change in words, without the actor: 'moved the target date from … to …'."""
        field = self.field
        words = {
            "subject": self.subject,
            "before": _shown(field, self.before),
            "after": _shown(field, self.after),
        }
        if field == GoalChangeField.CREATED:
            return gettext("set the goal %(after)s") % words
        if field == GoalChangeField.MILESTONE_ADDED:
            if self.after:
                due = _shown(GoalChangeField.TARGET_ON, self.after)
                return gettext("added the milestone “%(subject)s” (due %(due)s)") % {
                    **words,
                    "due": due,
                }
            return gettext("added the milestone “%(subject)s”") % words
        if field == GoalChangeField.MILESTONE_DONE:
            return gettext("reached the milestone “%(subject)s”") % words
        if field == GoalChangeField.MILESTONE_REOPENED:
            return gettext("reopened the milestone “%(subject)s”") % words
        if field == GoalChangeField.MILESTONE_REMOVED:
            return gettext("removed the milestone “%(subject)s”") % words
        if field == GoalChangeField.MILESTONE_TITLE:
            return gettext("renamed a milestone from %(before)s to %(after)s") % words
        if field == GoalChangeField.MILESTONE_DUE_ON:
            return gettext("changed when “%(subject)s” is due from %(before)s to %(after)s") % words
        label = self.get_field_display().lower()
        return gettext("changed the %(label)s from %(before)s to %(after)s") % {
            **words,
            "label": label,
        }
