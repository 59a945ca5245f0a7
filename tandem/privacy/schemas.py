import datetime

from ninja import Field, Schema

from tandem.core.schemas import InputSchema


class DataExportOut(Schema):
    id: int
    subject_id: int = Field(description="The person the export is about")
    status: str = Field(description="queued, running, ready, failed or expired")
    progress: int = Field(description="0-100")
    size_bytes: int = Field(description="The archive's size once ready")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    expires_at: datetime.datetime | None = Field(
        description="Until when it can be downloaded; then its file is deleted"
    )


class ErasureRequestIn(InputSchema):
    reason: str = Field(
        default="", max_length=1000, description="Why (optional; blanked when it is done)"
    )


class ErasureRequestOut(Schema):
    id: int
    person_id: int = Field(description="The person to erase")
    status: str = Field(description="pending, cancelled or done")
    requested_at: datetime.datetime
    due_at: datetime.datetime = Field(description="When it happens; until then it can be cancelled")
    cancelled_at: datetime.datetime | None
    done_at: datetime.datetime | None
    report: dict[str, dict[str, int]] = Field(
        description="Once done: rows deleted and rows kept pseudonymised, per model (counts only)"
    )
