"""Journals over HTTP: thin — guard, then a service or selector, then a schema.

Every path answers only the author about their own entries (and the partner about entries
shared with them); anyone else gets 404, managers and admins included."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.journals import selectors, services
from tandem.journals.exports import ExportFormat, journal_export_response
from tandem.journals.schemas import (
    JournalEntryCreateIn,
    JournalEntryOut,
    JournalEntryUpdateIn,
    SharedJournalEntryOut,
)
from tandem.relationships.permissions import relationship_access

router = Router(tags=["journals"])


class ExportQuery(Schema):
    format: ExportFormat = ExportFormat.MARKDOWN
    relationship_id: Id | None = None


@router.get(
    "/relationships/{relationship_id}/journal",
    response=list[JournalEntryOut],
    summary="My journal entries in this relationship (only mine, newest first)",
)
@paginate(LimitOffsetPagination)
def journal_list(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.journal_entry_list_mine(access=access)


@router.post(
    "/relationships/{relationship_id}/journal",
    response={201: JournalEntryOut},
    summary="Write a private journal entry",
)
def journal_create(
    request: HttpRequest, relationship_id: Id, payload: JournalEntryCreateIn
) -> object:
    entry = services.journal_entry_create(
        actor=caller(request),
        relationship_id=relationship_id,
        text=payload.text,
        mood=payload.mood or "",
        tags=payload.tags,
        meeting_id=payload.meeting_id,
    )
    return Status(201, entry)


@router.get(
    "/relationships/{relationship_id}/journal/shared",
    response=list[SharedJournalEntryOut],
    summary="Entries my partner shared with me",
)
@paginate(LimitOffsetPagination)
def journal_shared_with_me(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.journal_entry_list_shared_with_me(access=access)


@router.get("/relationships/{relationship_id}/journal/{entry_id}", response=JournalEntryOut)
def journal_get(request: HttpRequest, relationship_id: Id, entry_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.journal_entry_get_mine(access=access, entry_id=entry_id)


@router.patch("/relationships/{relationship_id}/journal/{entry_id}", response=JournalEntryOut)
def journal_update(
    request: HttpRequest, relationship_id: Id, entry_id: Id, payload: JournalEntryUpdateIn
) -> object:
    sent = payload.model_fields_set
    return services.journal_entry_update(
        actor=caller(request),
        relationship_id=relationship_id,
        entry_id=entry_id,
        text=payload.text,
        mood=(payload.mood or "") if "mood" in sent else None,
        tags=payload.tags,
        meeting_id=payload.meeting_id if "meeting_id" in sent else ...,
    )


@router.delete("/relationships/{relationship_id}/journal/{entry_id}", response={204: None})
def journal_delete(request: HttpRequest, relationship_id: Id, entry_id: Id) -> object:
    services.journal_entry_delete(
        actor=caller(request), relationship_id=relationship_id, entry_id=entry_id
    )
    return Status(204, None)


@router.post(
    "/relationships/{relationship_id}/journal/{entry_id}/share",
    response=JournalEntryOut,
    summary="Let my partner read this entry",
)
def journal_share(request: HttpRequest, relationship_id: Id, entry_id: Id) -> object:
    return services.journal_entry_share(
        actor=caller(request), relationship_id=relationship_id, entry_id=entry_id
    )


@router.post(
    "/relationships/{relationship_id}/journal/{entry_id}/unshare",
    response=JournalEntryOut,
    summary="Make this entry private again",
)
def journal_unshare(request: HttpRequest, relationship_id: Id, entry_id: Id) -> object:
    return services.journal_entry_unshare(
        actor=caller(request), relationship_id=relationship_id, entry_id=entry_id
    )


@router.get(
    "/me/journal/export",
    summary="Download my own journal (all relationships, or one) as Markdown or JSON",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/markdown": {}, "application/json": {}}}}},
)
def journal_export(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    actor = caller(request)
    entries = selectors.journal_entry_list_for_export(
        actor=actor, relationship_id=query.relationship_id
    )
    return journal_export_response(actor=actor, entries=entries, export_format=query.format)
