from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from tandem.accounts.languages import language_for
from tandem.accounts.models import Role, User
from tandem.core.params import Id, SmallCount
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine
from tandem.people.models import Profile
from tandem.people.zones import zone_name_or_utc


class SkillRefOut(Schema):
    id: int
    name: str


class ProfileOut(Schema):
    email: str
    first_name: str
    last_name: str
    job_title: str
    department: str
    seniority: int | None
    location: str
    timezone: str
    languages: list[str]
    bio: str
    skills_offered: list[SkillRefOut]
    skills_wanted: list[SkillRefOut]
    goals: str
    availability: str
    mentor_capacity: int
    language: str = Field(description="The language the person reads Tandem in: en-gb or es")
    updated_at: datetime

    @staticmethod
    def resolve_email(obj: Profile) -> str:
        return obj.user.email

    @staticmethod
    def resolve_language(obj: Profile) -> str:
        return language_for(obj.user)

    @staticmethod
    def resolve_first_name(obj: Profile) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj: Profile) -> str:
        return obj.user.last_name

    @staticmethod
    def resolve_skills_offered(obj: Profile) -> list[object]:
        return list(obj.skills_offered.all())

    @staticmethod
    def resolve_skills_wanted(obj: Profile) -> list[object]:
        return list(obj.skills_wanted.all())


class ProfileUpdateIn(InputSchema):
    """Send only the fields to change. Skills are ids from GET /skills."""

    job_title: SingleLine | None = Field(default=None, max_length=150)
    department: SingleLine | None = Field(default=None, max_length=150)
    seniority: SmallCount | None = None
    location: SingleLine | None = Field(default=None, max_length=150)
    timezone: str | None = Field(default=None, max_length=64)
    languages: list[str] | None = None
    bio: str | None = Field(default=None, max_length=5000)
    skills_offered: list[Id] | None = None
    skills_wanted: list[Id] | None = None
    goals: str | None = Field(default=None, max_length=5000)
    availability: str | None = Field(default=None, max_length=2000)
    mentor_capacity: SmallCount | None = None
    language: str | None = Field(
        default=None,
        max_length=16,
        description="The language to read Tandem in: en-gb or es; another is refused with a 400",
    )


class SkillOut(Schema):
    id: int
    name: str
    category: str


class SkillWithUsageOut(SkillOut):
    offered_count: int = Field(description="Profiles offering this skill")
    wanted_count: int = Field(description="Profiles wanting this skill")


class SkillCreateIn(InputSchema):
    name: SingleLine = Field(min_length=1, max_length=200)
    category: SingleLine = Field(default="", max_length=80)


class SkillUpdateIn(InputSchema):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    category: SingleLine | None = Field(default=None, max_length=80)


class PersonOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    is_active: bool
    job_title: str
    department: str
    location: str
    timezone: str
    manager_email: str | None
    hire_date: date | None

    @staticmethod
    def _profile(obj: User) -> Profile | None:
        try:
            return obj.profile
        except Profile.DoesNotExist:
            return None

    @staticmethod
    def resolve_job_title(obj: User) -> str:
        profile = PersonOut._profile(obj)
        return profile.job_title if profile else ""

    @staticmethod
    def resolve_department(obj: User) -> str:
        profile = PersonOut._profile(obj)
        return profile.department if profile else ""

    @staticmethod
    def resolve_location(obj: User) -> str:
        profile = PersonOut._profile(obj)
        return profile.location if profile else ""

    @staticmethod
    def resolve_timezone(obj: User) -> str:
        profile = PersonOut._profile(obj)
        return zone_name_or_utc(profile.timezone if profile else None)

    @staticmethod
    def resolve_manager_email(obj: User) -> str | None:
        profile = PersonOut._profile(obj)
        return profile.manager.email if profile and profile.manager else None

    @staticmethod
    def resolve_hire_date(obj: User) -> date | None:
        profile = PersonOut._profile(obj)
        return profile.hire_date if profile else None


class ImportErrorOut(Schema):
    row: int | None
    field: str
    message: str


class ImportRowOut(Schema):
    row: int
    email: str
    action: str = Field(
        description=(
            "create, update, unchanged or reject; after a commit also skip (not added: see changes)"
        )
    )
    changes: list[str]
    errors: list[ImportErrorOut]


class ImportOut(Schema):
    dry_run: bool
    committed: bool
    counts: dict[str, int]
    columns: list[str] = Field(description="The fields the file's columns were read as")
    warnings: list[str]
    rows: list[ImportRowOut] = Field(description="Rejected rows first, then in file order")
