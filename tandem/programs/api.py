from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.programs import selectors, services
from tandem.programs.models import ProgramStatus
from tandem.programs.permissions import program_access
from tandem.programs.schemas import (
    ProgramCreateIn,
    ProgramOut,
    ProgramUpdateIn,
    QuestionCreateIn,
    QuestionOut,
    QuestionReorderIn,
    QuestionUpdateIn,
)

router = Router(tags=["programs"])


class ProgramFilters(Schema):
    status: ProgramStatus | None = None
    managed: bool = False


@router.get("", response=list[ProgramOut], summary="Programmes I can see")
@paginate(LimitOffsetPagination)
def program_list(request: HttpRequest, filters: Query[ProgramFilters]) -> object:
    """Programmes I manage (drafts included) and every published one in my organisation."""
    return selectors.program_list_for_user(
        actor=caller(request), status=filters.status or "", managed_only=filters.managed
    )


@router.post("", response={201: ProgramOut}, summary="Create a programme (as a draft)")
def program_create(request: HttpRequest, payload: ProgramCreateIn) -> object:
    program = services.program_create(actor=caller(request), **payload.dict())
    return Status(201, selectors.program_get_summary(program=program))


@router.get("/{program_id}", response=ProgramOut, summary="One programme")
def program_get(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id)
    return selectors.program_get_summary(program=program)


@router.patch("/{program_id}", response=ProgramOut, summary="Change a programme's settings")
def program_update(request: HttpRequest, program_id: Id, payload: ProgramUpdateIn) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = services.program_update(
        actor=actor, program=program, **payload.dict(exclude_unset=True)
    )
    return selectors.program_get_summary(program=program)


@router.post("/{program_id}/publish", response=ProgramOut, summary="Publish a draft")
def program_publish(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = services.program_publish(actor=actor, program=program)
    return selectors.program_get_summary(program=program)


@router.post("/{program_id}/archive", response=ProgramOut, summary="Archive a programme")
def program_archive(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = services.program_archive(actor=actor, program=program)
    return selectors.program_get_summary(program=program)


@router.post(
    "/{program_id}/duplicate",
    response={201: ProgramOut},
    summary="Copy a programme into a new draft (settings, managers, questions)",
)
def program_duplicate(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    copy = services.program_duplicate(actor=actor, program=program)
    return Status(201, selectors.program_get_summary(program=copy))


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
