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
    push: bool = Field(description="Also sent as a web push to the caller's browsers")
    slack: bool = Field(description="Also sent as a Slack direct message")
    teams: bool = Field(description="Also posted to the caller's Teams workflow")


class PreferencesIn(InputSchema):
    channels: dict[str, str] = Field(
        description="Category -> channel (email, in_app or off); categories not sent stay as "
        "they are"
    )
    push: dict[str, bool] = Field(
        default_factory=dict,
        description="Category -> web push on or off (not beside off); categories not sent stay "
        "as they are",
    )
    slack: dict[str, bool] = Field(
        default_factory=dict,
        description="Category -> Slack direct message on or off (only where the organisation "
        "turned Slack on)",
    )
    teams: dict[str, bool] = Field(
        default_factory=dict,
        description="Category -> Teams on or off (only where the organisation turned Teams on "
        "and once the caller's webhook URL is set)",
    )


class PushKeysIn(InputSchema):
    p256dh: str = Field(max_length=200, description="The browser's P-256 key (base64url)")
    auth: str = Field(max_length=100, description="The browser's auth secret (base64url)")


class PushSubscriptionIn(InputSchema):
    endpoint: str = Field(max_length=1000, description="The push service's URL for this browser")
    keys: PushKeysIn


class PushSubscriptionRemoveIn(InputSchema):
    endpoint: str = Field(max_length=1000)


class PushStatusOut(Schema):
    public_key: str = Field(description="VAPID public key (applicationServerKey); empty: off")
    enabled: bool = Field(description="Web push is configured and on for the organisation")
    subscriptions: int = Field(description="How many of the caller's browsers are subscribed")


class ChannelSettingsIn(InputSchema):
    push_enabled: bool | None = None
    slack_enabled: bool | None = None
    teams_enabled: bool | None = None
    slack_bot_token: str | None = Field(
        default=None,
        max_length=255,
        description="The Slack app's bot token (xoxb-…); write-only, never shown again; "
        '"" removes it',
    )
    # Bounded for the schema's sake; the service names the real range (1 to 500).
    daily_cap: int | None = Field(
        default=None,
        ge=0,
        le=32767,
        description="Messages beside email per person and 24 hours (1 to 500)",
    )


class ChannelFailureOut(Schema):
    id: int
    channel: str
    category: str
    recipient_email: str
    subject: str
    error: str
    created_at: datetime.datetime
    fallback_status: str | None = Field(
        description="Status of the email sent instead (null: the person gets this category by "
        "email anyway)"
    )


class ChannelSettingsOut(Schema):
    push_enabled: bool
    slack_enabled: bool
    slack_token_set: bool = Field(description="A bot token is set (it is never shown)")
    teams_enabled: bool
    daily_cap: int
    failures: list[ChannelFailureOut] = Field(
        description="The latest messages a channel could not deliver (each fell back to email)"
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


class TeamsWebhookIn(InputSchema):
    url: str | None = Field(
        default=None,
        max_length=500,
        description="The caller's Teams Workflows webhook URL (https); null or empty forgets it",
    )


class TeamsWebhookOut(Schema):
    configured: bool
    hint: str = Field(description="The URL's host (the full URL is a secret and never shown)")
