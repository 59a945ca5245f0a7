from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.programs import selectors, services
from tandem.programs.permissions import program_access
from tandem.programs.schemas import (
    QuestionCreateIn,
    QuestionOut,
    QuestionReorderIn,
    QuestionUpdateIn,
)

router = Router(tags=["programs"])


@router.get(
    "/{program_id}/questions", response=list[QuestionOut], summary="The enrolment form's questions"
)
def question_list(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id)
    return selectors.question_list(program=program)


@router.post(
    "/{program_id}/questions", response={201: QuestionOut}, summary="Add an enrolment question"
)
def question_create(request: HttpRequest, program_id: Id, payload: QuestionCreateIn) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return Status(201, services.question_create(actor=actor, program=program, **payload.dict()))


@router.post(
    "/{program_id}/questions/reorder",
    response=list[QuestionOut],
    summary="Put the questions in a new order",
)
def question_reorder(request: HttpRequest, program_id: Id, payload: QuestionReorderIn) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    services.question_reorder(actor=actor, program=program, question_ids=payload.question_ids)
    return selectors.question_list(program=program)


@router.patch(
    "/{program_id}/questions/{question_id}",
    response=QuestionOut,
    summary="Change an enrolment question",
)
def question_update(
    request: HttpRequest, program_id: Id, question_id: Id, payload: QuestionUpdateIn
) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    question = selectors.question_get(program=program, question_id=question_id)
    services.question_update(actor=actor, question=question, **payload.dict(exclude_unset=True))
    return selectors.question_get(program=program, question_id=question_id)


@router.delete(
    "/{program_id}/questions/{question_id}",
    response={204: None},
    summary="Remove an enrolment question",
)
def question_delete(request: HttpRequest, program_id: Id, question_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    question = selectors.question_get(program=program, question_id=question_id)
    services.question_delete(actor=actor, question=question)
    return HttpResponse(status=204)
