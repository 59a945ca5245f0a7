"""Feedback over HTTP: thin — guard, then a service or selector, then a schema."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.feedback import selectors, services
from tandem.feedback.schemas import FeedbackCreateIn, FeedbackOut
from tandem.relationships.permissions import relationship_access

router = Router(tags=["feedback"])


@router.get(
    "/relationships/{relationship_id}/feedback",
    response=list[FeedbackOut],
    summary="The pair's feedback, newest first (the mentor and the mentee only)",
)
@paginate(LimitOffsetPagination)
def feedback_list(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.feedback_list(access=access)


@router.post(
    "/relationships/{relationship_id}/feedback",
    response={201: FeedbackOut},
    summary="Give the partner feedback (the form follows the caller's side)",
)
def feedback_give(request: HttpRequest, relationship_id: Id, payload: FeedbackCreateIn) -> object:
    feedback = services.feedback_give(
        actor=caller(request), relationship_id=relationship_id, **payload.dict()
    )
    return Status(201, feedback)


@router.get("/relationships/{relationship_id}/feedback/{feedback_id}", response=FeedbackOut)
def feedback_get(request: HttpRequest, relationship_id: Id, feedback_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.feedback_get(access=access, feedback_id=feedback_id)
