"""Relationship health over HTTP: scores, buckets and their reasons, never the pair's content."""

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.schemas import InputSchema


class HealthPersonOut(Schema):
    user_id: int
    name: str


class HealthComponentOut(Schema):
    key: str = Field(description="cadence, quiet, checkins, goals, journey, fit, pulse or nudges")
    points: int = Field(description="How many points this took off 100")
    text: str = Field(description="The reason in a manager's words (never who answered what)")


class RelationshipHealthOut(Schema):
    relationship_id: int
    status: str
    mentor: HealthPersonOut
    mentee: HealthPersonOut
    score: int = Field(description="0-100; 100 is nothing to worry about")
    bucket: str = Field(description="on_track, needs_checkin, at_risk or too_early")
    bucket_label: str
    sentence: str = Field(
        description="The main reasons, e.g. 'no meeting in 41 days; agreed every 2 weeks'"
    )
    components: list[HealthComponentOut]
    computed_at: datetime.datetime = Field(description="When this score was computed")


class HealthFiltersIn(Schema):
    bucket: Literal["", "on_track", "needs_checkin", "at_risk", "too_early"] = Field(
        "", description="Only the pairs in this bucket; empty: all"
    )


class HealthSummaryOut(Schema):
    program_id: int
    buckets: dict[str, int] = Field(description="bucket -> open pairs in it")
    computed_at: datetime.datetime | None = Field(
        description="When the stalest score was computed (None: none yet)"
    )
    unscored: int = Field(description="Open pairs not scored yet (new since the last refresh)")


class HealthRefreshOut(Schema):
    scored: int


class HealthHistoryOut(Schema):
    score: int
    bucket: str
    sentence: str
    recorded_at: datetime.datetime


class HealthNoteOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime.datetime


class PairHealthOut(Schema):
    current: RelationshipHealthOut | None
    history: list[HealthHistoryOut]
    notes: list[HealthNoteOut]


class HealthNudgeOut(Schema):
    enqueued: int = Field(description="Emails newly owed (0 when the pair was nudged today)")


class HealthNoteIn(InputSchema):
    text: str = Field(min_length=1, max_length=2000)
