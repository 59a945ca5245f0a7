"""Personal data exports over HTTP: ask for your own (or, an organisation admin, a person's),
follow it, download it. Thin: guard, then a service or selector, then a schema."""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.privacy import selectors, services
from tandem.privacy.permissions import data_export_access
from tandem.privacy.schemas import DataExportOut

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
