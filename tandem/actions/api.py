"""Action items over HTTP: thin — guard, then a service or selector, then a schema."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.actions import selectors, services
from tandem.actions.schemas import (
    ActionItemCloseIn,
    ActionItemCreateIn,
    ActionItemFiltersIn,
    ActionItemOut,
    ActionItemUpdateIn,
)
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.relationships.permissions import relationship_access

router = Router(tags=["actions"])


@router.get(
    "/relationships/{relationship_id}/actions",
    response=list[ActionItemOut],
    summary="The pair's action items (open by due date, then closed)",
)
@paginate(LimitOffsetPagination)
def action_list(
    request: HttpRequest, relationship_id: Id, filters: Query[ActionItemFiltersIn]
) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.action_item_list(access=access, status=filters.status or "")


@router.post(
    "/relationships/{relationship_id}/actions",
    response={201: ActionItemOut},
    summary="Agree an action to practise before the next meeting",
)
def action_create(request: HttpRequest, relationship_id: Id, payload: ActionItemCreateIn) -> object:
    item = services.action_item_add(
        actor=caller(request),
        relationship_id=relationship_id,
        title=payload.title,
        owner_id=payload.owner_id,
        due_on=payload.due_on,
        client_key=payload.client_key,
    )
    return Status(201, item)


@router.patch(
    "/relationships/{relationship_id}/actions/{action_item_id}",
    response=ActionItemOut,
    summary="Change an action's title, owner or due date",
)
def action_update(
    request: HttpRequest, relationship_id: Id, action_item_id: Id, payload: ActionItemUpdateIn
) -> object:
    sent = payload.model_fields_set
    changes: dict[str, Any] = {name: getattr(payload, name) for name in sent}
    if changes.get("title", "") is None:
        changes.pop("title")
    if changes.get("owner_id", 0) is None:
        changes.pop("owner_id")
    return services.action_item_update(
        actor=caller(request),
        relationship_id=relationship_id,
        action_item_id=action_item_id,
        **changes,
    )


@router.post(
    "/relationships/{relationship_id}/actions/{action_item_id}/close",
    response=ActionItemOut,
    summary="Close an action as done or not done, with what was noticed",
)
def action_close(
    request: HttpRequest, relationship_id: Id, action_item_id: Id, payload: ActionItemCloseIn
) -> object:
    return services.action_item_close(
        actor=caller(request),
        relationship_id=relationship_id,
        action_item_id=action_item_id,
        outcome=payload.outcome,
        reflection=payload.reflection,
    )


@router.post(
    "/relationships/{relationship_id}/actions/{action_item_id}/reopen",
    response=ActionItemOut,
    summary="Open a closed action again",
)
def action_reopen(request: HttpRequest, relationship_id: Id, action_item_id: Id) -> object:
    return services.action_item_reopen(
        actor=caller(request), relationship_id=relationship_id, action_item_id=action_item_id
    )


@router.delete(
    "/relationships/{relationship_id}/actions/{action_item_id}",
    response={204: None},
    summary="Delete an action (the person who agreed it or its owner)",
)
def action_delete(request: HttpRequest, relationship_id: Id, action_item_id: Id) -> object:
    services.action_item_delete(
        actor=caller(request), relationship_id=relationship_id, action_item_id=action_item_id
    )
    return Status(204, None)
