"""Meetings' API shapes: explicit fields, never a model wholesale."""

import datetime

from ninja import Field, Schema

from tandem.core.params import Count, SmallCount
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine


class MeetingPersonOut(Schema):
    user_id: int
    name: str


class AgendaItemOut(Schema):
    id: int
    text: str
    order: int
    added_by: MeetingPersonOut | None


class MeetingOut(Schema):
    id: int
    relationship_id: int
    title: str
    status: str
    starts_at: datetime.datetime = Field(description="UTC")
    ends_at: datetime.datetime = Field(description="UTC")
    timezone: str = Field(description="The zone the organiser scheduled in")
    my_timezone: str = Field(description="The caller's own zone (their profile)")
    my_local_time: str = Field(description="The time as the caller sees it, zone named")
    duration_minutes: int
    location: str
    video_url: str
    sequence: int
    uid: str
    created_by: MeetingPersonOut | None
    held_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    notes: str = Field(description="Shared notes: only the pair ever reads them")
    notes_version: int = Field(
        description="Counts the notes' changes: send it back as `base_version` when editing"
    )
    agenda: list[AgendaItemOut]


class MeetingScheduleIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    date: datetime.date = Field(description="Local date in `timezone`")
    time: datetime.time = Field(description="Local start time in `timezone`")
    timezone: str = Field(description="IANA zone, e.g. Europe/London")
    duration_minutes: SmallCount = 60
    location: SingleLine = ""
    video_url: str = ""
    agenda: list[str] = Field(default_factory=list)


class MeetingRescheduleIn(InputSchema):
    title: SingleLine | None = Field(default=None, max_length=200)
    date: datetime.date | None = None
    time: datetime.time | None = None
    timezone: str | None = None
    duration_minutes: SmallCount | None = None
    location: SingleLine | None = None
    video_url: str | None = None


class MeetingHeldIn(InputSchema):
    notes: str | None = None


class MeetingNotesIn(InputSchema):
    notes: str
    base_version: Count | None = Field(
        default=None,
        description="The `notes_version` the edit started from: when the notes changed since,"
        " nothing is saved and the answer is 409 (omit it to replace the notes regardless)",
    )


class AgendaItemIn(InputSchema):
    text: str = Field(max_length=500)


class CheckInIn(InputSchema):
    usefulness: int = Field(ge=1, le=5, description="How useful the meeting was, 1 to 5")
    practise_next: str = Field(default="", max_length=200)
    create_action: bool | None = Field(
        default=None,
        description="Create an action item from practise_next (default: when it is given)",
    )


class CheckInOut(Schema):
    id: int
    meeting_id: int
    user: MeetingPersonOut
    usefulness: int
    practise_next: str
    action_item_id: int | None
    created_at: datetime.datetime


class CalendarFeedOut(Schema):
    url: str = Field(description="Shown once: the private feed URL with its secret")
    created_at: datetime.datetime
