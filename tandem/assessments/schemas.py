import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.assessments.models import NOTE_MAX, Moment
from tandem.core.params import Count, IdKey, SmallCount, id_keys
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine


class CompetencyOut(Schema):
    id: int
    key: str
    name: str
    description: str = Field(description="What good looks like, in one or two sentences.")
    is_builtin: bool = Field(description="One of Tandem's six; only programmes' own can change.")
    is_active: bool
    order: int


class ScoreLevelOut(Schema):
    score: int
    label: str


class RatingOut(Schema):
    competency_id: int
    score: int
    note: str


class AssessmentOut(Schema):
    moment: Moment
    submitted_at: datetime.datetime
    is_shared: bool = Field(description="Whether the partner may see these answers.")
    ratings: list[RatingOut]

    @staticmethod
    def resolve_ratings(obj: Any) -> list[dict[str, Any]]:
        if hasattr(obj, "scores"):  # selectors.Answers
            return [
                {"competency_id": pk, "score": score, "note": obj.notes.get(pk, "")}
                for pk, score in obj.scores.items()
            ]
        return [
            {"competency_id": r.competency_id, "score": r.score, "note": r.note}
            for r in obj.ratings.all()
        ]


class MomentsOut(Schema):
    start: AssessmentOut | None
    end: AssessmentOut | None


class GrowthOut(Schema):
    competency_id: int
    start: int | None
    end: int | None
    change: int | None = Field(description="End minus start (null until both are taken).")


class AssessmentOverviewOut(Schema):
    relationship_id: int
    competencies: list[CompetencyOut]
    scale: list[ScoreLevelOut]
    start_open: bool
    end_open: bool
    end_opens_on: datetime.date | None = Field(
        description="First day of the closing window while the relationship runs."
    )
    mine: MomentsOut
    growth: list[GrowthOut]
    partner: MomentsOut = Field(description="The partner's answers, only for moments they shared.")


class AssessmentSubmitIn(InputSchema):
    moment: Moment
    ratings: dict[IdKey, SmallCount] = Field(
        json_schema_extra=id_keys(),
        description="Competency id -> score from 1 (I rarely do this) to 5 (I do this well and "
        "could teach it); every active competency of the programme must be answered.",
    )
    notes: dict[IdKey, str] = Field(
        default_factory=dict,
        json_schema_extra=id_keys(),
        description=f"Competency id -> an optional note (≤ {NOTE_MAX}).",
    )


class SummaryRowOut(Schema):
    competency: CompetencyOut
    start_people: int = Field(
        description="People whose answers are published: 0, or at least `min_group`."
    )
    end_people: int
    average_start: float | None = Field(
        description="Null until a closed cohort of at least `min_group` people is published."
    )
    average_end: float | None
    change: float | None


class AssessmentProgramSummaryOut(Schema):
    program_id: int
    min_group: int = Field(
        description="Answers are published in closed cohorts of at least this many people."
    )
    published_through: datetime.date | None = Field(
        description="The last day the published answers cover: only calendar months that "
        "have ended, grouped until at least `min_group` people answered."
    )
    start_count: int
    end_count: int
    people_with_both: int
    pairs_with_both: int = Field(description="Pairs in which both people took both moments.")
    rows: list[SummaryRowOut]


class CompetencyCreateIn(InputSchema):
    name: SingleLine = Field(max_length=80)
    description: str = Field(max_length=300, description="What good looks like.")


class CompetencyUpdateIn(InputSchema):
    name: SingleLine | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=300)
    order: Count | None = None
    is_active: bool | None = None
