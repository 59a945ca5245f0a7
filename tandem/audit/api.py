"""The audit trail's API: an organisation admin's search, CSV download and retention."""

from typing import cast

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from tandem.audit import selectors, services
from tandem.audit.exports import audit_csv_response
from tandem.audit.permissions import AuditViewer
from tandem.audit.schemas import AuditEntryOut, AuditFiltersIn, AuditSettingsIn, AuditSettingsOut
from tandem.core.pagination import KeysetPagination

router = Router(tags=["audit"])


def _caller(request: HttpRequest) -> AuditViewer:
    # The API's authentication (accounts.api_auth) puts the signed-in user here.
    return cast(AuditViewer, request.auth)  # type: ignore[attr-defined]


def _filters(query: AuditFiltersIn) -> selectors.AuditFilters:
    return selectors.AuditFilters(
        actor=query.actor,
        event=query.event,
        object_type=query.object_type,
        date_from=query.date_from,
        date_to=query.date_to,
    )


@router.get(
    "/audit/entries",
    response=list[AuditEntryOut],
    summary="My organisation's audit trail, newest first (org admins)",
)
@paginate(KeysetPagination)
def audit_entry_list(request: HttpRequest, filters: Query[AuditFiltersIn]) -> object:
    return selectors.audit_entry_list(actor=_caller(request), filters=_filters(filters))


@router.get(
    "/audit/entries/export",
    summary="My organisation's audit trail as CSV, for the same search (org admins)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def audit_entry_export(
    request: HttpRequest, filters: Query[AuditFiltersIn]
) -> StreamingHttpResponse:
    actor = _caller(request)
    entries = selectors.audit_entry_list(actor=actor, filters=_filters(filters))
    return audit_csv_response(actor=actor, entries=entries)


@router.get(
    "/audit/settings", response=AuditSettingsOut, summary="How long the audit trail is kept"
)
def audit_settings_get(request: HttpRequest) -> object:
    return {"retention_days": selectors.audit_retention_days(actor=_caller(request))}


@router.put(
    "/audit/settings",
    response=AuditSettingsOut,
    summary="Change how long the audit trail is kept (org admins)",
)
def audit_settings_update(request: HttpRequest, payload: AuditSettingsIn) -> object:
    row = services.audit_settings_update(
        actor=_caller(request), retention_days=payload.retention_days
    )
    return {"retention_days": row.retention_days}
