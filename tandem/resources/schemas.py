import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.core.params import Id, IdKey, id_keys
from tandem.core.schemas import InputSchema
from tandem.core.text import SingleLine
from tandem.resources.models import Audience, ResourceKind, Stage


class ResourceFiltersIn(Schema):
    search: str = Field("", max_length=100, description="In title, summary and body (any case).")
    kind: ResourceKind | None = None
    audience: Audience | None = None
    stage: Stage | None = None
    skill: str = Field("", max_length=60)


class ResourceListOut(Schema):
    id: int
    slug: str
    kind: ResourceKind
    title: str
    summary: str
    url: str
    minutes: int
    audience: Audience
    stages: list[str]
    skills: list[str]
    program_id: int | None
    is_starter: bool
    done: bool = Field(description="The caller marked it done.")
    rating: int | None = Field(description="The caller's rating, 1-5.")

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return bool(getattr(obj, "my_done", False))

    @staticmethod
    def resolve_rating(obj: Any) -> int | None:
        return getattr(obj, "my_rating", None)


class ChildOut(Schema):
    id: int
    order: int
    text: str


class LessonOut(Schema):
    id: int
    order: int
    title: str
    body_markdown: str
    completed: bool


class CheckOptionOut(Schema):
    id: int
    text: str


class CheckQuestionOut(Schema):
    id: int
    text: str
    options: list[CheckOptionOut]


class ProgressOut(Schema):
    done_at: datetime.datetime | None
    rating: int | None
    checked_items: list[int]
    check_score: int | None
    check_passed: bool | None


class ResourceOut(Schema):
    id: int
    slug: str
    kind: ResourceKind
    title: str
    summary: str
    body_markdown: str
    body_html: str
    url: str
    minutes: int
    audience: Audience
    stages: list[str]
    skills: list[str]
    program_id: int | None
    is_starter: bool
    is_hidden: bool
    checklist_items: list[ChildOut]
    guide_questions: list[ChildOut]
    lessons: list[LessonOut]
    check_questions: list[CheckQuestionOut]
    progress: ProgressOut | None


class ResourceWriteIn(InputSchema):
    kind: ResourceKind
    title: SingleLine = Field(max_length=200)
    summary: str = Field("", max_length=400)
    body_markdown: str = Field("", max_length=100_000)
    url: str = Field("", max_length=500)
    minutes: int = Field(5, ge=1, le=600)
    audience: Audience = Audience.BOTH
    stages: list[Stage] = Field(min_length=1)
    skills: list[str] = Field(default_factory=list, max_length=12)


class ResourceUpdateIn(InputSchema):
    kind: ResourceKind | None = None
    title: SingleLine | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=400)
    body_markdown: str | None = Field(None, max_length=100_000)
    url: str | None = Field(None, max_length=500)
    minutes: int | None = Field(None, ge=1, le=600)
    audience: Audience | None = None
    stages: list[Stage] | None = None
    skills: list[str] | None = None


class RatingIn(InputSchema):
    rating: int = Field(ge=1, le=5)


class CheckIn(InputSchema):
    answers: dict[IdKey, Id] = Field(
        json_schema_extra=id_keys(), description="Question id -> chosen option id."
    )


class CheckResultOut(Schema):
    score: int
    passed: bool
    correct: dict[int, bool]
    module_done: bool


class ManagedResourceOut(Schema):
    id: int
    slug: str
    kind: ResourceKind
    title: str
    program_id: int | None
    is_starter: bool
    is_edited: bool
    is_hidden: bool


class CompletionOut(Schema):
    resource: ManagedResourceOut
    done: int
    participants: int
    percent: int
