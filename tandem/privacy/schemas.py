import datetime

from ninja import Field, Schema


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
