"""What the nudges API takes and gives, field by field."""

from ninja import Field, Schema

from tandem.core.params import Count
from tandem.core.schemas import InputSchema


class NudgeSettingOut(Schema):
    rule: str
    label: str
    description: str
    recipients: str
    category: str
    is_enabled: bool
    timing: int
    default_timing: int
    unit: str
    timing_label: str
    minimum: int
    maximum: int


class NudgeSettingIn(InputSchema):
    rule: str = Field(max_length=40)
    is_enabled: bool
    timing: Count


class NudgeSettingsIn(InputSchema):
    settings: list[NudgeSettingIn] = Field(max_length=50)
