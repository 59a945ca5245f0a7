"""The organisation admin's audit trail pages: search, CSV download, retention."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from tandem.audit import selectors, services
from tandem.audit.exports import audit_csv_response
from tandem.audit.forms import AuditSearchForm, AuditSettingsForm
from tandem.audit.permissions import AuditViewer, audit_admin_required
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.pagination import capped_count
from tandem.core.web import seek_page_for_request

PAGE_SIZE = 50


def _org_admin(request: HttpRequest) -> AuditViewer:
    """The signed-in organisation admin; anyone else gets a 404 like the other admin pages."""
    actor = cast(AuditViewer, request.user)
    try:
        audit_admin_required(actor)
    except DomainError as error:
        raise Http404 from error
    return actor


def _search(
    request: HttpRequest, actor: AuditViewer
) -> tuple[AuditSearchForm, selectors.AuditFilters | None]:
    form = AuditSearchForm(
        request.GET or None, object_types=selectors.audit_object_types(actor=actor)
    )
    if not request.GET:
        return form, selectors.AuditFilters()
    if not form.is_valid():
        return form, None
    filters = selectors.AuditFilters(
        actor=form.cleaned_data["actor"],
        event=form.cleaned_data["event"],
        object_type=form.cleaned_data["object_type"],
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    try:
        selectors.audit_filters_check(filters)
    except DomainError as error:
        add_domain_error(form, error)
        return form, None
    return form, filters


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = _org_admin(request)
    form, filters = _search(request, actor)
    page, count = None, None
    if filters is not None:
        entries = selectors.audit_entry_list(actor=actor, filters=filters)
        page = seek_page_for_request(entries, request, limit=PAGE_SIZE)
        count = capped_count(entries)
    apply_bootstrap(form)
    return render(
        request,
        "audit/list.html",
        {
            "nav_section": "people",
            "form": form,
            "page": page,
            "count": count,
            "rows": [
                {
                    "entry": entry,
                    "actor": selectors.actor_label(entry),
                    "object_type": selectors.object_type_label(entry),
                    "details": selectors.details(entry),
                }
                for entry in (page.object_list if page else [])
            ],
            "events": selectors.audit_event_names(actor=actor),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    actor = _org_admin(request)
    form, filters = _search(request, actor)
    if filters is None:
        text = "; ".join(
            f"{name}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        )
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    entries = selectors.audit_entry_list(actor=actor, filters=filters)
    return audit_csv_response(actor=actor, entries=entries)


@login_required
def audit_settings(request: HttpRequest) -> HttpResponse:
    actor = _org_admin(request)
    form = AuditSettingsForm(
        request.POST or None,
        initial={"retention_days": selectors.audit_retention_days(actor=actor)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_settings_update(
                actor=actor, retention_days=form.cleaned_data["retention_days"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Audit trail settings saved."))
            return redirect("audit:settings")
    apply_bootstrap(form)
    return render(
        request,
        "audit/settings.html",
        {"nav_section": "people", "form": form},
        status=400 if form.errors else 200,
    )
