"""Self-matching's API shapes: suggestions, match requests and the answers to them."""

import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.core.schemas import InputSchema
from tandem.matching.fit import Fit
from tandem.matching.models import MatchRequest, RequestStatus
from tandem.matching.requests.selectors import (
    is_lapsed,
    match_request_fit,
    match_request_reasons,
)
from tandem.participants.models import Participant


class MatchPersonOut(Schema):
    """Someone on one side of a match: who they are at work, never their private answers."""

    participant_id: int
    first_name: str
    last_name: str
    job_title: str
    department: str

    @staticmethod
    def resolve_participant_id(obj: Participant) -> int:
        return int(obj.pk)

    @staticmethod
    def resolve_first_name(obj: Participant) -> str:
        return str(obj.user.first_name)

    @staticmethod
    def resolve_last_name(obj: Participant) -> str:
        return str(obj.user.last_name)

    @staticmethod
    def resolve_job_title(obj: Participant) -> str:
        profile = getattr(obj.user, "profile", None)
        return profile.job_title if profile is not None else ""

    @staticmethod
    def resolve_department(obj: Participant) -> str:
        profile = getattr(obj.user, "profile", None)
        return profile.department if profile is not None else ""


class FitOut(Schema):
    """A score on its programme's scale (tandem.matching.fit): the label people read."""

    key: Literal["strong", "good", "possible"]
    label: str = Field(description="Strong fit, Good fit or Possible fit")
    percent: int = Field(description="The score as a share of the best possible score")
    max_score: float = Field(description="The best score a pair can reach in the programme")


class MentorSuggestionOut(Schema):
    mentor: MatchPersonOut
    score: float = Field(description="The match score: the sum of the contributions")
    fit: FitOut | None = Field(description="The score's label on the programme's scale")
    reasons: list[str] = Field(description="Why this mentor fits you, most important first")
    contributions: dict[str, float] = Field(description="Criterion -> its part of the score")
    places_left: int
    open_request_id: int | None = Field(description="Your open request to this mentor, if any")

    @staticmethod
    def resolve_places_left(obj: Any) -> int:
        return max((obj.mentor.capacity or 0) - obj.mentor.matched_count, 0)

    @staticmethod
    def resolve_open_request_id(obj: Any) -> int | None:
        return obj.open_request.pk if obj.open_request is not None else None


class SuggestionsOut(Schema):
    mentee_participant_id: int
    open_requests: int = Field(description="How many of your requests are waiting")
    max_open_requests: int
    suggestions: list[MentorSuggestionOut]


class MatchRequestCreateIn(InputSchema):
    mentor_participant_id: Id
    note: str = Field(default="", description="A few words to the mentor (optional)")


class MatchRequestOut(Schema):
    id: int
    program_id: int
    mentee: MatchPersonOut
    mentor: MatchPersonOut
    note: str
    status: RequestStatus = Field(description="An open request past its expiry reads 'expired'")
    response_message: str
    score: float | None
    fit: FitOut | None = Field(description="The score's label on the programme's scale")
    contributions: dict[str, float]
    reasons: list[str] = Field(description="Why the pair fits, said to the caller")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_status(obj: MatchRequest) -> str:
        return RequestStatus.EXPIRED if is_lapsed(obj) else str(obj.status)

    @staticmethod
    def resolve_fit(obj: MatchRequest) -> Fit | None:
        return match_request_fit(obj)

    @staticmethod
    def resolve_reasons(obj: MatchRequest, context: dict[str, Any]) -> list[str]:
        return match_request_reasons(obj, reader=caller(context["request"]))


class MatchRequestFiltersIn(Schema):
    direction: Literal["incoming", "outgoing"] | None = Field(
        default=None, description="incoming: sent to me as a mentor; outgoing: sent by me"
    )
    status: RequestStatus | None = None


class ProgramRequestFiltersIn(Schema):
    status: RequestStatus | None = None


class RequestAnswerIn(InputSchema):
    message: str = Field(default="", description="A few words to the mentee (optional)")


class RequestDeclineIn(RequestAnswerIn):
    do_not_suggest_again: bool = Field(
        default=False, description="Never suggest (or match) this mentee to me again"
    )


class SuggestionDeclineIn(InputSchema):
    mentor_participant_id: Id
    mentee_participant_id: Id


class SuggestionDeclineOut(Schema):
    id: int
    mentor_participant_id: int
    mentee_participant_id: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_mentor_participant_id(obj: Any) -> int:
        return int(obj.mentor_id)

    @staticmethod
    def resolve_mentee_participant_id(obj: Any) -> int:
        return int(obj.mentee_id)
