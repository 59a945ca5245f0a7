import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.agreements.models import AgreementStatus
from tandem.core.params import SmallCount, Version
from tandem.core.schemas import InputSchema


class AgreementOut(Schema):
    relationship_id: int
    version: int
    status: AgreementStatus
    goals_summary: str
    cadence: str
    channels: list[str]
    duration_months: int
    mentor_expectations: str
    mentee_expectations: str
    boundaries: str
    confidentiality: str
    mentor_signed_at: datetime.datetime | None
    mentee_signed_at: datetime.datetime | None
    signed_by_me: bool
    updated_at: datetime.datetime
    signed_versions: list[int]


class AgreementUpdateIn(InputSchema):
    version: Version = Field(description="The version this edit is based on (409 when stale).")
    goals_summary: str = Field(description="What the mentee wants from the relationship.")
    cadence: str = Field(description="weekly, fortnightly or monthly")
    channels: list[str] = Field(description="Any of video, phone, in_person, chat")
    duration_months: SmallCount
    mentor_expectations: str
    mentee_expectations: str
    boundaries: str


class AgreementSignIn(InputSchema):
    version: Version = Field(description="The version being signed (409 when stale).")


class AgreementVersionSummaryOut(Schema):
    version: int
    mentor_signed_at: datetime.datetime
    mentee_signed_at: datetime.datetime
    created_at: datetime.datetime


class AgreementContentOut(Schema):
    goals_summary: str
    cadence: str
    channels: list[str]
    duration_months: int
    mentor_expectations: str
    mentee_expectations: str
    boundaries: str
    confidentiality: str


class AgreementVersionOut(AgreementVersionSummaryOut):
    content: AgreementContentOut

    @staticmethod
    def resolve_content(obj: Any) -> dict[str, Any]:
        return dict(obj.content)


class AgreementTemplateOut(Schema):
    program_id: int
    goals_prompt: str
    cadence_prompt: str
    channels_prompt: str
    duration_prompt: str
    mentor_expectations_prompt: str
    mentee_expectations_prompt: str
    boundaries_prompt: str
    confidentiality_statement: str
    updated_at: datetime.datetime


class AgreementTemplateIn(InputSchema):
    goals_prompt: str
    cadence_prompt: str
    channels_prompt: str
    duration_prompt: str
    mentor_expectations_prompt: str
    mentee_expectations_prompt: str
    boundaries_prompt: str
    confidentiality_statement: str
