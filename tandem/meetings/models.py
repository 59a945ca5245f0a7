"""Meetings of a mentoring pair: when and where, the agenda both add to, what happened, and
each person's check-in afterwards. Plus each person's private calendar feed.

Times are stored in UTC; `Meeting.timezone` remembers the zone the organiser scheduled in, and
every page shows the time in the viewer's own zone (their profile). A meeting's `uid` never
changes (calendar clients match on it); `sequence` grows with every revision sent out.
"""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.relationships.models import Relationship

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480


def new_meeting_uid() -> str:
    return f"meeting-{uuid.uuid4()}@tandem"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Meeting(TimeStampedModel):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text="IANA zone the organiser scheduled in")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=200, unique=True, default=new_meeting_uid, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="meetings_organised"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Shared notes: both people of the pair read and edit them; nobody else ever does.
    notes = models.TextField(blank=True)
    notes_updated_at = models.DateTimeField(null=True, blank=True)
    notes_updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Counts the changes of the notes: an edit made from an older version (offline, or while
    # the partner typed) is refused and shown with both texts rather than overwriting theirs.
    notes_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION_MINUTES)
                & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="meeting_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held", "cancelled"]),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_at__isnull=False),
                name="meeting_held_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="meeting_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["relationship", "starts_at"]),
            models.Index(fields=["relationship", "status"]),
        ]

    def __str__(self) -> str:
        # Never the title: it is the pair's own words, and this ends up in the admin and logs.
        return f"Meeting {self.pk} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class AgendaItem(models.Model):
    """A question or topic either person adds to a meeting's agenda ahead of time."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    text = models.CharField(max_length=500)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    order = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint("meeting", "order", name="agenda_item_order_unique"),
        ]

    def __str__(self) -> str:
        # Never the text: the pair's question, and this is listed on admin and error pages.
        return f"Agenda item {self.pk}"


class CalendarFeedToken(models.Model):
    """A person's private calendar-feed secret: only its SHA-256 digest is stored."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class CheckIn(models.Model):
    """One person's word after a meeting: how useful it was, and what they will practise."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meeting_checkins")
    usefulness = models.PositiveSmallIntegerField()
    practise_next = models.CharField(max_length=200, blank=True)
    # The action item this check-in created in one step (the actions app owns it).
    action_item = models.ForeignKey(
        "actions.ActionItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint("meeting", "user", name="checkin_once_per_person"),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1) & Q(usefulness__lte=5),
                name="checkin_usefulness_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.meeting}: {self.usefulness}/5"
