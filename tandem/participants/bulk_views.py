"""Bulk pages: the people directory's "add to a programme" and a programme's participants'
"approve" and "move". Each POST shows the preview (`bulk.bulk_preview`: counts, names, who is
skipped and why); its confirm button posts the same choice with the preview's fingerprint, and
only then `bulk.bulk_apply` writes, in one transaction. Thin: `bulk` decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, InvalidInput
from tandem.core.web import guard_as_http
from tandem.participants.bulk import (
    BulkAction,
    BulkChanged,
    BulkOutcome,
    BulkRequest,
    bulk_apply,
    bulk_preview,
)
from tandem.participants.models import ParticipantRole
from tandem.people.permissions import is_org_admin
from tandem.programs.models import ProgramStatus
from tandem.programs.permissions import program_access
from tandem.programs.selectors import program_list_for_manager

PAST = {
    BulkAction.ADD: "added",
    BulkAction.APPROVE: "approved",
    BulkAction.MOVE: "moved",
}


def _ids(request: HttpRequest) -> tuple[int, ...]:
    raw = request.POST.getlist("ids")
    try:
        return tuple(dict.fromkeys(int(value) for value in raw))
    except ValueError as error:
        raise InvalidInput.for_field("ids", "The people chosen are not valid ids.") from error


def _optional_int(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput.for_field(name, f"'{value}' is not a programme.")
    return int(value)


def bulk_targets(actor: User, exclude: int | None = None) -> list[tuple[int, str]]:
    return [
        (program.pk, program.name)
        for program in program_list_for_manager(actor=actor).exclude(status=ProgramStatus.ARCHIVED)
        if program.pk != exclude
    ]


def _finish(
    request: HttpRequest,
    actor: User,
    bulk: BulkRequest,
    context: dict[str, object],
    back: str,
) -> HttpResponse:
    """Preview, or apply when the confirm button carried the preview's fingerprint."""
    fingerprint = request.POST.get("fingerprint", "")
    status = 200
    try:
        if fingerprint:
            outcome = bulk_apply(actor=actor, request=bulk, fingerprint=fingerprint)
            _report(request, outcome)
            return redirect(back)
        outcome = bulk_preview(actor=actor, request=bulk)
    except BulkChanged as changed:
        outcome, status = changed.outcome, 409
        context["changed"] = changed.detail
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "participants/bulk.html", context, status=error.status)
    context["outcome"] = outcome
    context["past"] = PAST[BulkAction(bulk.action)]
    return render(request, "participants/bulk.html", context, status=status)


def _report(request: HttpRequest, outcome: BulkOutcome) -> None:
    done, skipped = outcome.done, outcome.skipped
    verb = PAST[BulkAction(outcome.request.action)]
    if done:
        names = ", ".join(row.name for row in done)
        messages.success(request, f"{len(done)} {verb}: {names}.")
    if skipped:
        reasons = "; ".join(f"{row.name} ({row.outcome})" for row in skipped)
        messages.warning(request, f"{len(skipped)} skipped: {reasons}")
    if not done and not skipped:
        messages.info(request, "Nobody was chosen; nothing changed.")


@login_required
@require_POST
def people_bulk(request: HttpRequest) -> HttpResponse:
    """The directory's ticked people into a programme: choose it and the role, preview, confirm."""
    actor = signed_in_user(request)
    if not is_org_admin(actor):
        raise Http404
    context: dict[str, object] = {
        "nav_section": "people",
        "action": BulkAction.ADD,
        "action_label": BulkAction.ADD.label,
        "back": reverse("people:list"),
        "post_to": reverse("participants:people_bulk"),
        "targets": bulk_targets(actor),
        "roles": ParticipantRole.choices,
        "ids": request.POST.getlist("ids"),
        "target_program": request.POST.get("target_program", ""),
        "role": request.POST.get("role", ""),
    }
    try:
        bulk = BulkRequest(
            action=BulkAction.ADD,
            ids=_ids(request),
            target_program_id=_optional_int(request, "target_program"),
            role=request.POST.get("role", ""),
        )
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "participants/bulk.html", context, status=400)
    if not bulk.ids:
        context["error"] = "Tick at least one person in the directory first."
        return render(request, "participants/bulk.html", context, status=400)
    if bulk.target_program_id is None or not bulk.role:
        # First step from the directory: say which programme, and as what.
        context["choose"] = True
        return render(request, "participants/bulk.html", context)
    return _finish(request, actor, bulk, context, reverse("people:list"))


@login_required
@require_POST
def program_participants_bulk(request: HttpRequest, program_id: int) -> HttpResponse:
    """A programme's ticked participants: approve them, or move them to another programme."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    action = request.POST.get("action", "")
    back = reverse("participants:program_participants", args=[program.pk])
    context: dict[str, object] = {
        "nav_section": "programs",
        "program": program,
        "action": action,
        "action_label": BulkAction(action).label if action in BulkAction.values else "",
        "back": back,
        "post_to": reverse("participants:program_participants_bulk", args=[program.pk]),
        "targets": bulk_targets(actor, exclude=program.pk),
        "ids": request.POST.getlist("ids"),
        "target_program": request.POST.get("target_program", ""),
    }
    try:
        bulk = BulkRequest(
            action=action,
            ids=_ids(request),
            program_id=program.pk,
            target_program_id=_optional_int(request, "target_program"),
        )
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "participants/bulk.html", context, status=400)
    return _finish(request, actor, bulk, context, back)
