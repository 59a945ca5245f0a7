"""The admin's deactivate and reactivate pages for one person (linked from the person page and
the members page) and the directory's bulk deactivate. They live here, not in workspace,
people or participants, because those apps are below provisioning and may not import the
lifecycle (docs/architecture.md); the lower pages link here by URL name. Thin: the lifecycle
decides and acts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import AuthenticatedRequest
from tandem.core.errors import DomainError, InvalidInput, NotFound
from tandem.provisioning import bulk, lifecycle
from tandem.provisioning.selectors import person_for_lifecycle
from tandem.provisioning.views import _org_admin_only


def _refusal_text(error: DomainError) -> str:
    return " ".join(item.message for item in error.errors) or error.detail


def _person(request: AuthenticatedRequest, user_id: int) -> User:
    _org_admin_only(request)
    try:
        return person_for_lifecycle(
            organization_id=request.user.organization_id or 0, user_id=user_id
        )
    except NotFound as error:
        raise Http404(error.detail) from error


@login_required
def person_deactivate(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """GET: what deactivating will do (pairs paused or ended, who is told); POST: do it."""
    person = _person(request, user_id)
    error = ""
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            lifecycle.person_deactivate(actor=request.user, user=person, reason=reason)
        except DomainError as refusal:
            error = _refusal_text(refusal)
        else:
            messages.success(request, f"{person} is deactivated and signed out.")
            return redirect("workspace:person", person.pk)
    try:
        preview = lifecycle.person_deactivation_preview(actor=request.user, user=person)
    except NotFound as refusal:
        raise Http404(refusal.detail) from refusal
    return render(
        request,
        "provisioning/person_deactivate.html",
        {"nav_section": "people", "preview": preview, "reason": reason, "error": error},
        status=400 if error else 200,
    )


@login_required
def person_reactivate(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """GET: a confirm page; POST: let the person back in and resume what was paused."""
    person = _person(request, user_id)
    if request.method == "POST":
        lifecycle.person_reactivate(actor=request.user, user=person)
        messages.success(request, f"{person} can sign in again.")
        return redirect("workspace:person", person.pk)
    return render(
        request, "provisioning/person_reactivate.html", {"nav_section": "people", "person": person}
    )


def _ids(request: AuthenticatedRequest) -> tuple[int, ...]:
    raw = request.POST.getlist("ids")
    try:
        return tuple(dict.fromkeys(int(value) for value in raw))
    except ValueError as error:
        raise InvalidInput.for_field("ids", "The people chosen are not valid ids.") from error


@login_required
@require_POST
def people_bulk_deactivate(request: AuthenticatedRequest) -> HttpResponse:
    """The directory's ticked people: a preview first; its confirm button posts the same
    choice with the preview's fingerprint and a reason, and only then are they deactivated."""
    _org_admin_only(request)
    reason = request.POST.get("reason", "")
    fingerprint = request.POST.get("fingerprint", "")
    error = ""
    status = 200
    outcome = None
    try:
        ids = _ids(request)
        if fingerprint:
            try:
                done = bulk.people_deactivate_apply(
                    actor=request.user, ids=ids, reason=reason, fingerprint=fingerprint
                )
            except bulk.BulkDeactivationChanged as changed:
                outcome, status, error = changed.outcome, 409, changed.detail
            else:
                count = len(done.done)
                messages.success(
                    request, f"{count} {'person' if count == 1 else 'people'} deactivated."
                )
                return redirect(reverse("people:list"))
        if outcome is None:
            outcome = bulk.people_deactivate_preview(actor=request.user, ids=ids, reason=reason)
    except NotFound as refusal:
        raise Http404(refusal.detail) from refusal
    except DomainError as refusal:
        error, status = _refusal_text(refusal), 400
        if outcome is None and refusal.errors and refusal.errors[0].field == "reason":
            # A missing reason on the confirm: show the same preview again, asking for it.
            outcome = bulk.people_deactivate_preview(
                actor=request.user, ids=_ids(request), reason=""
            )
    return render(
        request,
        "provisioning/people_bulk_deactivate.html",
        {"nav_section": "people", "outcome": outcome, "reason": reason, "error": error},
        status=status,
    )
