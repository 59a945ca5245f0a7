"""Workspace over HTTP: the managers' activity-signals list (the pair's content lives in
each feature's own endpoints)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.accounts.names import display_name
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id
from tandem.programs.permissions import program_access
from tandem.relationships.models import Relationship
from tandem.workspace import selectors
from tandem.workspace.schemas import RelationshipSignalsOut, SignalFiltersIn

router = Router(tags=["workspace"])


class SignalsPagination(KeysetPagination):
    """Signals are computed for the page's relationships only, after slicing."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Relationship],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [
            _signals_out(row)
            for row in selectors.relationship_signals(relationships=list(page["items"]))
        ]
        return page


def _signals_out(row: selectors.RelationshipSignals) -> dict[str, Any]:
    relationship = row.relationship
    return {
        "id": relationship.pk,
        "status": relationship.status,
        "circle_id": relationship.circle_id,
        "mentor": {
            "user_id": relationship.mentor.user_id,
            "name": display_name(relationship.mentor.user),
        },
        "mentee": {
            "user_id": relationship.mentee.user_id,
            "name": display_name(relationship.mentee.user),
        },
        "started_on": relationship.started_on,
        "planned_end_on": relationship.planned_end_on,
        "last_active_week": row.last_active_week,
        "meetings_held": row.meetings_held,
        "last_meeting_week": row.last_meeting_week,
        "next_meeting_at": row.next_meeting_at,
        "goal_progress": row.goal_progress,
        "agreement_signed": row.agreement_signed,
        "actions_open": row.actions_open,
        "actions_overdue": row.actions_overdue,
        "is_at_risk": row.is_at_risk,
        "health_bucket": row.health_bucket,
    }


@router.get(
    "/programs/{program_id}/relationships",
    response=list[RelationshipSignalsOut],
    summary="A programme's relationships as activity signals (its managers)",
)
@paginate(SignalsPagination)
def program_relationship_signals(
    request: HttpRequest, program_id: Id, filters: Query[SignalFiltersIn]
) -> object:
    actor = caller(request)
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return selectors.relationship_queryset_for_program(
        program=program, status=filters.status, search=filters.search
    )
