"""Outcomes over HTTP: thin - guard, then a service or selector, then a schema.

Organisation admins import HR outcome data and set who else sees outcomes; admins (and
programme managers for their programmes, when the organisation allows it) read the report:
aggregates only, groups under the minimum size withheld, no list of people.
"""

from typing import Any, Literal

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import File, Query, Router, UploadedFile

from tandem.accounts.api_auth import caller
from tandem.accounts.models import User
from tandem.audit.services import audit_export
from tandem.core.exports import XLSX_CONTENT_TYPE, csv_download, xlsx_download
from tandem.outcomes import selectors, services, tables
from tandem.outcomes.permissions import require_org_admin
from tandem.outcomes.schemas import (
    OutcomesFilters,
    OutcomesImportOut,
    OutcomesReportOut,
    OutcomesSettingsIn,
    OutcomesSettingsOut,
)
from tandem.people import csvfile

router = Router(tags=["outcomes"])

XLSX_TYPE = XLSX_CONTENT_TYPE


def import_out(plan: services.ImportPlan, *, dry_run: bool) -> dict[str, Any]:
    ordered = plan.rejected + [row for row in plan.rows if row.action != "reject"]
    return {
        "dry_run": dry_run,
        "committed": plan.committed,
        "counts": plan.counts,
        "columns": plan.columns,
        "warnings": plan.warnings,
        "rows": [
            {
                "row": row.row,
                "person": row.person,
                "action": row.action.value,
                "changes": row.changes,
                "errors": [error.as_dict() for error in row.errors],
            }
            for row in ordered
        ],
    }


@router.post(
    "/outcomes/imports",
    response=OutcomesImportOut,
    summary="Import HR outcome data from CSV or XLSX (org admins)",
    description=(
        "Upload the file as multipart field `file`: one row per person with Employee ID "
        "and/or Email, Hire date, Termination date (blank while employed), Promotion dates "
        "(separated by semicolons), and optionally Department, Grade, Location. With "
        "`dry_run=true` (the default) nothing is written and the answer plans every row; "
        "people not found are listed (`not_found`). With `dry_run=false` the file is "
        "imported in one transaction, or, if any row is rejected, nothing is written and the "
        "answer is a 400 problem+json whose `errors` name each row, column and reason."
    ),
)
def outcomes_import(request: HttpRequest, file: File[UploadedFile], dry_run: bool = True) -> object:
    actor = caller(request)
    require_org_admin(actor)
    content = csvfile.read_upload(file, settings.OUTCOMES_IMPORT_MAX_BYTES)
    if dry_run:
        plan = services.outcomes_import_preview(actor=actor, content=content)
    else:
        plan = services.outcomes_import_commit(actor=actor, content=content)
    return import_out(plan, dry_run=dry_run)


@router.get(
    "/outcomes/report",
    response=OutcomesReportOut,
    summary="Retention, promotion, matched comparison and ROI of programmes",
    description=(
        "Kaplan-Meier retention of mentored and not-mentored people with 95 % bands, the "
        "log-rank test and Cox's hazard ratio, the share promoted within a window, a "
        "comparison group matched exactly on department, grade, tenure band and location "
        "with its balance, and the ROI under the assumptions given. As of the end of the last "
        "closed month; a group of fewer than `min_group_size` people is withheld; `verdict` "
        "is 'significant' only when the sample rule holds and p < 0.05."
    ),
)
def outcomes_report(request: HttpRequest, filters: Query[OutcomesFilters]) -> object:
    report = selectors.outcomes_report(actor=caller(request), query=filters.as_query())
    return tables.report_data(report)


class ExportFilters(OutcomesFilters):
    format: Literal["csv", "xlsx"] = "csv"


@router.get(
    "/outcomes/report/export",
    summary="The outcomes report's tables as CSV or XLSX",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}}},
)
def outcomes_export(
    request: HttpRequest, filters: Query[ExportFilters]
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    report = selectors.outcomes_report(actor=caller(request), query=filters.as_query())
    return export_response(report, filters.format, actor=caller(request))


def export_response(
    report: selectors.OutcomesReport, export_format: str, *, actor: User
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    audit_export(
        actor=actor,
        organization_id=actor.organization_id,
        what="outcomes",
        export_format=export_format,
    )
    filename = f"outcomes-{report.as_of.isoformat()}"
    if export_format == "xlsx":
        return xlsx_download(
            filename=f"{filename}.xlsx",
            sheet="Outcomes",
            header=tables.EXPORT_HEADER,
            rows=tables.export_rows(report),
        )
    return csv_download(
        filename=f"{filename}.csv", header=tables.EXPORT_HEADER, rows=tables.export_rows(report)
    )


@router.get(
    "/outcomes/settings",
    response=OutcomesSettingsOut,
    summary="Who besides organisation admins sees outcomes (org admins)",
)
def outcomes_settings_get(request: HttpRequest) -> object:
    return {"managers_see_outcomes": selectors.outcomes_settings_get(actor=caller(request))}


@router.put(
    "/outcomes/settings",
    response=OutcomesSettingsOut,
    summary="Let programme managers see their programmes' outcomes, or not (org admins)",
)
def outcomes_settings_update(request: HttpRequest, payload: OutcomesSettingsIn) -> object:
    saved = services.outcomes_settings_update(
        actor=caller(request), managers_see_outcomes=payload.managers_see_outcomes
    )
    return {"managers_see_outcomes": saved.managers_see_outcomes}
