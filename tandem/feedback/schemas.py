import datetime

from ninja import Schema
from pydantic import Field

from tandem.core.params import SmallCount
from tandem.core.schemas import InputSchema
from tandem.feedback.models import FeedbackDirection


class FeedbackAuthorOut(Schema):
    id: int
    first_name: str
    last_name: str


class FeedbackOut(Schema):
    id: int
    relationship_id: int
    author: FeedbackAuthorOut
    direction: FeedbackDirection
    strengths: str
    to_develop: str
    suggestion: str
    what_helped: str
    what_to_change: str
    usefulness: int | None
    created_at: datetime.datetime


class FeedbackCreateIn(InputSchema):
    """The mentor answers strengths, to_develop and suggestion; the mentee answers what_helped,
    what_to_change (optional) and usefulness. The direction follows from who writes."""

    strengths: str = Field(default="", max_length=4000, description="Mentor: a strength you saw")
    to_develop: str = Field(default="", max_length=4000, description="Mentor: what to develop")
    suggestion: str = Field(default="", max_length=4000, description="Mentor: one thing to try")
    what_helped: str = Field(default="", max_length=4000, description="Mentee: what helped")
    what_to_change: str = Field(default="", max_length=4000, description="Mentee: what to change")
    usefulness: SmallCount | None = Field(default=None, description="Mentee: how useful, 1 to 5")
