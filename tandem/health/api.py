"""Relationship health over HTTP, for a programme's managers and the organisation's admins:
the health list with each score's components, a programme's bucket counts, one pair's history,
and the one-click actions. Thin: guard, then a service or selector, then a schema."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.accounts.names import display_name
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.health import selectors, services
from tandem.health.models import HealthNote, RelationshipHealth
from tandem.health.permissions import health_relationship_access
from tandem.health.schemas import (
    HealthFiltersIn,
    HealthNoteIn,
    HealthNoteOut,
    HealthNudgeOut,
    HealthRefreshOut,
    HealthSummaryOut,
    PairHealthOut,
    RelationshipHealthOut,
)
from tandem.programs.permissions import program_access

router = Router(tags=["health"])


def health_out(row: RelationshipHealth) -> dict[str, Any]:
    relationship = row.relationship
    return {
        "relationship_id": relationship.pk,
        "status": relationship.status,
        "mentor": {
            "user_id": relationship.mentor.user_id,
            "name": display_name(relationship.mentor.user),
        },
        "mentee": {
            "user_id": relationship.mentee.user_id,
            "name": display_name(relationship.mentee.user),
        },
        "score": row.score,
        "bucket": row.bucket,
        "bucket_label": row.bucket_label,
        "sentence": row.sentence,
        "components": row.components,
        "computed_at": row.computed_at,
    }


def _note_out(note: HealthNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": display_name(note.author) if note.author else "",
        "text": note.text,
        "created_at": note.created_at,
    }


class HealthPagination(LimitOffsetPagination):
    def paginate_queryset(
        self,
        queryset: QuerySet[RelationshipHealth],
        pagination: NinjaLimitOffsetPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [health_out(row) for row in page["items"]]
        return page


@router.get(
    "/programs/{program_id}/health",
    response=list[RelationshipHealthOut],
    summary="A programme's pairs by health, worst first, with each score's reasons (managers)",
)
@paginate(HealthPagination)
def program_health_list(
    request: HttpRequest, program_id: Id, filters: Query[HealthFiltersIn]
) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.health_list_for_program(program=program, bucket=filters.bucket)


@router.get(
    "/programs/{program_id}/health/summary",
    response=HealthSummaryOut,
    summary="How many of a programme's open pairs are in each health bucket, and how fresh",
)
def program_health_summary(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    buckets = selectors.program_health_summary(program_ids=[program.pk])[program.pk]
    computed_at, unscored = selectors.health_freshness(program=program, summary=buckets)
    return {
        "program_id": program.pk,
        "buckets": buckets,
        "computed_at": computed_at,
        "unscored": unscored,
    }


@router.post(
    "/programs/{program_id}/health/refresh",
    response=HealthRefreshOut,
    summary="Recompute the health of a programme's open pairs now",
)
def program_health_refresh(request: HttpRequest, program_id: Id) -> object:
    return {
        "scored": services.health_refresh_for_program(actor=caller(request), program_id=program_id)
    }


@router.get(
    "/relationships/{relationship_id}/health",
    response=PairHealthOut,
    summary="One pair's health, its history and the managers' notes (its managers)",
)
def relationship_health(request: HttpRequest, relationship_id: Id) -> object:
    relationship = health_relationship_access(
        actor=caller(request), relationship_id=relationship_id
    )
    pair = selectors.pair_health(relationship=relationship)
    current = None
    if pair.current is not None:
        pair.current.relationship = relationship
        current = health_out(pair.current)
    return {
        "current": current,
        "history": pair.history,
        "notes": [_note_out(note) for note in pair.notes],
    }


@router.post(
    "/relationships/{relationship_id}/health/nudge",
    response=HealthNudgeOut,
    summary="Nudge both people of a pair (at most once a day)",
)
def relationship_health_nudge(request: HttpRequest, relationship_id: Id) -> object:
    return {
        "enqueued": services.health_nudge_pair(
            actor=caller(request), relationship_id=relationship_id
        )
    }


@router.post(
    "/relationships/{relationship_id}/health/notes",
    response={201: HealthNoteOut},
    summary="Add a manager's private note on a pair",
)
def relationship_health_note(
    request: HttpRequest, relationship_id: Id, payload: HealthNoteIn
) -> object:
    note = services.health_note_add(
        actor=caller(request), relationship_id=relationship_id, text=payload.text
    )
    return Status(201, _note_out(note))
