"""The HR sync API's schemas: a run as its history shows it."""

from datetime import datetime

from ninja import Schema


class HrSyncErrorOut(Schema):
    field: str
    message: str
    row: int | None = None


class HrSyncPersonOut(Schema):
    person: str
    row: int | None = None
    action: str
    changes: list[str]


class HrSyncRunOut(Schema):
    id: int
    created_at: datetime
    source: str
    file_name: str
    is_full: bool
    valid_only: bool
    status: str
    rows: int
    created: int
    updated: int
    deactivated: int
    error_count: int
    report: list[HrSyncPersonOut]
    errors: list[HrSyncErrorOut]
