"""The personal data pages: "My data" (ask for an export of your own data, follow it, download
it; ask for your data to be erased, or cancel that while it waits) and an organisation admin's
export and erasure for one person. Thin: guards, services, selectors.
Anyone not allowed gets a 404, as if the page or the export did not exist."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import Conflict, InvalidInput
from tandem.core.web import guard_as_http
from tandem.privacy import selectors, services
from tandem.privacy.models import ERASURE_COOLING_OFF_DAYS_MAX
from tandem.privacy.permissions import (
    data_export_access,
    data_subject_access,
    erasure_request_access,
)


@login_required
@require_http_methods(["GET", "POST"])
def my_exports(request: HttpRequest) -> HttpResponse:
    """A person's own exports; POST asks for a new one."""
    actor = signed_in_user(request)
    if request.method == "POST":
        try:
            services.data_export_request(actor=actor, subject_id=actor.pk)
            messages.success(
                request, gettext("We are collecting your data. This page shows the progress.")
            )
        except Conflict as error:
            messages.warning(request, error.detail)
        return redirect("privacy:exports")
    return _data_page(request, actor=actor, subject=actor)


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
                messages.success(
                    request,
                    gettext("Collecting %(name)s's data.") % {"name": subject.get_full_name()},
                )
            except Conflict as error:
                messages.warning(request, error.detail)
        return redirect("privacy:person_exports", user_id=subject.pk)
    return _data_page(request, actor=actor, subject=subject)


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


def _data_page(request: HttpRequest, *, actor: User, subject: User) -> HttpResponse:
    exports = selectors.data_exports_of_requester(actor=actor, subject_id=subject.pk)
    erasures = list(selectors.erasure_requests_of_person(person_id=subject.pk))
    return render(
        request,
        "privacy/exports.html",
        {
            "exports": exports,
            "subject": subject,
            "erasures": erasures,
            "erasure_pending": any(erasure.is_pending for erasure in erasures),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_erasure(request: HttpRequest) -> HttpResponse:
    """ "Erase my data": a confirm page saying what goes, what stays and until when it can be
    cancelled; POST asks for it."""
    actor = signed_in_user(request)
    return _erasure_page(request, actor=actor, subject=actor)


@login_required
@require_http_methods(["GET", "POST"])
def person_erasure(request: HttpRequest, user_id: int) -> HttpResponse:
    """An organisation admin's "Erase their data" for one person of their organisation."""
    actor = signed_in_user(request)
    with guard_as_http():
        subject = data_subject_access(actor=actor, subject_id=user_id)
    return _erasure_page(request, actor=actor, subject=subject)


def _data_page_of(actor: User, subject: User) -> HttpResponse:
    if subject.pk == actor.pk:
        return redirect("privacy:exports")
    return redirect("privacy:person_exports", user_id=subject.pk)


def _erasure_page(request: HttpRequest, *, actor: User, subject: User) -> HttpResponse:
    error = ""
    if request.method == "POST":
        with guard_as_http():
            try:
                erasure = services.erasure_request(
                    actor=actor, person_id=subject.pk, reason=request.POST.get("reason", "")
                )
            except (Conflict, InvalidInput) as problem:
                error = problem.detail
            else:
                messages.success(
                    request,
                    gettext(
                        "Erasure asked for. It happens on %(day)s; until then it can be "
                        "cancelled here."
                    )
                    % {"day": date_format(timezone.localtime(erasure.due_at), "j F Y")},
                )
                return _data_page_of(actor, subject)
    return render(
        request,
        "privacy/erase.html",
        {
            "subject": subject,
            "is_self": subject.pk == actor.pk,
            "due_at": timezone.now()
            + services.erasure_cooling_off(organization_id=subject.organization_id),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def erasure_cancel(request: HttpRequest, erasure_id: int) -> HttpResponse:
    """Cancel a pending erasure (the person, or an admin of their organisation)."""
    actor = signed_in_user(request)
    with guard_as_http():
        erasure = erasure_request_access(actor=actor, erasure_id=erasure_id)
        try:
            services.erasure_cancel(actor=actor, erasure_id=erasure.pk)
            messages.success(request, gettext("The erasure is cancelled: nothing will be erased."))
        except Conflict as problem:
            messages.warning(request, problem.detail)
    return _data_page_of(actor, erasure.person)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    """The organisation's retention settings (org admins; anyone else 404)."""
    actor = signed_in_user(request)
    with guard_as_http():
        current = services.retention_settings_get(actor=actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, int | None] = {}
        for name in ("ended_relationship_private_data_months", "erasure_cooling_off_days"):
            raw = request.POST.get(name, "").strip()
            try:
                values[name] = int(raw) if raw else None
            except ValueError:
                errors[name] = f"Say a whole number, or leave it empty (got {raw!r})."
        if not errors:
            try:
                services.retention_settings_update(
                    actor=actor,
                    months=values["ended_relationship_private_data_months"],
                    erasure_cooling_off_days=values["erasure_cooling_off_days"],
                )
            except InvalidInput as problem:
                errors = {error.field: error.message for error in problem.errors}
            else:
                messages.success(request, gettext("Retention saved."))
                return redirect("privacy:retention")
    return render(
        request,
        "privacy/retention.html",
        {
            "settings": current,
            "errors": errors,
            "posted": request.POST if errors else None,
            "default_cooling_off_days": django_settings.PRIVACY_ERASURE_COOLING_OFF_DAYS,
            "cooling_off_max": ERASURE_COOLING_OFF_DAYS_MAX,
        },
        status=400 if errors else 200,
    )
