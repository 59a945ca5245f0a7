"""Conversations over HTTP: thin — guard, then a service or selector, then a schema.
Only the people of a thread read it: managers and admins get 404 like everyone else."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.conversations import selectors, services
from tandem.conversations.schemas import MessageCreateIn, MessageFiltersIn, MessageOut
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id

router = Router(tags=["conversations"])


@router.get(
    "/relationships/{relationship_id}/messages",
    response=list[MessageOut],
    summary="The pair's messages, oldest first (newest last)",
)
@paginate(LimitOffsetPagination)
def relationship_messages(
    request: HttpRequest, relationship_id: Id, filters: Query[MessageFiltersIn]
) -> object:
    thread = selectors.thread_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.message_list(thread=thread, after_id=filters.after_id)


@router.post(
    "/relationships/{relationship_id}/messages",
    response={201: MessageOut},
    summary="Send my partner a message",
)
def relationship_message_post(
    request: HttpRequest, relationship_id: Id, payload: MessageCreateIn
) -> object:
    message = services.message_post(
        actor=caller(request), relationship_id=relationship_id, body=payload.body
    )
    return Status(201, message)


@router.post(
    "/relationships/{relationship_id}/messages/read",
    response={204: None},
    summary="Mark the pair's thread read up to now",
)
def relationship_messages_read(request: HttpRequest, relationship_id: Id) -> object:
    services.message_mark_read(actor=caller(request), relationship_id=relationship_id)
    return Status(204, None)


@router.get(
    "/circles/{circle_id}/messages",
    response=list[MessageOut],
    summary="The circle's messages, oldest first (its members)",
)
@paginate(LimitOffsetPagination)
def circle_messages(
    request: HttpRequest, circle_id: Id, filters: Query[MessageFiltersIn]
) -> object:
    thread = selectors.thread_access(actor=caller(request), circle_id=circle_id)
    return selectors.message_list(thread=thread, after_id=filters.after_id)


@router.post(
    "/circles/{circle_id}/messages",
    response={201: MessageOut},
    summary="Send a message to everyone in the circle",
)
def circle_message_post(request: HttpRequest, circle_id: Id, payload: MessageCreateIn) -> object:
    message = services.circle_message_post(
        actor=caller(request), circle_id=circle_id, body=payload.body
    )
    return Status(201, message)


@router.post(
    "/circles/{circle_id}/messages/read",
    response={204: None},
    summary="Mark the circle's thread read up to now",
)
def circle_messages_read(request: HttpRequest, circle_id: Id) -> object:
    services.message_mark_read(actor=caller(request), circle_id=circle_id)
    return Status(204, None)
