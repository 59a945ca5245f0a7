"""Bulk matching over HTTP: thin — guard, then a service or selector, then a schema.

Every endpoint is for the programme's managers and the organisation's admins: another
organisation's programme or run is 404, someone else in the organisation 403.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import KeysetPagination, LimitOffsetPagination
from tandem.core.params import Id
from tandem.matching.runs import permissions, selectors, services
from tandem.matching.runs.schemas import (
    MatchingSettingsIn,
    MatchingSettingsOut,
    ProposalAddIn,
    ProposalFiltersIn,
    ProposalOut,
    RunOut,
    RunStartIn,
    RunSummaryOut,
    SwapIn,
    UnmatchedOut,
)
from tandem.programs.permissions import program_access

router = Router(tags=["matching"])


# --- settings ----------------------------------------------------------------------------


@router.get(
    "/programs/{program_id}/matching/settings",
    response=MatchingSettingsOut,
    summary="A programme's matching weights, rules and self-matching options",
)
def settings_get(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return MatchingSettingsOut.of(selectors.matching_settings_view(program=program))


@router.put(
    "/programs/{program_id}/matching/settings",
    response=MatchingSettingsOut,
    summary="Change a programme's matching settings (fields left out keep their value)",
)
def settings_update(request: HttpRequest, program_id: Id, payload: MatchingSettingsIn) -> object:
    actor = caller(request)
    stored = services.matching_settings_update(
        actor=actor,
        program_id=program_id,
        change=services.SettingsChange(**payload.model_dump()),
    )
    return MatchingSettingsOut.of(selectors.matching_settings_view(program=stored.program))


# --- runs --------------------------------------------------------------------------------


@router.post(
    "/programs/{program_id}/matching/runs",
    response={202: RunOut},
    summary="Start a bulk matching run (it runs in the background; poll the run)",
)
def run_start(request: HttpRequest, program_id: Id, payload: RunStartIn) -> object:
    run = services.match_run_start(
        actor=caller(request), program_id=program_id, objective=payload.objective, seed=payload.seed
    )
    run.refresh_from_db()
    return Status(202, run)


@router.get(
    "/programs/{program_id}/matching/runs",
    response=list[RunSummaryOut],
    summary="A programme's matching runs, newest first",
)
@paginate(KeysetPagination)
def run_list(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.match_run_list_for_program(program=program)


@router.get("/matching/runs/{run_id}", response=RunOut, summary="A run: status, progress, results")
def run_get(request: HttpRequest, run_id: Id) -> object:
    return permissions.match_run_access(actor=caller(request), run_id=run_id)


@router.get(
    "/matching/runs/{run_id}/proposals",
    response=list[ProposalOut],
    summary="A run's pairs with their scores and reasons",
)
@paginate(LimitOffsetPagination)
def proposal_list(request: HttpRequest, run_id: Id, filters: Query[ProposalFiltersIn]) -> object:
    run = permissions.match_run_access(actor=caller(request), run_id=run_id)
    return selectors.proposal_list_for_run(run=run, search=filters.search, sort=filters.sort)


@router.post(
    "/matching/runs/{run_id}/proposals",
    response={201: ProposalOut},
    summary="Pair an unmatched mentee with a mentor who has a place left in the draft",
)
def proposal_add(request: HttpRequest, run_id: Id, payload: ProposalAddIn) -> object:
    proposal = services.match_proposal_add(
        actor=caller(request),
        run_id=run_id,
        mentee_id=payload.mentee_id,
        mentor_id=payload.mentor_id,
    )
    return Status(201, proposal)


@router.get(
    "/matching/runs/{run_id}/unmatched",
    response=list[UnmatchedOut],
    summary="The mentees a run could not match, and why",
)
@paginate(LimitOffsetPagination)
def unmatched_list(request: HttpRequest, run_id: Id) -> object:
    run = permissions.match_run_access(actor=caller(request), run_id=run_id)
    return selectors.unmatched_list_for_run(run=run)


@router.post(
    "/matching/runs/{run_id}/proposals/{proposal_id}/pin",
    response=ProposalOut,
    summary="Keep a pair, in this draft and in every later run",
)
def proposal_pin(request: HttpRequest, run_id: Id, proposal_id: Id) -> object:
    return services.match_proposal_pin(
        actor=caller(request), run_id=run_id, proposal_id=proposal_id
    )


@router.post(
    "/matching/runs/{run_id}/proposals/{proposal_id}/unpin",
    response=ProposalOut,
    summary="Let later runs choose freely for a pair again",
)
def proposal_unpin(request: HttpRequest, run_id: Id, proposal_id: Id) -> object:
    return services.match_proposal_unpin(
        actor=caller(request), run_id=run_id, proposal_id=proposal_id
    )


@router.post(
    "/matching/runs/{run_id}/proposals/{proposal_id}/remove",
    response=UnmatchedOut,
    summary="Take a pair out of the draft; later runs will not propose it again",
)
def proposal_remove(request: HttpRequest, run_id: Id, proposal_id: Id) -> object:
    return services.match_proposal_remove(
        actor=caller(request), run_id=run_id, proposal_id=proposal_id
    )


@router.post(
    "/matching/runs/{run_id}/swap",
    response=list[ProposalOut],
    summary="Exchange the mentees of two pairs of a draft",
)
def proposals_swap(request: HttpRequest, run_id: Id, payload: SwapIn) -> object:
    return list(
        services.match_proposals_swap(
            actor=caller(request), run_id=run_id, first_id=payload.a, second_id=payload.b
        )
    )


@router.post(
    "/matching/runs/{run_id}/rerun",
    response={202: RunOut},
    summary="Run a draft again with the same settings, keeping its pinned pairs",
)
def run_rerun(request: HttpRequest, run_id: Id) -> object:
    run = services.match_run_rerun(actor=caller(request), run_id=run_id)
    run.refresh_from_db()
    return Status(202, run)


@router.post(
    "/matching/runs/{run_id}/publish",
    response=RunOut,
    summary="Open every pair of the draft as a proposed relationship (all or nothing)",
)
def run_publish(request: HttpRequest, run_id: Id) -> object:
    return services.match_run_publish(actor=caller(request), run_id=run_id)


@router.post(
    "/matching/runs/{run_id}/discard",
    response=RunOut,
    summary="Drop a run that will not be published",
)
def run_discard(request: HttpRequest, run_id: Id) -> object:
    return services.match_run_discard(actor=caller(request), run_id=run_id)
