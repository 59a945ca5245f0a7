"""Resources over HTTP: thin — guard, then a service or selector, then a schema.

Members read the library (GET /resources, /resources/{id}) and record their progress. Managers
look after a programme's view of it under /programs/{program_id}/resources: the organisation's
pieces (edit/hide by org admins) and the programme's own additions (by its managers)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import KeysetPagination, LimitOffsetPagination
from tandem.core.params import Id
from tandem.programs.permissions import program_access
from tandem.resources import selectors, services
from tandem.resources.rendering import markdown_to_html
from tandem.resources.schemas import (
    CheckIn,
    CheckResultOut,
    CompletionOut,
    ManagedResourceOut,
    ProgressOut,
    RatingIn,
    ResourceFiltersIn,
    ResourceListOut,
    ResourceOut,
    ResourceUpdateIn,
    ResourceWriteIn,
)

router = Router(tags=["resources"])

RESOURCE = "/resources/{resource_id}"
PROGRAM_RESOURCES = "/programs/{program_id}/resources"


def _detail(request: HttpRequest, resource_id: Id) -> dict[str, Any]:
    detail = selectors.resource_get(user=caller(request), resource_id=resource_id)
    resource = detail.resource
    return {
        **{
            name: getattr(resource, name)
            for name in ResourceOut.model_fields
            if hasattr(resource, name)
        },
        "body_html": markdown_to_html(resource.body_markdown),
        "checklist_items": list(resource.checklist_items.all()),
        "guide_questions": list(resource.guide_questions.all()),
        "lessons": [
            {
                "id": lesson.pk,
                "order": lesson.order,
                "title": lesson.title,
                "body_markdown": lesson.body_markdown,
                "completed": lesson.pk in detail.completed_lesson_ids,
            }
            for lesson in resource.lessons.all()
        ],
        "check_questions": [
            {"id": q.pk, "text": q.text, "options": list(q.options.all())}
            for q in resource.check_questions.all()
        ],
        "progress": detail.progress,
    }


@router.get("/resources", response=list[ResourceListOut], summary="The library, with filters")
@paginate(KeysetPagination)
def resource_list(request: HttpRequest, filters: Query[ResourceFiltersIn]) -> object:
    return selectors.resource_list_for_user(
        user=caller(request),
        search=filters.search,
        kind=filters.kind or "",
        audience=filters.audience or "",
        stage=filters.stage or "",
        skill=filters.skill,
    )


@router.get(RESOURCE, response=ResourceOut, summary="One piece, its items and your progress")
def resource_get(request: HttpRequest, resource_id: Id) -> object:
    return _detail(request, resource_id)


@router.post(RESOURCE + "/done", response=ProgressOut, summary="Mark it done")
def resource_mark_done(request: HttpRequest, resource_id: Id) -> object:
    return services.resource_mark_done(actor=caller(request), resource_id=resource_id)


@router.delete(RESOURCE + "/done", response=ProgressOut, summary="Take back 'done'")
def resource_mark_undone(request: HttpRequest, resource_id: Id) -> object:
    return services.resource_mark_undone(actor=caller(request), resource_id=resource_id)


@router.post(RESOURCE + "/rating", response=ProgressOut, summary="Rate it from 1 to 5")
def resource_rate(request: HttpRequest, resource_id: Id, payload: RatingIn) -> object:
    return services.resource_rate(
        actor=caller(request), resource_id=resource_id, rating=payload.rating
    )


@router.post(
    RESOURCE + "/lessons/{lesson_id}/complete",
    response=ProgressOut,
    summary="Complete a lesson of a training module",
)
def lesson_complete(request: HttpRequest, resource_id: Id, lesson_id: Id) -> object:
    actor = caller(request)
    services.lesson_complete(actor=actor, resource_id=resource_id, lesson_id=lesson_id)
    return selectors.resource_get(user=actor, resource_id=resource_id).progress


@router.post(RESOURCE + "/check", response=CheckResultOut, summary="Answer the knowledge check")
def knowledge_check_submit(request: HttpRequest, resource_id: Id, payload: CheckIn) -> object:
    actor = caller(request)
    result = services.knowledge_check_submit(
        actor=actor, resource_id=resource_id, answers=payload.answers
    )
    progress = selectors.resource_get(user=actor, resource_id=resource_id).progress
    return {
        "score": result.score,
        "passed": result.passed,
        "correct": result.correct,
        "module_done": progress is not None and progress.done_at is not None,
    }


# --- Managers -------------------------------------------------------------------------------


@router.get(
    PROGRAM_RESOURCES,
    response=list[ManagedResourceOut],
    summary="The pieces a programme's people read (hidden ones too), for its managers",
)
@paginate(LimitOffsetPagination)
def program_resource_list(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.resource_list_for_program(program=program)


@router.get(
    PROGRAM_RESOURCES + "/completion",
    response=list[CompletionOut],
    summary="Per piece: how many of the programme's active participants marked it done",
)
def program_resource_completion(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.resource_completion_rates(program=program)


@router.post(
    PROGRAM_RESOURCES, response={201: ResourceOut}, summary="Add a piece for this programme only"
)
def program_resource_create(
    request: HttpRequest, program_id: Id, payload: ResourceWriteIn
) -> object:
    resource = services.resource_create(
        actor=caller(request), program_id=program_id, **payload.dict()
    )
    return Status(201, _detail(request, resource.pk))


@router.patch(
    PROGRAM_RESOURCES + "/{resource_id}",
    response=ResourceOut,
    summary="Edit a piece (the programme's additions; org pieces by org admins)",
)
def program_resource_update(
    request: HttpRequest, program_id: Id, resource_id: Id, payload: ResourceUpdateIn
) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    resource = selectors.resource_in_program(program=program, resource_id=resource_id)
    changes = {name: value for name, value in payload.dict().items() if value is not None}
    services.resource_update(actor=caller(request), resource_id=resource.pk, **changes)
    return _detail(request, resource.pk)


@router.post(
    PROGRAM_RESOURCES + "/{resource_id}/hide", response=ManagedResourceOut, summary="Hide a piece"
)
def program_resource_hide(request: HttpRequest, program_id: Id, resource_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    resource = selectors.resource_in_program(program=program, resource_id=resource_id)
    return services.resource_hide(actor=caller(request), resource_id=resource.pk)


@router.post(
    PROGRAM_RESOURCES + "/{resource_id}/unhide",
    response=ManagedResourceOut,
    summary="Show a hidden piece again",
)
def program_resource_unhide(request: HttpRequest, program_id: Id, resource_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    resource = selectors.resource_in_program(program=program, resource_id=resource_id)
    return services.resource_unhide(actor=caller(request), resource_id=resource.pk)
