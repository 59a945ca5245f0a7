"""The personal data pages: "My data" (ask for an export of your own data, follow it, download
it) and an organisation admin's export for one person. Thin: guards, services, selectors.
Anyone not allowed gets a 404, as if the page or the export did not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import Conflict
from tandem.core.web import guard_as_http
from tandem.privacy import selectors, services
from tandem.privacy.permissions import data_export_access, data_subject_access


@login_required
@require_http_methods(["GET", "POST"])
def my_exports(request: HttpRequest) -> HttpResponse:
    """A person's own exports; POST asks for a new one."""
    actor = signed_in_user(request)
    if request.method == "POST":
        try:
            services.data_export_request(actor=actor, subject_id=actor.pk)
            messages.success(request, "We are collecting your data. This page shows the progress.")
        except Conflict as error:
            messages.warning(request, error.detail)
        return redirect("privacy:exports")
    exports = selectors.data_exports_of_requester(actor=actor, subject_id=actor.pk)
    return render(request, "privacy/exports.html", {"exports": exports, "subject": actor})


@login_required
@require_http_methods(["GET", "POST"])
def person_exports(request: HttpRequest, user_id: int) -> HttpResponse:
    """An organisation admin's exports of one person of their organisation."""
    actor = signed_in_user(request)
    with guard_as_http():
        subject = data_subject_access(actor=actor, subject_id=user_id)
    if request.method == "POST":
        with guard_as_http():
            try:
                services.data_export_request(actor=actor, subject_id=subject.pk)
                messages.success(request, f"Collecting {subject.get_full_name()}'s data.")
            except Conflict as error:
                messages.warning(request, error.detail)
        return redirect("privacy:person_exports", user_id=subject.pk)
    exports = selectors.data_exports_of_requester(actor=actor, subject_id=subject.pk)
    return render(request, "privacy/exports.html", {"exports": exports, "subject": subject})


@login_required
@require_GET
def export_progress(request: HttpRequest, export_id: int) -> HttpResponse:
    """One export's row, polled by htmx while it is being built."""
    actor = signed_in_user(request)
    with guard_as_http():
        export = data_export_access(actor=actor, export_id=export_id)
    return render(request, "privacy/_export_row.html", {"export": export})


@login_required
@require_POST
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The archive, to the one who asked for it (a POST: downloading is recorded)."""
    actor = signed_in_user(request)
    with guard_as_http():
        try:
            export, content = services.data_export_download(actor=actor, export_id=export_id)
        except Conflict as error:
            messages.warning(request, error.detail)
            return redirect("privacy:exports")
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="tandem-data-{export.subject_id}-{export.pk}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response
