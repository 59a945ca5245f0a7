"""Journey schemas: explicit fields per operation."""

import datetime

from ninja import Schema
from pydantic import Field

from tandem.core.params import Count, Id, SmallCount
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine


class ResourceRefOut(Schema):
    id: int
    title: str
    kind: str


# A programme that has not stored its journey reads its default in memory: its stages and steps
# have no id (null) until a manager starts editing it, or the pair ticks a step of it.
NO_ID_YET = "null while the programme follows its default journey, not yet stored"


class StepOut(Schema):
    id: int | None = Field(description=NO_ID_YET)
    title: str
    description: str
    due_offset_days: int | None
    due_at_fraction: float | None
    completion: str
    meetings_count: int
    order: int
    resources: list[ResourceRefOut]

    @staticmethod
    def resolve_resources(step: object) -> list[object]:
        if getattr(step, "pk", None) is None:
            return list(step.starter_resources)  # type: ignore[attr-defined]
        return list(step.resources.all())  # type: ignore[attr-defined]


class StageOut(Schema):
    id: int | None = Field(description=NO_ID_YET)
    key: str
    title: str
    description: str
    order: int
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(stage: object) -> list[object]:
        if isinstance(stage, dict):
            return list(stage["steps"])
        return list(stage.steps.all())  # type: ignore[attr-defined]


class JourneyOut(Schema):
    program_id: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(journey: object) -> list[object]:
        if isinstance(journey, dict):
            return list(journey["stages"])
        return list(journey.stages.all())  # type: ignore[attr-defined]


class StageCreateIn(InputSchema):
    key: str
    title: SingleLine = ""
    description: str = ""


class StageUpdateIn(InputSchema):
    title: SingleLine
    description: str = ""


class MoveIn(InputSchema):
    direction: str = Field(description="up or down")


class StepIn(InputSchema):
    title: SingleLine
    description: str = ""
    due_offset_days: Count | None = None
    due_at_fraction: float | None = None
    completion: str = "manual"
    meetings_count: SmallCount = 1
    resource_ids: list[Id] = []


class StepUpdateIn(StepIn):
    stage_id: Id | None = None


class PairStepOut(Schema):
    id: int | None = Field(description=NO_ID_YET)
    title: str
    description: str
    completion: str
    is_auto: bool
    is_done: bool
    due_on: datetime.date | None
    overdue: bool
    due_soon: bool
    done_at: datetime.datetime | None
    resources: list[ResourceRefOut]


class PairStageOut(Schema):
    id: int | None = Field(description=NO_ID_YET)
    key: str
    title: str
    is_current: bool
    is_done: bool
    steps: list[PairStepOut]


class RelationshipJourneyOut(Schema):
    relationship_id: int
    current_stage: str | None
    done_count: int
    total_count: int
    stages: list[PairStageOut]


class StepCompletionOut(Schema):
    step_id: int
    completed_at: datetime.datetime
    completed_by_id: int | None
