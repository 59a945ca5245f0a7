"""Analytics over HTTP: a programme's dashboard and the organisation's roll-up, as JSON."""

from django.http import HttpRequest
from ninja import Query, Router

from tandem.accounts.api_auth import caller
from tandem.analytics import selectors
from tandem.analytics.filters import Scope, filters_parse
from tandem.analytics.permissions import analytics_program_access, analytics_programs_access
from tandem.analytics.schemas import AnalyticsFiltersIn, AnalyticsOut
from tandem.core.params import Id

router = Router(tags=["analytics"])


def _params(filters: AnalyticsFiltersIn) -> dict[str, str]:
    return {
        name: "" if value is None else str(value) for name, value in filters.model_dump().items()
    }


@router.get(
    "/programs/{program_id}/analytics",
    response=AnalyticsOut,
    summary="A programme's dashboard: funnel, matching, engagement, satisfaction, skills, health",
)
def program_analytics(
    request: HttpRequest, program_id: Id, filters: Query[AnalyticsFiltersIn]
) -> object:
    program = analytics_program_access(actor=caller(request), program_id=program_id)
    scope = Scope(program_ids=(program.pk,), filters=filters_parse(_params(filters)))
    return selectors.dashboard(scope)


@router.get(
    "/analytics",
    response=AnalyticsOut,
    summary="The organisation's dashboard over the programmes I manage (admins: all)",
)
def organization_analytics(request: HttpRequest, filters: Query[AnalyticsFiltersIn]) -> object:
    programs = analytics_programs_access(actor=caller(request))
    scope = Scope(
        program_ids=tuple(program.pk for program in programs),
        filters=filters_parse(_params(filters)),
    )
    return selectors.dashboard(scope)
