from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from tandem.audit.models import AuditEntry
from tandem.audit.selectors import actor_label, object_type_label
from tandem.core.params import SmallCount
from tandem.core.schemas import InputSchema


class AuditFiltersIn(Schema):
    actor: str = Field("", max_length=254, description="Part of the actor's name or email.")
    event: str = Field(
        "", max_length=64, description="An event (`sign_in.failed`) or its start (`sign_in`)."
    )
    object_type: str = Field(
        "", max_length=100, description="What the entry is about, as app.model (`accounts.user`)."
    )
    date_from: date | None = Field(None, description="The first day (inclusive).")
    date_to: date | None = Field(None, description="The last day (inclusive).")


class AuditEntryOut(Schema):
    """One entry. `actor` is the person's name, their pseudonym once erased, or "Tandem";
    `details` holds a model change's fields (`{"role": ["member", "org_admin"]}`) or an event's
    ids, counts and settings, never anyone's private words."""

    id: int
    at: datetime = Field(..., alias="timestamp")
    actor: str
    actor_id: int | None
    address: str | None = Field(None, alias="remote_addr")
    event: str
    object_type: str
    object_id: str = Field("", alias="object_pk")
    object: str = Field("", alias="object_repr")
    details: dict[str, Any] | None

    @staticmethod
    def resolve_actor(entry: AuditEntry) -> str:
        return actor_label(entry)

    @staticmethod
    def resolve_object_type(entry: AuditEntry) -> str:
        return object_type_label(entry)

    @staticmethod
    def resolve_details(entry: AuditEntry) -> dict[str, Any] | None:
        value = entry.changes if entry.changes else entry.additional_data
        return value if isinstance(value, dict) else None


class AuditSettingsOut(Schema):
    retention_days: int


class AuditSettingsIn(InputSchema):
    retention_days: SmallCount = Field(..., description="Days an audit entry is kept (30 to 3650).")
