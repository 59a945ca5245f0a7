import datetime

from ninja import Schema
from pydantic import Field

from tandem.accounts.names import display_name
from tandem.conversations.services import MAX_BODY
from tandem.core.params import MAX_BIGINT
from tandem.core.schemas import InputSchema


class MessageOut(Schema):
    id: int
    author_id: int | None
    author_name: str
    body: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author_name(obj: object) -> str:
        author = obj.author  # type: ignore[attr-defined]
        if author is None:
            return "Former member"
        return display_name(author)


class MessageCreateIn(InputSchema):
    body: str = Field(max_length=MAX_BODY)


class MessageFiltersIn(Schema):
    after_id: int | None = Field(
        default=None, ge=0, le=MAX_BIGINT, description="Only messages newer than this id"
    )
