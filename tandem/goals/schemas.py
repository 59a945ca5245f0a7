import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.accounts.names import display_name
from tandem.core.params import Count
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine
from tandem.goals.models import GoalChangeField, GoalStatus, ProgressMode


class GoalPersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return display_name(obj)


class MilestoneOut(Schema):
    id: int
    goal_id: int
    title: str
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    done_by: GoalPersonOut | None
    order: int


class GoalOut(Schema):
    id: int
    relationship_id: int
    title: str = Field(description="The specific outcome.")
    measure: str = Field(description="How success will be measured.")
    target_on: datetime.date
    status: GoalStatus
    progress_mode: ProgressMode
    manual_progress: int
    progress: int = Field(
        description="0-100: 100 once achieved; else set by hand, or the share of milestones done."
    )
    created_by: GoalPersonOut | None
    achieved_at: datetime.datetime | None
    order: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())


class GoalFiltersIn(Schema):
    status: GoalStatus | None = Field(
        None, description="Only goals in this status (declined suggestions only this way)."
    )


class GoalCreateIn(InputSchema):
    title: SingleLine = Field(max_length=200, description="The specific outcome.")
    measure: str = Field(max_length=2000, description="How success will be measured.")
    target_on: datetime.date = Field(description="Today or later.")
    progress_mode: ProgressMode = ProgressMode.DERIVED
    manual_progress: int = Field(0, ge=0, le=100)


class GoalSuggestIn(InputSchema):
    title: SingleLine = Field(max_length=200, description="The specific outcome.")
    measure: str = Field(max_length=2000, description="How success will be measured.")
    target_on: datetime.date = Field(description="Today or later.")


class GoalUpdateIn(InputSchema):
    title: SingleLine | None = Field(None, max_length=200)
    measure: str | None = Field(None, max_length=2000)
    target_on: datetime.date | None = None
    progress_mode: ProgressMode | None = None
    manual_progress: int | None = Field(None, ge=0, le=100)
    order: Count | None = None


class CommentIn(InputSchema):
    body: str = Field(max_length=4000)


class CommentOut(Schema):
    id: int
    goal_id: int
    author: GoalPersonOut | None
    body: str
    created_at: datetime.datetime


class MilestoneCreateIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    due_on: datetime.date | None = Field(None, description="Today or later, by the goal's target.")


class MilestoneUpdateIn(InputSchema):
    title: SingleLine | None = Field(None, max_length=200)
    due_on: datetime.date | None = Field(None, description="Send null to clear the due date.")


class GoalChangeOut(Schema):
    id: int
    goal_id: int
    actor: GoalPersonOut | None
    at: datetime.datetime
    field: GoalChangeField
    subject: str = Field(description="The milestone's title, for milestone changes.")
    before: str
    after: str
    description: str
