"""Meetings for tests, made the way people make them (through the services)."""

import datetime
from typing import Any

from django.utils import timezone

from tandem.accounts.models import User
from tandem.meetings.models import Meeting
from tandem.meetings.services import meeting_schedule
from tandem.relationships.models import Relationship


def in_days(days: int = 3, hour: int = 14) -> tuple[datetime.date, datetime.time]:
    """A date `days` ahead and a wall-clock time, for the scheduling form."""
    return (timezone.now() + datetime.timedelta(days=days)).date(), datetime.time(hour, 0)


def schedule(relationship: Relationship, actor: User | None = None, **overrides: Any) -> Meeting:
    date, time = in_days(overrides.pop("days", 3), overrides.pop("hour", 14))
    values: dict[str, Any] = {
        "title": "Mentoring conversation",
        "date": date,
        "time": time,
        "timezone_name": "Europe/London",
        "duration_minutes": 60,
        "location": "Room 4",
        "video_url": "https://meet.example.com/abc",
        "agenda": [],
    }
    values.update(overrides)
    return meeting_schedule(
        actor=actor or relationship.mentor.user, relationship_id=relationship.pk, **values
    )


def started(meeting: Meeting, hours_ago: float = 2) -> Meeting:
    """Move a meeting's start into the past (tests cannot wait for the clock)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    meeting.refresh_from_db()
    return meeting
