"""Participants over HTTP: thin — guard, then a service or selector, then a schema."""

from django.http import HttpRequest
from ninja import Body, Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id
from tandem.participants import selectors, services
from tandem.participants.exports import participants_csv_response
from tandem.participants.permissions import participant_access
from tandem.participants.schemas import (
    AvailabilityIn,
    CapacityIn,
    DecisionIn,
    EnrollmentIn,
    MentorPlacesOut,
    ParticipantAddIn,
    ParticipantDetailOut,
    ParticipantFiltersIn,
    ParticipantOut,
    ParticipantProgramOut,
    ParticipationOut,
    WithdrawIn,
)
from tandem.programs.permissions import program_access

router = Router(tags=["participants"])


@router.get("/me/participations", response=list[ParticipationOut], summary="My programmes")
def my_participations(request: HttpRequest) -> object:
    return selectors.participation_list_for_member(actor=caller(request))


@router.get(
    "/me/programs/available",
    response=list[ParticipantProgramOut],
    summary="Programmes I can enrol in today",
)
def my_available_programs(request: HttpRequest) -> object:
    return selectors.program_list_open_to_member(actor=caller(request))


@router.post(
    "/programs/{program_id}/enrollment",
    response={201: ParticipantOut},
    summary="Enrol myself (as mentor or mentee, with my answers)",
)
def enroll(request: HttpRequest, program_id: Id, payload: EnrollmentIn) -> object:
    participant = services.participant_enroll(
        actor=caller(request),
        program_id=program_id,
        role=payload.role,
        capacity=payload.capacity,
        motivation=payload.motivation,
        answers=payload.answers,
    )
    return Status(201, participant)


@router.get(
    "/programs/{program_id}/participants",
    response=list[ParticipantOut],
    summary="A programme's participants (its managers)",
)
@paginate(KeysetPagination)
def participant_list(
    request: HttpRequest, program_id: Id, filters: Query[ParticipantFiltersIn]
) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return selectors.participant_list_for_program(
        actor=actor,
        program=program,
        filters=selectors.ParticipantFilters(
            role=filters.role or "",
            status=filters.status or "",
            department=filters.department,
            search=filters.search,
        ),
    )


@router.post(
    "/programs/{program_id}/participants",
    response={201: ParticipantOut},
    summary="Place someone in a programme directly (its managers)",
)
def participant_add(request: HttpRequest, program_id: Id, payload: ParticipantAddIn) -> object:
    participant = services.participant_add(
        actor=caller(request),
        program_id=program_id,
        role=payload.role,
        user_id=payload.user_id,
        email=payload.email,
        capacity=payload.capacity,
    )
    return Status(201, participant)


@router.get(
    "/programs/{program_id}/participants/export",
    summary="The participants and their answers as CSV (its managers)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def participant_export(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return participants_csv_response(actor=actor, program=program)


@router.get("/participants/{participant_id}", response=ParticipantDetailOut)
def participant_get(request: HttpRequest, participant_id: Id) -> object:
    participant = participant_access(actor=caller(request), participant_id=participant_id)
    return selectors.participant_get_detail(participant=participant)


@router.post("/participants/{participant_id}/approve", response=ParticipantOut)
def participant_approve(
    request: HttpRequest, participant_id: Id, payload: Body[DecisionIn | None] = None
) -> object:
    return services.participant_approve(
        actor=caller(request), participant_id=participant_id, note=payload.note if payload else ""
    )


@router.post("/participants/{participant_id}/decline", response=ParticipantOut)
def participant_decline(
    request: HttpRequest, participant_id: Id, payload: Body[DecisionIn | None] = None
) -> object:
    return services.participant_decline(
        actor=caller(request), participant_id=participant_id, note=payload.note if payload else ""
    )


@router.post("/participants/{participant_id}/withdraw", response=ParticipantOut)
def participant_withdraw(
    request: HttpRequest, participant_id: Id, payload: Body[WithdrawIn | None] = None
) -> object:
    return services.participant_withdraw(
        actor=caller(request),
        participant_id=participant_id,
        reason=payload.reason if payload else "",
    )


@router.post(
    "/participants/{participant_id}/availability",
    response=MentorPlacesOut,
    summary="Pause or resume a mentor's availability for new mentees (the mentor, managers)",
)
def participant_availability(
    request: HttpRequest, participant_id: Id, payload: AvailabilityIn
) -> object:
    return services.participant_set_accepting(
        actor=caller(request), participant_id=participant_id, accepting=payload.accepting
    )


@router.post(
    "/participants/{participant_id}/capacity",
    response=MentorPlacesOut,
    summary="Change how many mentees a mentor takes, never below current (the mentor, managers)",
)
def participant_capacity(request: HttpRequest, participant_id: Id, payload: CapacityIn) -> object:
    return services.participant_set_capacity(
        actor=caller(request), participant_id=participant_id, capacity=payload.capacity
    )
