import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.core.params import Id, SmallCount
from tandem.core.schemas import InputSchema
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import ProgramAccess, ProgramStatus


class ParticipantProgramOut(Schema):
    id: int
    name: str
    description: str
    status: ProgramStatus
    access: ProgramAccess
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    enrollment_opens_on: datetime.date | None
    enrollment_closes_on: datetime.date | None
    default_mentor_capacity: int


class ParticipationOut(Schema):
    """The caller's own place in a programme."""

    id: int
    program: ParticipantProgramOut
    role: ParticipantRole
    status: ParticipantStatus
    capacity: int | None
    enrolled_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None


class ParticipantUserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    department: str

    @staticmethod
    def resolve_department(obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return profile.department if profile is not None else ""


class ParticipantOut(Schema):
    id: int
    program_id: int
    user: ParticipantUserOut
    role: ParticipantRole
    status: ParticipantStatus
    capacity: int | None
    motivation: str
    enrolled_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decision_note: str
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str


class AnswerOut(Schema):
    question_id: int
    prompt: str
    value: Any

    @staticmethod
    def resolve_prompt(obj: Any) -> str:
        return str(obj.question.prompt)


class ParticipantDetailOut(ParticipantOut):
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: Participant) -> list[Any]:
        return list(obj.answers.all())


class EnrollmentIn(InputSchema):
    role: ParticipantRole
    capacity: SmallCount | None = Field(
        default=None,
        description="Mentors: how many mentees you take here (default: the programme's)",
    )
    motivation: str = Field(default="", description="Why you want to join (applications)")
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Answers keyed by question id: text and single choice a string, multiple choice a "
            "list of strings, scale and number an integer, skills a list of skill ids."
        ),
    )


class ParticipantAddIn(InputSchema):
    user_id: Id | None = None
    email: str | None = Field(default=None, max_length=254)
    role: ParticipantRole
    capacity: SmallCount | None = None


class DecisionIn(InputSchema):
    note: str = ""


class WithdrawIn(InputSchema):
    reason: str = ""


class ParticipantFiltersIn(Schema):
    role: ParticipantRole | None = None
    status: ParticipantStatus | None = None
    department: str = ""
    search: str = ""


class AvailabilityIn(InputSchema):
    accepting: bool = Field(description="false pauses new mentees; true resumes")


class CapacityIn(InputSchema):
    capacity: SmallCount = Field(
        description="How many mentees the mentor takes (not below current)"
    )


class MentorPlacesOut(Schema):
    """A mentor's places in one programme: how many, how many taken, and whether open."""

    id: int
    program_id: int
    capacity: int | None
    matched_count: int
    is_accepting_mentees: bool
