"""Personal data rights over HTTP: exports (ask for your own or, an organisation admin, a
person's; follow it, download it) and erasures (ask, list, cancel while pending). Thin: guard,
then a service or selector, then a schema."""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.privacy import selectors, services
from tandem.privacy.permissions import data_export_access, erasure_request_access
from tandem.privacy.schemas import DataExportOut, ErasureRequestIn, ErasureRequestOut

router = Router(tags=["privacy"])


@router.post(
    "/me/data-exports",
    response={201: DataExportOut},
    summary="Ask for an archive of everything Tandem holds about me",
)
def my_data_export_request(request: HttpRequest) -> object:
    actor = caller(request)
    return Status(201, services.data_export_request(actor=actor, subject_id=actor.pk))


@router.post(
    "/people/{user_id}/data-exports",
    response={201: DataExportOut},
    summary="Ask for an archive of everything Tandem holds about a person (org admins)",
)
def person_data_export_request(request: HttpRequest, user_id: Id) -> object:
    return Status(201, services.data_export_request(actor=caller(request), subject_id=user_id))


@router.get(
    "/data-exports",
    response=list[DataExportOut],
    summary="The data exports I asked for, newest first (the last 20)",
)
def data_export_list(request: HttpRequest) -> object:
    return list(selectors.data_exports_of_requester(actor=caller(request)))


@router.get(
    "/data-exports/{export_id}", response=DataExportOut, summary="One data export I asked for"
)
def data_export_get(request: HttpRequest, export_id: Id) -> object:
    return data_export_access(actor=caller(request), export_id=export_id)


@router.get(
    "/data-exports/{export_id}/download",
    summary="The archive of a ready data export I asked for (a zip)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}}}},
)
def data_export_download(request: HttpRequest, export_id: Id) -> HttpResponse:
    export, content = services.data_export_download(actor=caller(request), export_id=export_id)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="tandem-data-{export.subject_id}-{export.pk}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/me/erasure-requests",
    response={201: ErasureRequestOut},
    summary="Ask for my data to be erased (after a cooling-off period, cancellable until then)",
)
def my_erasure_request(request: HttpRequest, payload: ErasureRequestIn) -> object:
    actor = caller(request)
    return Status(
        201, services.erasure_request(actor=actor, person_id=actor.pk, reason=payload.reason)
    )


@router.post(
    "/people/{user_id}/erasure-requests",
    response={201: ErasureRequestOut},
    summary="Ask for a person's data to be erased (org admins)",
)
def person_erasure_request(request: HttpRequest, user_id: Id, payload: ErasureRequestIn) -> object:
    return Status(
        201,
        services.erasure_request(actor=caller(request), person_id=user_id, reason=payload.reason),
    )


@router.get(
    "/erasure-requests",
    response=list[ErasureRequestOut],
    summary="Erasure requests about me (org admins: anyone of the organisation), newest first",
)
def erasure_request_list(request: HttpRequest) -> object:
    return list(selectors.erasure_requests_for(actor=caller(request)))


@router.get(
    "/erasure-requests/{erasure_id}", response=ErasureRequestOut, summary="One erasure request"
)
def erasure_request_get(request: HttpRequest, erasure_id: Id) -> object:
    return erasure_request_access(actor=caller(request), erasure_id=erasure_id)


@router.post(
    "/erasure-requests/{erasure_id}/cancel",
    response=ErasureRequestOut,
    summary="Cancel a pending erasure (the person, or an org admin)",
)
def erasure_request_cancel(request: HttpRequest, erasure_id: Id) -> object:
    return services.erasure_cancel(actor=caller(request), erasure_id=erasure_id)
