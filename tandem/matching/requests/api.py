"""Self-matching over HTTP: thin — guard, then a service or selector, then a schema."""

from django.http import HttpRequest
from ninja import Body, Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id
from tandem.matching.requests import selectors, services
from tandem.matching.requests.permissions import match_request_access
from tandem.matching.requests.schemas import (
    MatchRequestCreateIn,
    MatchRequestFiltersIn,
    MatchRequestOut,
    ProgramRequestFiltersIn,
    RequestAnswerIn,
    RequestDeclineIn,
    SuggestionDeclineIn,
    SuggestionDeclineOut,
    SuggestionsOut,
)
from tandem.programs.permissions import program_access

router = Router(tags=["matching"])


@router.get(
    "/programs/{program_id}/matching/suggestions",
    response=SuggestionsOut,
    summary="My best mentors in a programme, with the score and the reasons (mentees)",
)
def suggestions(request: HttpRequest, program_id: Id) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id)
    found = selectors.suggestion_list_for_mentee(actor=actor, program=program)
    return {
        "mentee_participant_id": found.mentee.pk,
        "open_requests": len(found.open_requests),
        "max_open_requests": services.MAX_OPEN_REQUESTS,
        "suggestions": found.suggestions,
    }


@router.post(
    "/programs/{program_id}/matching/requests",
    response={201: MatchRequestOut},
    summary="Ask a suggested mentor to mentor me, with a note (mentees)",
)
def request_create(request: HttpRequest, program_id: Id, payload: MatchRequestCreateIn) -> object:
    match_request = services.match_request_create(
        actor=caller(request),
        program_id=program_id,
        mentor_participant_id=payload.mentor_participant_id,
        note=payload.note,
    )
    return Status(201, match_request)


@router.get(
    "/programs/{program_id}/matching/requests",
    response=list[MatchRequestOut],
    summary="A programme's match requests, oldest first (its managers)",
)
@paginate(KeysetPagination)
def program_requests(
    request: HttpRequest, program_id: Id, filters: Query[ProgramRequestFiltersIn]
) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return selectors.match_request_list_for_program(
        actor=actor, program=program, status=filters.status or ""
    )


@router.post(
    "/programs/{program_id}/matching/suggestion-declines",
    response={201: SuggestionDeclineOut},
    summary="Never suggest this mentee to this mentor again (the mentor, managers)",
)
def suggestion_decline(
    request: HttpRequest, program_id: Id, payload: SuggestionDeclineIn
) -> object:
    decline = services.suggestion_decline_create(
        actor=caller(request),
        program_id=program_id,
        mentor_participant_id=payload.mentor_participant_id,
        mentee_participant_id=payload.mentee_participant_id,
    )
    return Status(201, decline)


@router.get(
    "/me/match-requests",
    response=list[MatchRequestOut],
    summary="Requests I received as a mentor and sent as a mentee, newest first",
)
@paginate(KeysetPagination)
def my_requests(request: HttpRequest, filters: Query[MatchRequestFiltersIn]) -> object:
    return selectors.match_request_list_for_member(
        actor=caller(request), direction=filters.direction or "", status=filters.status or ""
    )


@router.get("/match-requests/{request_id}", response=MatchRequestOut)
def request_get(request: HttpRequest, request_id: Id) -> object:
    return match_request_access(actor=caller(request), request_id=request_id)


@router.post(
    "/match-requests/{request_id}/accept",
    response=MatchRequestOut,
    summary="Accept: the relationship opens (the mentor asked)",
)
def request_accept(
    request: HttpRequest, request_id: Id, payload: Body[RequestAnswerIn | None] = None
) -> object:
    return services.match_request_accept(
        actor=caller(request), request_id=request_id, message=payload.message if payload else ""
    )


@router.post(
    "/match-requests/{request_id}/decline",
    response=MatchRequestOut,
    summary="Decline, optionally for good (the mentor asked)",
)
def request_decline(
    request: HttpRequest, request_id: Id, payload: Body[RequestDeclineIn | None] = None
) -> object:
    return services.match_request_decline(
        actor=caller(request),
        request_id=request_id,
        message=payload.message if payload else "",
        do_not_suggest_again=payload.do_not_suggest_again if payload else False,
    )


@router.post(
    "/match-requests/{request_id}/withdraw",
    response=MatchRequestOut,
    summary="Take back a request still waiting (the mentee who sent it)",
)
def request_withdraw(request: HttpRequest, request_id: Id) -> object:
    return services.match_request_withdraw(actor=caller(request), request_id=request_id)


@router.post(
    "/match-requests/{request_id}/approve",
    response=MatchRequestOut,
    summary="Let a request awaiting approval through to the mentor (managers)",
)
def request_approve(request: HttpRequest, request_id: Id) -> object:
    return services.match_request_approve(actor=caller(request), request_id=request_id)


@router.post(
    "/match-requests/{request_id}/reject",
    response=MatchRequestOut,
    summary="Turn down a request awaiting approval (managers)",
)
def request_reject(
    request: HttpRequest, request_id: Id, payload: Body[RequestAnswerIn | None] = None
) -> object:
    return services.match_request_reject(
        actor=caller(request), request_id=request_id, message=payload.message if payload else ""
    )
