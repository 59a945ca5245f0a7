from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.params import Id, Int32, SmallCount
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine
from tandem.people.models import DirectoryGroup
from tandem.programs.models import (
    DEFAULT_PROGRAM_COLOUR,
    EnrollmentQuestion,
    MeetingCadence,
    ProgramAccess,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
    QuestionAudience,
    QuestionKind,
)


class ManagerOut(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return display_name(obj)


class GroupOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: DirectoryGroup) -> str:
        return obj.display_name


class ProgramOut(Schema):
    id: int
    name: str
    description: str
    purpose: ProgramPurpose
    format: ProgramFormat
    status: ProgramStatus
    access: ProgramAccess
    is_ongoing: bool
    starts_on: date | None
    ends_on: date | None
    enrollment_opens_on: date | None
    enrollment_closes_on: date | None
    duration_months: int
    cadence: MeetingCadence
    default_mentor_capacity: int
    max_circle_size: int
    colour: str = Field(
        description="The programme's accent on its page and in its emails (#rrggbb)"
    )
    managers: list[ManagerOut]
    eligible_groups: list[GroupOut] = Field(
        description="Who may enrol: members of any of these directory groups (empty: everyone)"
    )
    mentor_count: int = Field(description="Mentors enrolled (active)")
    mentee_count: int = Field(description="Mentees enrolled (active)")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    archived_at: datetime | None


class ProgramCreateIn(InputSchema):
    name: SingleLine
    description: str = ""
    purpose: ProgramPurpose = ProgramPurpose.CAREER
    format: ProgramFormat = ProgramFormat.ONE_TO_ONE
    access: ProgramAccess = ProgramAccess.OPEN
    is_ongoing: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    enrollment_opens_on: date | None = None
    enrollment_closes_on: date | None = None
    duration_months: SmallCount | None = Field(
        default=None, description="Expected months a relationship lasts; default by purpose"
    )
    cadence: MeetingCadence | None = Field(
        default=None, description="How often pairs meet; default by purpose"
    )
    default_mentor_capacity: SmallCount = 1
    max_circle_size: SmallCount = 5
    colour: str = Field(
        default=DEFAULT_PROGRAM_COLOUR,
        description="The programme's accent on its page and in its emails: a hex colour #rrggbb",
    )
    manager_ids: list[Id] = Field(
        default_factory=list,
        description="Further managers (programme managers or org admins of your organisation); "
        "the creator is always one",
    )
    eligible_group_ids: list[Id] = Field(
        default_factory=list,
        description="Directory groups (from SCIM) whose members may enrol; empty: everyone "
        "of the organisation. An invitation lets anyone in.",
    )


class ProgramUpdateIn(InputSchema):
    """Only the fields sent are changed. `manager_ids` replaces the list of managers,
    `eligible_group_ids` the directory groups whose members may enrol (empty: everyone)."""

    name: SingleLine | None = None
    description: str | None = None
    purpose: ProgramPurpose | None = None
    format: ProgramFormat | None = None
    access: ProgramAccess | None = None
    is_ongoing: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    enrollment_opens_on: date | None = None
    enrollment_closes_on: date | None = None
    duration_months: SmallCount | None = None
    cadence: MeetingCadence | None = None
    default_mentor_capacity: SmallCount | None = None
    max_circle_size: SmallCount | None = None
    colour: str | None = Field(default=None, description="A hex colour #rrggbb")
    manager_ids: list[Id] | None = None
    eligible_group_ids: list[Id] | None = None


class QuestionOut(Schema):
    id: int
    prompt: str
    help_text: str
    kind: QuestionKind
    audience: QuestionAudience
    is_required: bool
    use_for_matching: bool
    position: int
    choices: list[str]
    min_value: int | None
    max_value: int | None
    answer_count: int = Field(description="Answers given; a question with answers keeps its kind")

    @staticmethod
    def resolve_answer_count(obj: EnrollmentQuestion) -> int:
        annotated = getattr(obj, "answer_count", None)
        return annotated if annotated is not None else obj.answers.count()


class QuestionCreateIn(InputSchema):
    prompt: SingleLine
    help_text: str = ""
    kind: QuestionKind
    audience: QuestionAudience = QuestionAudience.BOTH
    is_required: bool = False
    use_for_matching: bool = False
    choices: list[str] = Field(default_factory=list, description="Options of a choice question")
    min_value: Int32 | None = Field(default=None, description="Number questions: smallest answer")
    max_value: Int32 | None = Field(default=None, description="Number questions: largest answer")


class QuestionUpdateIn(InputSchema):
    """Only the fields sent are changed."""

    prompt: SingleLine | None = None
    help_text: str | None = None
    kind: QuestionKind | None = None
    audience: QuestionAudience | None = None
    is_required: bool | None = None
    use_for_matching: bool | None = None
    choices: list[str] | None = None
    min_value: Int32 | None = None
    max_value: Int32 | None = None


class QuestionReorderIn(InputSchema):
    question_ids: list[Id] = Field(
        description="Every question id of the programme, each once, in the new order"
    )
