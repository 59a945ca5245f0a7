from datetime import datetime

from ninja import Schema
from pydantic import Field

from tandem.accounts.models import Role
from tandem.core.params import SmallCount
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str


class OrganizationSettingsOut(Schema):
    id: int
    name: str
    aggregate_min_group_size: int = Field(
        description=(
            "Managers see averages and counts only over at least this many people "
            "(at least 3; 5 by default)"
        )
    )


class OrganizationSettingsIn(InputSchema):
    aggregate_min_group_size: SmallCount = Field(
        description="At least 3 and at most 100; a value outside is refused with a 400"
    )


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    organization: OrganizationOut | None


class MemberOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    is_active: bool


class RoleIn(InputSchema):
    role: Role


class InvitationCreateIn(InputSchema):
    email: str = Field(max_length=254)
    role: Role = Role.MEMBER


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    status: str
    created_at: datetime


class ApiTokenCreateIn(InputSchema):
    name: SingleLine = Field(min_length=1, max_length=100)


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The secret. It is shown only this once.")
