"""Self-matching pages: a mentee's suggestions, a mentor's requests and controls, a manager's
approvals. Thin: guards and selectors read, services decide, messages say what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, Forbidden, NotFound
from tandem.core.web import guard_as_http
from tandem.matching.models import MatchRequest
from tandem.matching.requests import selectors, services
from tandem.matching.requests.forms import (
    AvailabilityForm,
    CapacityForm,
    RequestAnswerForm,
    RequestCreateForm,
)
from tandem.matching.requests.permissions import match_request_access
from tandem.participants import services as participant_services
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.relationships.selectors import relationship_list_for_user


def _program(request: HttpRequest, program_id: int, *, manage: bool = False) -> Program:
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=manage)


def _match_request(request: HttpRequest, request_id: int) -> MatchRequest:
    try:
        return match_request_access(actor=signed_in_user(request), request_id=request_id)
    except NotFound as error:
        raise Http404(error.detail) from error


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (the home page answers requests too), when it is one
    of ours; else to `default`."""
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(default)


def _first_error(form: RequestCreateForm | RequestAnswerForm | CapacityForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- the mentee's side -------------------------------------------------------------------


@login_required
def suggestions(request: HttpRequest, program_id: int) -> HttpResponse:
    """The mentee's best mentors with the score and reasons, a note form each, their requests."""
    actor = signed_in_user(request)
    program = _program(request, program_id)
    context: dict[str, object] = {
        "nav_section": "home",
        "program": program,
        "max_open_requests": services.MAX_OPEN_REQUESTS,
    }
    try:
        found = selectors.suggestion_list_for_mentee(actor=actor, program=program)
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        context["refusal"] = error.detail
        # A matched mentee is shown the way to the mentor they have, not only a refusal.
        context["my_mentors"] = [
            relationship
            for relationship in relationship_list_for_user(actor=actor, open_only=True)
            if relationship.program_id == program.pk and relationship.mentee.user_id == actor.pk
        ]
        return render(request, "matching/requests/suggestions.html", context)
    context.update(
        {
            "suggestions": found.suggestions,
            "open_requests": found.open_requests,
            "limit_reached": len(found.open_requests) >= services.MAX_OPEN_REQUESTS,
        }
    )
    return render(request, "matching/requests/suggestions.html", context)


@login_required
@require_POST
def request_create(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    program = _program(request, program_id)
    form = RequestCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("matching:suggestions", program_id=program.pk)
    try:
        match_request = services.match_request_create(
            actor=actor,
            program_id=program.pk,
            mentor_participant_id=form.cleaned_data["mentor_participant_id"],
            note=form.cleaned_data["note"],
        )
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        if match_request.status == "awaiting_approval":
            messages.success(
                request,
                f"Your request to {match_request.mentor.user} is with {program.name}'s managers "
                "for approval first.",
            )
        else:
            messages.success(
                request,
                f"Your request is on its way to {match_request.mentor.user}. You will get an "
                "email when they answer.",
            )
    return redirect("matching:suggestions", program_id=program.pk)


@login_required
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    match_request = _match_request(request, request_id)
    try:
        services.match_request_withdraw(actor=signed_in_user(request), request_id=match_request.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"You withdrew your request to {match_request.mentor.user}.")
    return _back(request, reverse("matching:suggestions", args=[match_request.program_id]))


# --- the mentor's side -------------------------------------------------------------------


@login_required
def mentor_dashboard(request: HttpRequest, program_id: int) -> HttpResponse:
    """Requests waiting for the mentor, their places, the pause switch and the capacity form."""
    actor = signed_in_user(request)
    program = _program(request, program_id)
    mentor = selectors.mentor_get_for_actor(actor=actor, program=program)
    if mentor is None:
        raise PermissionDenied(f"You are not a mentor in {program.name}.")
    context = {
        "nav_section": "home",
        "program": program,
        "mentor": mentor,
        "places_left": max((mentor.capacity or 0) - mentor.matched_count, 0),
        "incoming": [
            {
                "request": match_request,
                "fit": selectors.match_request_fit(match_request),
                "reasons": selectors.match_request_reasons(match_request, reader=actor),
            }
            for match_request in selectors.match_request_list_incoming(actor=actor, program=program)
        ],
        "capacity_form": CapacityForm(initial={"capacity": mentor.capacity}),
    }
    return render(request, "matching/requests/mentor_dashboard.html", context)


def _answer(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    actor = signed_in_user(request)
    match_request = _match_request(request, request_id)
    form = RequestAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("matching:mentor_dashboard", program_id=match_request.program_id)
    message = form.cleaned_data["message"]
    mentee = match_request.mentee.user
    try:
        if action == "accept":
            services.match_request_accept(actor=actor, request_id=match_request.pk, message=message)
        else:
            services.match_request_decline(
                actor=actor,
                request_id=match_request.pk,
                message=message,
                do_not_suggest_again=form.cleaned_data["do_not_suggest_again"],
            )
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            f"You are now {mentee}'s mentor. We emailed you both."
            if action == "accept"
            else f"You declined {mentee}'s request.",
        )
    return _back(request, reverse("matching:mentor_dashboard", args=[match_request.program_id]))


@login_required
@require_POST
def request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    return _answer(request, request_id, "accept")


@login_required
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    return _answer(request, request_id, "decline")


def _own_mentor_place(request: HttpRequest, program_id: int) -> tuple[User, int]:
    actor = signed_in_user(request)
    program = _program(request, program_id)
    mentor = selectors.mentor_get_for_actor(actor=actor, program=program)
    if mentor is None:
        raise PermissionDenied(f"You are not a mentor in {program.name}.")
    return actor, mentor.pk


@login_required
@require_POST
def mentor_availability(request: HttpRequest, program_id: int) -> HttpResponse:
    actor, mentor_id = _own_mentor_place(request, program_id)
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to pause or resume.")
        return redirect("matching:mentor_dashboard", program_id=program_id)
    try:
        mentor = participant_services.participant_set_accepting(
            actor=actor, participant_id=mentor_id, accepting=form.cleaned_data["accepting"]
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            "You are taking new mentees again."
            if mentor.is_accepting_mentees
            else "Paused: you will not be suggested to mentees until you resume.",
        )
    return redirect("matching:mentor_dashboard", program_id=program_id)


@login_required
@require_POST
def mentor_capacity(request: HttpRequest, program_id: int) -> HttpResponse:
    actor, mentor_id = _own_mentor_place(request, program_id)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("matching:mentor_dashboard", program_id=program_id)
    try:
        mentor = participant_services.participant_set_capacity(
            actor=actor, participant_id=mentor_id, capacity=form.cleaned_data["capacity"]
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            f"You now take up to {mentor.capacity} mentee{'' if mentor.capacity == 1 else 's'}.",
        )
    return redirect("matching:mentor_dashboard", program_id=program_id)


# --- the manager's side ------------------------------------------------------------------


@login_required
def approvals(request: HttpRequest, program_id: int) -> HttpResponse:
    """Requests waiting for a manager's approval in a programme, oldest first."""
    actor = signed_in_user(request)
    program = _program(request, program_id, manage=True)
    context = {
        "nav_section": "programs",
        "program": program,
        "requires_approval": selectors.matching_settings_get(
            program=program
        ).requests_need_approval,
        "waiting": [
            {"request": match_request, "fit": selectors.match_request_fit(match_request)}
            for match_request in selectors.match_request_list_for_program(
                actor=actor, program=program, status="awaiting_approval"
            )
        ],
    }
    return render(request, "matching/requests/approvals.html", context)


def _decide(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    actor = signed_in_user(request)
    match_request = _match_request(request, request_id)
    form = RequestAnswerForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        if action == "approve":
            services.match_request_approve(actor=actor, request_id=match_request.pk)
        else:
            services.match_request_reject(actor=actor, request_id=match_request.pk, message=message)
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        pair = f"{match_request.mentee.user} → {match_request.mentor.user}"
        messages.success(
            request,
            f"Approved {pair}: the mentor has been asked."
            if action == "approve"
            else f"Rejected {pair}.",
        )
    return redirect(reverse("matching:approvals", args=[match_request.program_id]))


@login_required
@require_POST
def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "approve")


@login_required
@require_POST
def request_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "reject")
