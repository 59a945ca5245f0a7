import datetime

from ninja import Schema
from pydantic import Field

from tandem.core.params import Id
from tandem.core.schemas import InputSchema
from tandem.notifications.models import NotificationCategory, NotificationChannel


class NotificationOut(Schema):
    id: int
    category: NotificationCategory
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationFiltersIn(Schema):
    unread: bool = Field(default=False, description="Only the unread ones")


class MarkReadIn(InputSchema):
    ids: list[Id] | None = Field(default=None, description="These notifications (the caller's)")
    all: bool = Field(default=False, description="Every unread notification of the caller")


class MarkReadOut(Schema):
    marked: int


class PreferenceOut(Schema):
    category: NotificationCategory
    label: str
    channel: NotificationChannel


class PreferencesIn(InputSchema):
    channels: dict[str, str] = Field(
        description="Category -> channel (email, in_app or off); categories not sent stay as "
        "they are"
    )


class QuietHoursIn(InputSchema):
    start: datetime.time | None = Field(
        default=None, description="Start of the quiet hours (HH:MM, the caller's timezone)"
    )
    end: datetime.time | None = Field(
        default=None, description="End (may be earlier than start: overnight); both null = none"
    )


class QuietHoursOut(Schema):
    start: datetime.time | None
    end: datetime.time | None
    timezone: str = Field(description="The caller's profile timezone the times are in")
