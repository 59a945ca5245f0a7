"""Relationships in and out of the API: explicit fields only."""

import datetime

from ninja import Field, Schema

from tandem.core.schemas import InputSchema


class RelationshipPersonOut(Schema):
    user_id: int
    name: str
    email: str


class RelationshipOut(Schema):
    id: int
    program_id: int
    program_name: str
    status: str
    source: str
    mentor: RelationshipPersonOut
    mentee: RelationshipPersonOut
    circle_id: int | None
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    last_activity_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    close_reason: str
    wants_new_match: bool
    my_side: str = Field(description="mentor, mentee or manager: how the caller sees it")
    actions: list[str] = Field(description="lifecycle actions possible from the current status")


class TransitionIn(InputSchema):
    reason: str = Field("", max_length=2000, description="Required to end early")
    find_new_match: bool = Field(
        False, description="Ending early: return the mentee to matching for a new mentor"
    )
