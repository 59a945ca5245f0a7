"""Activity signals for programme managers: numbers about a relationship, never its content."""

import datetime

from ninja import Field, Schema


class SignalPersonOut(Schema):
    user_id: int
    name: str


class RelationshipSignalsOut(Schema):
    id: int
    status: str
    mentor: SignalPersonOut
    mentee: SignalPersonOut
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    last_activity_at: datetime.datetime | None
    meetings_held: int
    last_meeting_at: datetime.datetime | None
    next_meeting_at: datetime.datetime | None
    average_usefulness: float | None = Field(description="Mean check-in rating, 1 to 5")
    goal_progress: int | None = Field(description="Mean progress of the pair's goals, %")
    agreement_signed: bool
    actions_open: int
    actions_overdue: int
    is_at_risk: bool = Field(description="Active, and no meeting held for six weeks")


class SignalFiltersIn(Schema):
    status: str = Field("open", description="open (default), a status, or empty for all")
    search: str = ""
