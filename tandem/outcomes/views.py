"""The outcomes pages: the report (admins; managers for their programmes when allowed), the
HR outcomes import and the setting (admins). Thin: selectors read, services write.

The import and the setting answer 404 to anyone but an organisation admin, as if they did not
exist (like the people import). The report answers 403 to a member of the organisation whose
role does not see outcomes, and 404 for a programme the caller may not see.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.outcomes import selectors, services
from tandem.outcomes.api import export_response
from tandem.outcomes.forms import OutcomesFilterForm, OutcomesImportForm, OutcomesSettingsForm
from tandem.outcomes.permissions import is_org_admin, outcomes_import_access
from tandem.outcomes.presentation import report_context
from tandem.people import csvfile

PREVIEW_ROWS_SHOWN = 200


def _org_admin(request: HttpRequest) -> User:
    actor = signed_in_user(request)
    if not is_org_admin(actor):
        raise Http404
    return actor


def _filtered_report(
    request: HttpRequest,
) -> tuple[OutcomesFilterForm, selectors.OutcomesReport | None]:
    actor = signed_in_user(request)
    with guard_as_http():
        programs = selectors.outcome_program_choices(actor=actor)
    form = OutcomesFilterForm(request.GET or None, programs=programs)
    if request.GET and not form.is_valid():
        return form, None
    query = form.query() if request.GET else selectors.OutcomesQuery()
    with guard_as_http():
        report = selectors.outcomes_report(actor=actor, query=query)
    return form, report


@login_required
@require_GET
def outcomes_page(request: HttpRequest) -> HttpResponse:
    """Retention, promotion, the matched comparison and the ROI, as aggregates."""
    actor = signed_in_user(request)
    form, report = _filtered_report(request)
    apply_bootstrap(form)
    context = {
        "nav_section": "outcomes",
        "form": form,
        "report": report,
        "is_org_admin": is_org_admin(actor),
        "query_string": request.GET.urlencode(),
        **(report_context(report) if report is not None else {}),
    }
    return render(request, "outcomes/report.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def outcomes_export(
    request: HttpRequest, export_format: str
) -> HttpResponse | StreamingHttpResponse:
    """The report's tables as CSV or XLSX, for the same choices as the page."""
    if export_format not in ("csv", "xlsx"):
        raise Http404
    form, report = _filtered_report(request)
    if report is None:
        apply_bootstrap(form)
        return render(request, "outcomes/report.html", {"form": form, "report": None}, status=400)
    return export_response(report, export_format, actor=signed_in_user(request))


def _render_import(
    request: HttpRequest, context: dict[str, object], status: int = 200
) -> HttpResponse:
    template = "outcomes/_import_result.html" if request.htmx else "outcomes/import.html"  # type: ignore[attr-defined]
    return render(request, template, {"nav_section": "outcomes", **context}, status=status)


def _preview_context(plan: services.ImportPlan, **extra: object) -> dict[str, object]:
    others = [row for row in plan.rows if row.action != services.RowAction.REJECT]
    return {
        "plan": plan,
        "rejected": plan.rejected,
        "not_found": plan.not_found,
        "others": others[:PREVIEW_ROWS_SHOWN],
        "others_hidden": max(len(others) - PREVIEW_ROWS_SHOWN, 0),
        **extra,
    }


def _settings_form(actor: User) -> OutcomesSettingsForm:
    form = OutcomesSettingsForm(
        initial={"managers_see_outcomes": selectors.outcomes_settings_get(actor=actor)}
    )
    apply_bootstrap(form)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def outcomes_import(request: HttpRequest) -> HttpResponse:
    """Upload an HR outcomes file: check it (nothing written), show the plan, offer to commit."""
    actor = _org_admin(request)
    if request.method == "GET":
        form = OutcomesImportForm()
        apply_bootstrap(form)
        return _render_import(request, {"form": form, "settings_form": _settings_form(actor)})
    form = OutcomesImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = csvfile.read_upload(upload, settings.OUTCOMES_IMPORT_MAX_BYTES)
            staged, plan = services.outcomes_import_stage(
                actor=actor, filename=upload.name or "", content=content
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            context = {"form": form, **_preview_context(plan, staged=staged)}
            context["settings_form"] = _settings_form(actor)
            return _render_import(request, context)
    apply_bootstrap(form)
    return _render_import(
        request, {"form": form, "settings_form": _settings_form(actor)}, status=400
    )


@login_required
@require_POST
def outcomes_import_commit(request: HttpRequest, import_id: int) -> HttpResponse:
    """Write the checked file; if a row has become invalid since, nothing is written."""
    actor = _org_admin(request)
    try:
        staged = outcomes_import_access(actor=actor, import_id=import_id)
    except NotFound as error:
        raise Http404 from error
    try:
        plan = services.outcomes_import_commit_staged(actor=actor, staged=staged)
    except DomainError as error:
        form = OutcomesImportForm()
        apply_bootstrap(form)
        return _render_import(
            request,
            {
                "form": form,
                "settings_form": _settings_form(actor),
                "commit_error": error.detail,
                "commit_errors": error.errors,
            },
            status=error.status,
        )
    counts = plan.counts
    messages.success(
        request,
        f"Import done: {counts['create']} added, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged, {counts['not_found']} not found.",
    )
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("outcomes:report")
        return response
    return redirect("outcomes:report")


@login_required
@require_POST
def outcomes_settings(request: HttpRequest) -> HttpResponse:
    actor = _org_admin(request)
    form = OutcomesSettingsForm(request.POST)
    form.is_valid()  # a checkbox: absent is False, nothing else can be wrong
    saved = services.outcomes_settings_update(
        actor=actor, managers_see_outcomes=form.cleaned_data.get("managers_see_outcomes", False)
    )
    messages.success(
        request,
        "Programme managers now see the outcomes of their programmes."
        if saved.managers_see_outcomes
        else "Only organisation admins see outcomes now.",
    )
    return redirect("outcomes:import")
