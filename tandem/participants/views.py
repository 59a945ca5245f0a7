"""The member's home and enrolment, and the manager's participants page. Thin: services decide."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, Forbidden, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.pagination import capped_count
from tandem.core.web import guard_as_http, seek_page_for_request
from tandem.participants import selectors, services
from tandem.participants.bulk_views import bulk_targets
from tandem.participants.exports import participants_csv_response
from tandem.participants.forms import (
    EnrollmentForm,
    NoteForm,
    ParticipantAddForm,
    ParticipantFilterForm,
    WithdrawForm,
)
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.participants.permissions import participant_access
from tandem.people import selectors as people_selectors
from tandem.programs.models import Program, ProgramAccess
from tandem.programs.permissions import program_access

PAGE_SIZE = 25


def _program(request: HttpRequest, program_id: int, *, manage: bool = False) -> Program:
    """The guarded programme, as the HTML errors Django knows (404, 403)."""
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=manage)


def _participant(request: HttpRequest, participant_id: int, *, manage: bool = False) -> Participant:
    try:
        return participant_access(
            actor=signed_in_user(request), participant_id=participant_id, manage=manage
        )
    except NotFound as error:
        raise Http404(error.detail) from error
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error


# --- the member's side -------------------------------------------------------------------


@login_required
def enroll(request: HttpRequest, program_id: int) -> HttpResponse:
    """Join a programme: choose a role, check the profile, answer the programme's questions."""
    actor = signed_in_user(request)
    program = _program(request, program_id)
    participation = selectors.participation_get_for_member(actor=actor, program=program)
    holding = participation is not None and participation.status in selectors.HOLDING_STATUSES
    refusal = (
        None
        if holding
        else selectors.enrollment_refusal(
            program=program, participation=participation, person=actor
        )
    )
    invited_role = (
        participation.role
        if participation is not None and participation.status == ParticipantStatus.INVITED
        else None
    )
    role = invited_role or request.POST.get("role") or request.GET.get("role") or ""
    if role not in ParticipantRole.values:
        role = ""
    form = None
    if role and not holding and refusal is None:
        form = EnrollmentForm(
            request.POST if request.method == "POST" else None,
            program=program,
            role=role,
            questions=selectors.questions_for_role(program=program, role=role),
            skill_choices=selectors.skill_choices_for_org(actor=actor),
            asks_motivation=program.access == ProgramAccess.APPLICATION and not invited_role,
        )
        if request.method == "POST" and form.is_valid():
            try:
                participant = services.participant_enroll(
                    actor=actor,
                    program_id=program.pk,
                    role=role,
                    capacity=form.cleaned_data.get("capacity"),
                    motivation=form.cleaned_data.get("motivation", ""),
                    answers=form.answers(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if participant.status == ParticipantStatus.PENDING:
                    messages.success(
                        request,
                        f"Your application to {program.name} is awaiting approval by its managers.",
                    )
                else:
                    messages.success(
                        request,
                        f"You are enrolled in {program.name} as a "
                        f"{participant.get_role_display().lower()}.",
                    )
                return redirect("home")
        apply_bootstrap(form)
    context = {
        "nav_section": "home",
        "program": program,
        "participation": participation,
        "holding": holding,
        "refusal": refusal.detail if refusal is not None else "",
        "role": role,
        "invited_role": invited_role,
        "roles": ParticipantRole.choices,
        "form": form,
        "profile": people_selectors.profile_get(actor=actor),
        "profile_url": reverse("people:profile")
        + "?next="
        + quote(request.get_full_path(), safe="/"),
    }
    failed = request.method == "POST" and (refusal is not None or (form and form.errors))
    template = "participants/_enroll_form.html" if request.htmx else "participants/enroll.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if failed else 200)


@login_required
@require_POST
def withdraw(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Leave a programme (the person), or take someone out of it (a manager)."""
    actor = signed_in_user(request)
    participant = _participant(request, participant_id)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = None
    try:
        participant = services.participant_withdraw(
            actor=actor, participant_id=participant.pk, reason=reason
        )
    except DomainError as exc:
        error = exc
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, participant, error)
    if error is not None:
        messages.error(request, error.detail)
    elif participant.user_id == actor.pk:
        messages.success(request, f"You have left {participant.program.name}.")
    else:
        messages.success(request, f"{participant.user} has left {participant.program.name}.")
    return _back(request, participant)


def _back(request: HttpRequest, participant: Participant) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    if participant.user_id == signed_in_user(request).pk:
        return redirect("home")
    return redirect("participants:program_participants", program_id=participant.program_id)


# --- the manager's side ------------------------------------------------------------------


@login_required
def program_participants(request: HttpRequest, program_id: int) -> HttpResponse:
    """The programme's participants: filter, decide on applications, add and remove people."""
    actor = signed_in_user(request)
    program = _program(request, program_id, manage=True)
    add_form = ParticipantAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and add_form.is_valid():
        try:
            participant = services.participant_add(
                actor=actor,
                program_id=program.pk,
                email=add_form.cleaned_data["email"],
                role=add_form.cleaned_data["role"],
                capacity=add_form.cleaned_data["capacity"],
            )
        except DomainError as error:
            add_domain_error(add_form, error)
        else:
            if participant.status == ParticipantStatus.INVITED:
                messages.success(
                    request,
                    f"{participant.user} is invited as a {participant.get_role_display().lower()}"
                    ". They complete their enrolment from their home page.",
                )
            else:
                messages.success(
                    request,
                    f"{participant.user} is enrolled as a "
                    f"{participant.get_role_display().lower()}.",
                )
            return redirect("participants:program_participants", program_id=program.pk)
    apply_bootstrap(add_form)

    departments = selectors.department_list_for_program(actor=actor, program=program)
    filter_form = ParticipantFilterForm(request.GET or None, departments=departments)
    cleaned = filter_form.cleaned_data if filter_form.is_valid() else {}
    filters = selectors.ParticipantFilters(
        role=cleaned.get("role", ""),
        status=cleaned.get("status", ""),
        department=cleaned.get("department", ""),
        search=cleaned.get("q", ""),
    )
    apply_bootstrap(filter_form)
    queryset = selectors.participant_list_for_program(actor=actor, program=program, filters=filters)
    # a seek page: a deep page costs what the first one costs (decision 0020); the total is
    # counted up to a cap, so it reads at most that many rows however large the programme
    page = seek_page_for_request(queryset, request, limit=PAGE_SIZE)
    context = {
        "nav_section": "programs",
        "program": program,
        "page": page,
        "count": capped_count(queryset),
        "filter_form": filter_form,
        "is_filtered": any(filters.__dict__.values()),
        "add_form": add_form,
        "is_invitation_only": program.access == ProgramAccess.INVITATION,
        "bulk_targets": bulk_targets(actor, exclude=program.pk),
    }
    if request.htmx and request.htmx.target == "participants-table":  # type: ignore[attr-defined]
        return render(request, "participants/_participants_table.html", context)
    return render(
        request,
        "participants/program_participants.html",
        context,
        status=400 if add_form.errors else 200,
    )


@login_required
@require_GET
def member_search(request: HttpRequest, program_id: int) -> HttpResponse:
    """Options for the 'add someone' picker: people in the organisation not yet in the programme."""
    program = _program(request, program_id, manage=True)
    people = selectors.member_search_for_program(
        actor=signed_in_user(request), program=program, search=request.GET.get("email", "")
    )
    return render(request, "participants/_member_options.html", {"people": people})


@login_required
@require_GET
def program_participants_export(request: HttpRequest, program_id: int) -> StreamingHttpResponse:
    program = _program(request, program_id, manage=True)
    return participants_csv_response(actor=signed_in_user(request), program=program)


def _row_response(
    request: HttpRequest, participant: Participant, error: DomainError | None
) -> HttpResponse:
    row = selectors.participant_list_for_program(
        actor=signed_in_user(request), program=participant.program
    ).get(pk=participant.pk)
    return render(
        request,
        "participants/_participant_row.html",
        {"participant": row, "row_error": error.detail if error else ""},
        # htmx 2 swaps only 2xx answers; the refusal is shown in the row itself.
        status=200,
    )


def _decide(request: HttpRequest, participant_id: int, action: str) -> HttpResponse:
    actor = signed_in_user(request)
    participant = _participant(request, participant_id, manage=True)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    service = services.participant_approve if action == "approve" else services.participant_decline
    error = None
    try:
        participant = service(actor=actor, participant_id=participant.pk, note=note)
    except DomainError as exc:
        error = exc
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, participant, error)
    if error is not None:
        messages.error(request, error.detail)
    elif action == "approve":
        messages.success(request, f"{participant.user} is now enrolled.")
    else:
        messages.success(request, f"{participant.user}'s application was declined.")
    return redirect("participants:program_participants", program_id=participant.program_id)


@login_required
@require_POST
def approve(request: HttpRequest, participant_id: int) -> HttpResponse:
    return _decide(request, participant_id, "approve")


@login_required
@require_POST
def decline(request: HttpRequest, participant_id: int) -> HttpResponse:
    return _decide(request, participant_id, "decline")
