import datetime

from ninja import Schema
from pydantic import Field

from tandem.core.schemas import InputSchema
from tandem.webhooks.events import WebhookEvent


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_enabled: bool
    disabled_at: datetime.datetime | None
    disabled_reason: str
    consecutive_failures: int
    secret_rotated_at: datetime.datetime | None
    previous_secret_until: datetime.datetime | None = Field(
        description="Until then the previous secret signs too (after a rotation)"
    )
    created_at: datetime.datetime


class WebhookEndpointSecretOut(WebhookEndpointOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks `whsec_…`): shown this once, only"
    )


class WebhookEndpointCreateIn(InputSchema):
    url: str = Field(max_length=500, description="https:// only; a public address")
    event_types: list[str] = Field(max_length=20)
    description: str = Field("", max_length=200)


class WebhookEndpointUpdateIn(InputSchema):
    url: str | None = Field(None, max_length=500)
    event_types: list[str] | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=200)


class WebhookAttemptOut(Schema):
    attempted_at: datetime.datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer")
    error: str
    duration_ms: int


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime
    sent_at: datetime.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime.datetime
    attempt_log: list[WebhookAttemptOut]


class WebhookEventTypeOut(Schema):
    type: str
    description: str
    example: WebhookEvent = Field(description="An example body, with this type's schema")
