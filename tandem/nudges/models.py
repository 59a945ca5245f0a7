"""Nudges: the automated messages that keep pairs moving, and each programme's settings for them.

The rules themselves live in code (`rules.RULES`: name, category, default timing, who receives
them). A programme's managers turn a rule off or change its timing; a `NudgeSetting` row holds
that choice, and no row means the rule's defaults. The scheduler (`run_scheduler`) evaluates
every rule over every programme in a fixed number of queries and writes what is due to the
notifications outbox under a unique key, so evaluating twice never sends twice.
"""

from django.db import models
from django.db.models import Q

from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program


class NudgeSetting(TimeStampedModel):
    """One programme's choice for one rule: on or off, and its timing in the rule's unit
    (`timing` empty means the rule's default)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="nudge_settings")
    rule = models.CharField(max_length=40)
    is_enabled = models.BooleanField(default=True)
    timing = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "rule"]
        constraints = [
            models.UniqueConstraint("program", "rule", name="nudge_setting_once_per_rule"),
            models.CheckConstraint(
                condition=Q(timing__isnull=True) | Q(timing__gte=0), name="nudge_timing_min_0"
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.is_enabled else "off"
        return f"{self.rule} in {self.program_id}: {state}, timing {self.timing}"


# The one row of SchedulerLease the scheduler takes.
LEASE_NAME = "scheduler"


class SchedulerLease(models.Model):
    """Who runs the scheduler right now. A host takes the lease with one conditional UPDATE
    (free, expired, or already its own) so two hosts rarely do the same work; correctness
    never depends on it — the outbox's unique key does that."""

    name = models.CharField(max_length=40, unique=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or 'free'} until {self.expires_at}"
