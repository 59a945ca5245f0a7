import datetime
import uuid

from ninja import Schema
from pydantic import Field

from tandem.actions.models import ActionItemStatus
from tandem.core.params import Id
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine


class ActionPersonOut(Schema):
    id: int
    first_name: str
    last_name: str


class ActionItemOut(Schema):
    id: int
    relationship_id: int
    title: str
    owner: ActionPersonOut
    due_on: datetime.date | None
    status: ActionItemStatus
    reflection: str
    closed_at: datetime.datetime | None
    created_by_id: int | None
    created_at: datetime.datetime


class ActionItemCreateIn(InputSchema):
    title: SingleLine = Field(max_length=200, description="What will be practised")
    owner_id: Id = Field(description="The mentor's or the mentee's user id")
    due_on: datetime.date | None = None
    client_key: uuid.UUID | None = Field(
        default=None,
        description="An idempotency key the client chose: sending the same request again"
        " returns the item the first one created (409 if the title or owner differ)",
    )


class ActionItemUpdateIn(InputSchema):
    """Only the fields sent change; `due_on: null` clears the due date."""

    title: SingleLine | None = Field(default=None, max_length=200)
    owner_id: Id | None = None
    due_on: datetime.date | None = None


class ActionItemCloseIn(InputSchema):
    outcome: ActionItemStatus = Field(description="done or not_done")
    reflection: str = Field(default="", max_length=4000, description="What was noticed")


class ActionItemFiltersIn(Schema):
    status: ActionItemStatus | None = None
