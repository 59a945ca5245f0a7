"""Journeys over HTTP: thin — guard, then a service or selector, then a schema.

Managers (programme managers of the programme, organisation admins) read and edit the
programme's journey under /programs/{program_id}/journey; the pair read theirs and tick
manual steps under /relationships/{relationship_id}/journey (auto steps answer 409).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.journeys import selectors, services
from tandem.journeys.schemas import (
    JourneyOut,
    MoveIn,
    RelationshipJourneyOut,
    StageCreateIn,
    StageUpdateIn,
    StepCompletionOut,
    StepIn,
    StepUpdateIn,
)
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import relationship_access

router = Router(tags=["journeys"])

JOURNEY = "/programs/{program_id}/journey"
STAGE = JOURNEY + "/stages/{stage_id}"
STEP = JOURNEY + "/steps/{step_id}"
PAIR = "/relationships/{relationship_id}/journey"


def _journey(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    journey = selectors.journey_for_editor(program=program)
    if journey is not None:
        return journey
    # The default, read in memory (ids null): JourneyOut reads these dicts like the rows.
    return {
        "program_id": program.pk,
        "stages": [
            {
                "id": None,
                "key": stage.key,
                "title": stage.title,
                "description": stage.description,
                "order": stage.order,
                "steps": steps,
            }
            for stage, steps in selectors.default_journey_stages(program=program)
        ],
    }


@router.get(JOURNEY, response=JourneyOut, summary="The programme's journey (its managers)")
def journey_get(request: HttpRequest, program_id: Id) -> object:
    return _journey(request, program_id)


@router.post(JOURNEY + "/reset", response=JourneyOut, summary="Back to the default for the format")
def journey_reset(request: HttpRequest, program_id: Id) -> object:
    services.journey_reset_to_default(actor=caller(request), program_id=program_id)
    return _journey(request, program_id)


@router.post(JOURNEY + "/stages", response={201: JourneyOut}, summary="Add a missing stage")
def stage_create(request: HttpRequest, program_id: Id, payload: StageCreateIn) -> object:
    services.stage_create(actor=caller(request), program_id=program_id, **payload.dict())
    return Status(201, _journey(request, program_id))


@router.put(STAGE, response=JourneyOut, summary="Rename or describe a stage")
def stage_update(
    request: HttpRequest, program_id: Id, stage_id: Id, payload: StageUpdateIn
) -> object:
    services.stage_update(
        actor=caller(request), program_id=program_id, stage_id=stage_id, **payload.dict()
    )
    return _journey(request, program_id)


@router.post(STAGE + "/move", response=JourneyOut, summary="Move a stage up or down")
def stage_move(request: HttpRequest, program_id: Id, stage_id: Id, payload: MoveIn) -> object:
    services.stage_move(
        actor=caller(request), program_id=program_id, stage_id=stage_id, direction=payload.direction
    )
    return _journey(request, program_id)


@router.delete(STAGE, response={204: None}, summary="Remove a stage and its steps")
def stage_delete(request: HttpRequest, program_id: Id, stage_id: Id) -> object:
    services.stage_delete(actor=caller(request), program_id=program_id, stage_id=stage_id)
    return Status(204, None)


@router.post(STAGE + "/steps", response={201: JourneyOut}, summary="Add a step to a stage")
def step_create(request: HttpRequest, program_id: Id, stage_id: Id, payload: StepIn) -> object:
    services.step_create(
        actor=caller(request), program_id=program_id, stage_id=stage_id, **payload.dict()
    )
    return Status(201, _journey(request, program_id))


@router.put(STEP, response=JourneyOut, summary="Replace a step")
def step_update(request: HttpRequest, program_id: Id, step_id: Id, payload: StepUpdateIn) -> object:
    services.step_update(
        actor=caller(request), program_id=program_id, step_id=step_id, **payload.dict()
    )
    return _journey(request, program_id)


@router.post(STEP + "/move", response=JourneyOut, summary="Move a step up or down in its stage")
def step_move(request: HttpRequest, program_id: Id, step_id: Id, payload: MoveIn) -> object:
    services.step_move(
        actor=caller(request), program_id=program_id, step_id=step_id, direction=payload.direction
    )
    return _journey(request, program_id)


@router.delete(STEP, response={204: None}, summary="Remove a step")
def step_delete(request: HttpRequest, program_id: Id, step_id: Id) -> object:
    services.step_delete(actor=caller(request), program_id=program_id, step_id=step_id)
    return Status(204, None)


def _pair_out(view: selectors.JourneyView) -> dict[str, Any]:
    return {
        "relationship_id": view.relationship.pk,
        "current_stage": view.current.stage.key if view.current else None,
        "done_count": view.done_count,
        "total_count": view.total_count,
        "stages": [
            {
                "id": stage.stage.pk,
                "key": stage.stage.key,
                "title": stage.stage.title,
                "is_current": stage.is_current,
                "is_done": stage.is_done,
                "steps": [
                    {
                        "id": item.step.pk,
                        "title": item.step.title,
                        "description": item.step.description,
                        "completion": item.step.completion,
                        "is_auto": item.is_auto,
                        "is_done": item.is_done,
                        "due_on": item.due_on,
                        "overdue": item.overdue,
                        "due_soon": item.due_soon,
                        "done_at": item.done_at,
                        "resources": item.resources,
                    }
                    for item in stage.steps
                ],
            }
            for stage in view.stages
        ],
    }


@router.get(PAIR, response=RelationshipJourneyOut, summary="The pair's journey, with what is done")
def relationship_journey(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return _pair_out(selectors.journey_for_relationship(access=access))


@router.post(
    PAIR + "/steps/{step_id}/complete",
    response=StepCompletionOut,
    summary="Tick a manual step (auto steps answer 409)",
)
def step_complete(request: HttpRequest, relationship_id: Id, step_id: Id) -> object:
    return services.step_complete(
        actor=caller(request), relationship_id=relationship_id, step_id=step_id
    )


@router.delete(
    PAIR + "/steps/{step_id}/complete", response={204: None}, summary="Untick a manual step"
)
def step_uncomplete(request: HttpRequest, relationship_id: Id, step_id: Id) -> object:
    services.step_uncomplete(
        actor=caller(request), relationship_id=relationship_id, step_id=step_id
    )
    return Status(204, None)
