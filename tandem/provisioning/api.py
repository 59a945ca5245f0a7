"""HR data sync over HTTP: an HR system (or a script with an org admin's API token) pushes an
export; admins read the history of runs. Thin: the service and selectors decide."""

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.errors import FieldError, InvalidInput
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id
from tandem.people import csvfile
from tandem.provisioning import selectors
from tandem.provisioning.hrsync import hr_sync_run
from tandem.provisioning.models import HrSyncSource, HrSyncStatus
from tandem.provisioning.schemas import HrSyncRunOut

router = Router(tags=["hr-sync"])


@router.post(
    "/hr-sync/runs",
    response={201: HrSyncRunOut},
    summary="Run an HR export (CSV or XLSX) into the organisation (org admins)",
    description=(
        "Multipart field `file`: the people import's columns (Email, First name, Last name, "
        "Job title, Department, Location, Timezone, Manager email, Hire date) and the HR "
        "outcome columns (Employee ID, Termination date, Promotion dates, Grade). People are "
        "upserted; a row whose termination date has come deactivates the person (signed "
        "out, pairs paused, partners and managers told), and with `full=true` so does every "
        "active person the file does not list. `dry_run=true` answers what would happen and "
        "keeps nothing. A file with rejected rows changes nothing and answers 400 naming each "
        "row, column and reason, unless `valid_only=true`, which runs the other rows. Every "
        "run is kept in the history."
    ),
)
def hr_sync_run_create(
    request: HttpRequest,
    file: File[UploadedFile],
    full: Form[bool] = False,
    dry_run: Form[bool] = False,
    valid_only: Form[bool] = False,
) -> Status:
    actor = caller(request)
    content = csvfile.read_upload(file, settings.OUTCOMES_IMPORT_MAX_BYTES)
    run = hr_sync_run(
        actor=actor,
        content=content,
        source=HrSyncSource.API,
        file_name=file.name or "",
        full=full,
        dry_run=dry_run,
        valid_only=valid_only,
    )
    if run.status == HrSyncStatus.FAILED:
        raise InvalidInput(
            f"Nothing was changed (run {run.pk} in the history): "
            f"{run.error_count} problem{'s' if run.error_count != 1 else ''} in the file.",
            [FieldError(e["field"], e["message"], row=e.get("row")) for e in run.errors],
        )
    return Status(201, run)


@router.get(
    "/hr-sync/runs",
    response=list[HrSyncRunOut],
    summary="The organisation's HR sync runs, newest first (org admins)",
)
@paginate(KeysetPagination)
def hr_sync_run_list(request: HttpRequest) -> object:
    return selectors.hr_sync_run_list(actor=caller(request))


@router.get("/hr-sync/runs/{run_id}", response=HrSyncRunOut, summary="One HR sync run (org admins)")
def hr_sync_run_detail(request: HttpRequest, run_id: Id) -> object:
    return selectors.hr_sync_run_get(actor=caller(request), run_id=run_id)
