"""The one summary analytics keeps: each person's funnel dates, refreshed by a job.

Working out when each person reached every step takes a correlated lookup per person over
relationships, agreements and meetings; over 100,000 people that is far too slow for a page.
So `services.funnel_refresh` writes one row per participant (in one INSERT ... SELECT) and the
dashboards group these rows. The page shows when they were refreshed (`refreshed_at`).
"""

from django.db import models

from tandem.accounts.models import User
from tandem.participants.models import Participant
from tandem.programs.models import Program


class FunnelEntry(models.Model):
    """When one participant reached each step of the funnel (None: not reached), as of
    `refreshed_at`. Derived data: rewritten whole by every refresh."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)
    joined_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True)
    matched_at = models.DateTimeField(null=True)
    signed_at = models.DateTimeField(null=True)
    first_meeting_at = models.DateTimeField(null=True)
    active_90_at = models.DateTimeField(null=True)  # the activation of a pair that lasted 90 days
    completed_at = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["program", "role"])]

    def __str__(self) -> str:
        return f"Funnel of participant {self.participant_id}"


class WeeklyActivity(models.Model):
    """A programme's activity in one whole week (Monday), as of `refreshed_at`: what the
    unfiltered engagement series read (a filtered one is counted live)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    meetings_held = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    checkins = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    actions_done = models.PositiveIntegerField(default=0)
    goals_set = models.PositiveIntegerField(default=0)
    goals_completed = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint("program", "week", name="weekly_activity_once_per_week")
        ]

    def __str__(self) -> str:
        return f"Programme {self.program_id}, week of {self.week}"


class RecentActivity(models.Model):
    """A programme's active pairs and how many met in the last 30 days, as of `refreshed_at`."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    active_pairs = models.PositiveIntegerField(default=0)
    met_last_30_days = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Recent activity of programme {self.program_id}"


class MonthlyReport(models.Model):
    """The monthly programme report written for one person for one month (`reports.py`):
    its unique (recipient, month) makes the report go out once per person and month, however
    many times the job runs or races. `month` is the first day of the reported month."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("recipient", "month", name="monthly_report_once_per_month")
        ]

    def __str__(self) -> str:
        return f"report of {self.month:%Y-%m} for {self.recipient_id}"
