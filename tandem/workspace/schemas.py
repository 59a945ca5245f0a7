"""Activity signals for programme managers: numbers about a relationship, never its content."""

import datetime

from ninja import Field, Schema


class SignalPersonOut(Schema):
    user_id: int
    name: str


class RelationshipSignalsOut(Schema):
    id: int
    status: str
    circle_id: int | None = Field(
        description="The group circle this pair belongs to (its mentor with one of its "
        "mentees); null for a one-to-one pair"
    )
    mentor: SignalPersonOut
    mentee: SignalPersonOut
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    last_active_week: datetime.date | None = Field(
        description="The Monday of the week of the pair's last activity (never the moment)"
    )
    meetings_held: int
    last_meeting_week: datetime.date | None = Field(
        description="The Monday of the week the last meeting was held"
    )
    next_meeting_at: datetime.datetime | None
    goal_progress: int | None = Field(description="Mean progress of the pair's goals, %")
    agreement_signed: bool
    actions_open: int
    actions_overdue: int
    is_at_risk: bool = Field(
        description="Its relationship health is at risk (GET /programs/{id}/health says why)"
    )
    health_bucket: str | None = Field(
        description="on_track, needs_checkin, at_risk or too_early; null until it is scored"
    )


class SignalFiltersIn(Schema):
    status: str = Field("open", description="open (default), a status, or empty for all")
    search: str = ""
