"""Programmes over HTTP: the endpoints that answer a `ProgramOut`, which carries enrolment counts.

Programs sits below participants, so these are composed here: programs' guard, services and
selectors, then `selectors.with_enrolment_counts`. Mounted at /programs beside programs' own
router (the questions); they keep the operation ids they were published with.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.participants.selectors import with_enrolment_counts
from tandem.programs import selectors as program_selectors
from tandem.programs import services as program_services
from tandem.programs.models import Program, ProgramStatus
from tandem.programs.permissions import program_access
from tandem.programs.schemas import ProgramCreateIn, ProgramOut, ProgramUpdateIn

router = Router(tags=["programs"])


def _summary(*, program: Program) -> Program:
    """The programme as `ProgramOut` shows it: managers, questions and enrolment counts."""
    return (
        with_enrolment_counts(program_selectors.program_summary_queryset(program=program))
        .prefetch_related("eligible_groups")
        .get()
    )


class ProgramFilters(Schema):
    status: ProgramStatus | None = None
    managed: bool = False


@router.get(
    "",
    response=list[ProgramOut],
    summary="Programmes I can see",
    operation_id="tandem_programs_api_program_list",
)
@paginate(LimitOffsetPagination)
def program_list(request: HttpRequest, filters: Query[ProgramFilters]) -> object:
    """Programmes I manage (drafts included) and every published one in my organisation."""
    return with_enrolment_counts(
        program_selectors.program_list_for_user(
            actor=caller(request), status=filters.status or "", managed_only=filters.managed
        )
    ).prefetch_related("eligible_groups")


@router.post(
    "",
    response={201: ProgramOut},
    summary="Create a programme (as a draft)",
    operation_id="tandem_programs_api_program_create",
)
def program_create(request: HttpRequest, payload: ProgramCreateIn) -> object:
    program = program_services.program_create(actor=caller(request), **payload.dict())
    return Status(201, _summary(program=program))


@router.get(
    "/{program_id}",
    response=ProgramOut,
    summary="One programme",
    operation_id="tandem_programs_api_program_get",
)
def program_get(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id)
    return _summary(program=program)


@router.patch(
    "/{program_id}",
    response=ProgramOut,
    summary="Change a programme's settings",
    operation_id="tandem_programs_api_program_update",
)
def program_update(request: HttpRequest, program_id: Id, payload: ProgramUpdateIn) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = program_services.program_update(
        actor=actor, program=program, **payload.dict(exclude_unset=True)
    )
    return _summary(program=program)


@router.post(
    "/{program_id}/publish",
    response=ProgramOut,
    summary="Publish a draft",
    operation_id="tandem_programs_api_program_publish",
)
def program_publish(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = program_services.program_publish(actor=actor, program=program)
    return _summary(program=program)


@router.post(
    "/{program_id}/archive",
    response=ProgramOut,
    summary="Archive a programme",
    operation_id="tandem_programs_api_program_archive",
)
def program_archive(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    program = program_services.program_archive(actor=actor, program=program)
    return _summary(program=program)


@router.post(
    "/{program_id}/duplicate",
    response={201: ProgramOut},
    summary="Copy a programme into a new draft (settings, managers, questions)",
    operation_id="tandem_programs_api_program_duplicate",
)
def program_duplicate(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    copy = program_services.program_duplicate(actor=actor, program=program)
    return Status(201, _summary(program=copy))
