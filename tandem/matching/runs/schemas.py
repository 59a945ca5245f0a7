"""Schemas for bulk matching over HTTP: explicit fields, never a model wholesale."""

import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.accounts.names import display_name
from tandem.core.params import Id, Int32, SmallCount
from tandem.core.schemas import InputSchema
from tandem.matching.engine import DepartmentPreference
from tandem.matching.models import MatchProposal, MatchRun, RunObjective, RunStatus
from tandem.matching.runs.selectors import SettingsView
from tandem.participants.models import Participant


class RunPersonOut(Schema):
    """One side of a pair: the participant and who they are."""

    participant_id: int
    user_id: int
    name: str
    email: str

    @staticmethod
    def of(participant: Participant) -> dict[str, Any]:
        user = participant.user
        return {
            "participant_id": participant.pk,
            "user_id": user.pk,
            "name": display_name(user),
            "email": user.email,
        }


class HistogramBinOut(Schema):
    low: float
    high: float
    count: int


class RunStatisticsOut(Schema):
    mentees: int = 0
    mentors: int = 0
    places: int = 0
    matched: int = 0
    circles: int | None = Field(
        default=None,
        description="Group programmes: the circles the draft forms (one per mentor); "
        "null for one-to-one programmes",
    )
    unmatched: int = 0
    matched_percent: float = 0.0
    mean_score: float | None = None
    lowest_score: float | None = None
    highest_score: float | None = None
    max_score: float = 0.0
    pinned: int = 0
    histogram: list[HistogramBinOut] = Field(default_factory=list)
    unmatched_reasons: dict[str, int] = Field(default_factory=dict)
    seconds: dict[str, float] = Field(default_factory=dict)


class RunOut(Schema):
    id: int
    program_id: int
    objective: RunObjective
    status: RunStatus
    seed: int
    progress: int = Field(description="Percent done while queued or running")
    weights: dict[str, int]
    rules: dict[str, Any]
    statistics: RunStatisticsOut | None
    certified_gap: float | None = Field(
        description="0 when the draft is proved optimal for its objective; null when unbounded"
    )
    error: str
    created_by: int | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_created_by(obj: MatchRun) -> int | None:
        return obj.created_by_id

    @staticmethod
    def resolve_statistics(obj: MatchRun) -> dict[str, Any] | None:
        return obj.statistics or None


class RunSummaryOut(Schema):
    id: int
    objective: RunObjective
    status: RunStatus
    seed: int
    progress: int
    pair_count: int
    circle_count: int | None = Field(
        description="Group programmes: the circles of the run (one per mentor); null otherwise"
    )
    created_by: int | None
    created_at: datetime.datetime
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_created_by(obj: MatchRun) -> int | None:
        return obj.created_by_id


class ProposalOut(Schema):
    id: int
    mentor: RunPersonOut
    mentee: RunPersonOut
    score: float
    contributions: dict[str, float]
    reasons: list[str]
    is_pinned: bool

    @staticmethod
    def resolve_mentor(obj: MatchProposal) -> dict[str, Any]:
        return RunPersonOut.of(obj.mentor)

    @staticmethod
    def resolve_mentee(obj: MatchProposal) -> dict[str, Any]:
        return RunPersonOut.of(obj.mentee)


class UnmatchedOut(Schema):
    mentee: RunPersonOut
    reason: str
    detail: str

    @staticmethod
    def resolve_mentee(obj: Any) -> dict[str, Any]:
        return RunPersonOut.of(obj.mentee)


class RunStartIn(InputSchema):
    objective: RunObjective = RunObjective.TOTAL
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class SwapIn(InputSchema):
    a: Id = Field(description="Id of one pair of the draft")
    b: Id = Field(description="Id of another pair; the two exchange mentees")


class ProposalAddIn(InputSchema):
    mentee_id: Id = Field(description="Participant id of a mentee on the unmatched list")
    mentor_id: Id = Field(description="Participant id of a mentor with a place left")


class ProposalFiltersIn(Schema):
    search: str = ""
    sort: str = Field(default="score", pattern="^(score|-score|mentee|mentor)$")


class QuestionModeOut(Schema):
    question_id: int
    prompt: str
    kind: str
    mode: str
    modes: list[str]


class MatchingSettingsOut(Schema):
    weights: dict[str, int]
    seniority_gap_min: int
    seniority_gap_max: int
    department: DepartmentPreference
    require_shared_language: bool
    questions: list[QuestionModeOut]
    allow_self_matching: bool
    requests_need_approval: bool
    accepted_requests_need_kickoff: bool
    request_expiry_days: int

    @staticmethod
    def of(view: SettingsView) -> dict[str, Any]:
        rules = view.config.rules
        return {
            "weights": view.weights,
            "seniority_gap_min": rules["seniority_gap_min"],
            "seniority_gap_max": rules["seniority_gap_max"],
            "department": rules["department"],
            "require_shared_language": rules["require_shared_language"],
            "questions": [
                {
                    "question_id": item.question.pk,
                    "prompt": item.question.prompt,
                    "kind": item.question.kind,
                    "mode": item.mode,
                    "modes": item.modes,
                }
                for item in view.questions
            ],
            "allow_self_matching": view.allow_self_matching,
            "requests_need_approval": view.requests_need_approval,
            "accepted_requests_need_kickoff": view.accepted_requests_need_kickoff,
            "request_expiry_days": view.request_expiry_days,
        }


class MatchingSettingsIn(InputSchema):
    """Fields left out keep their current value."""

    weights: dict[str, Int32] | None = Field(
        default=None,
        description="Criterion -> weight 0..5: skills, goals, seniority, department, timezone, "
        "language, questions",
    )
    seniority_gap_min: Int32 | None = None
    seniority_gap_max: Int32 | None = None
    department: DepartmentPreference | None = None
    require_shared_language: bool | None = None
    question_modes: dict[str, str] | None = Field(
        default=None, description="Question id -> 'same', 'different' or 'closer'"
    )
    allow_self_matching: bool | None = None
    requests_need_approval: bool | None = None
    accepted_requests_need_kickoff: bool | None = Field(
        default=None,
        description="An accepted request leaves the pair proposed until someone starts it "
        "(a kick-off step); by default accepting starts the relationship",
    )
    request_expiry_days: SmallCount | None = None
