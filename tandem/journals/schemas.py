import datetime

from ninja import Schema
from pydantic import Field

from tandem.accounts.names import display_name
from tandem.core.params import Id
from tandem.core.schemas import InputSchema
from tandem.journals.models import JournalMood


class JournalEntryOut(Schema):
    """One of my own entries."""

    id: int
    relationship_id: int
    text: str
    mood: JournalMood | None
    tags: list[str]
    meeting_id: int | None
    meeting_title: str | None
    shared_with_partner: bool
    shared_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_mood(obj: object) -> str | None:
        return getattr(obj, "mood", "") or None

    @staticmethod
    def resolve_meeting_title(obj: object) -> str | None:
        meeting = getattr(obj, "meeting", None)
        return None if meeting is None else str(meeting.title)


class SharedJournalEntryOut(Schema):
    """An entry my partner shared with me."""

    id: int
    relationship_id: int
    author_id: int
    author_name: str
    text: str
    mood: JournalMood | None
    tags: list[str]
    meeting_id: int | None
    meeting_title: str | None
    shared_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_author_name(obj: object) -> str:
        author = obj.author  # type: ignore[attr-defined]
        return display_name(author)

    @staticmethod
    def resolve_mood(obj: object) -> str | None:
        return getattr(obj, "mood", "") or None

    @staticmethod
    def resolve_meeting_title(obj: object) -> str | None:
        meeting = getattr(obj, "meeting", None)
        return None if meeting is None else str(meeting.title)


class JournalEntryCreateIn(InputSchema):
    text: str = Field(max_length=20_000)
    mood: JournalMood | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    meeting_id: Id | None = None


class JournalEntryUpdateIn(InputSchema):
    """Only the fields sent change; "mood": null clears the mood, "meeting_id": null the
    meeting."""

    text: str | None = Field(default=None, max_length=20_000)
    mood: JournalMood | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    meeting_id: Id | None = None
