import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.core.params import Count
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine
from tandem.surveys.models import SurveyAudience, Trigger


class SurveyInvitationOut(Schema):
    id: int
    survey_title: str
    program_name: str
    relationship_id: int
    occasion: str = Field(description="When it was sent: first-meeting, day-N, halfway or end.")
    created_at: datetime.datetime
    is_answered: bool


class SurveyAnswerOut(Schema):
    question_key: str
    question_type: str
    number: int | None
    choices: list[str]
    text: str


class InvitationDetailOut(SurveyInvitationOut):
    version: int
    definition: dict[str, Any] = Field(description="The questions (see SurveyDefinition).")
    my_answers: list[SurveyAnswerOut] = Field(
        description="Your own answers; empty until you answer."
    )
    submitted_at: datetime.datetime | None


class ResponseIn(InputSchema):
    answers: dict[str, Any] = Field(
        description="Question key -> answer: a whole number (rating 1-5, nps 0-10), a choice, "
        "a list of choices (multiple choice), text, or good_fit / still_deciding / "
        "not_a_good_fit (pairing fit)."
    )


class ResponseOut(Schema):
    invitation_id: int
    version: int
    submitted_at: datetime.datetime
    answers: list[SurveyAnswerOut]


class SurveyOut(Schema):
    id: int
    program_id: int
    kind: str
    title: str
    audience: SurveyAudience
    trigger: Trigger
    offset_days: int
    repeat_days: int | None
    is_active: bool
    template_key: str
    version: int
    definition: dict[str, Any]


class SurveyCreateIn(InputSchema):
    title: SingleLine = Field(max_length=120)
    trigger: Trigger
    audience: SurveyAudience = SurveyAudience.BOTH
    offset_days: Count = 0
    repeat_days: Count | None = None
    definition: dict[str, Any] = Field(description="See SurveyDefinition's JSON schema.")


class SurveyUpdateIn(InputSchema):
    title: SingleLine | None = Field(None, max_length=120)
    is_active: bool | None = None
    trigger: Trigger | None = None
    audience: SurveyAudience | None = None
    offset_days: Count | None = None
    repeat_days: Count | None = None
    definition: dict[str, Any] | None = None


class QuestionResultOut(Schema):
    key: str
    type: str
    text: str
    people: int = Field(description="People in the published answers (0 while withheld).")
    mean: float | None
    nps: int | None
    counts: dict[str, int]
    texts: list[str] = Field(description="Free-text answers, without names, alphabetical.")


class SurveyResultsOut(Schema):
    survey_id: int
    min_group: int = Field(description="Nothing is shown for fewer people than this.")
    invited_people: int
    response_rate: float | None = Field(description="Percent answered within 30 days.")
    published_through: datetime.date | None
    questions: list[QuestionResultOut]
