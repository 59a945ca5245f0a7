"""Programme pages for the people who run them. Thin: guards, services and selectors do the work.

The list and the detail page show enrolment counts, the participants app's concept, so they are
served from `participants.program_pages` (programs may not import participants)."""

from typing import Any, Literal, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.people import selectors as people_selectors
from tandem.programs import selectors, services
from tandem.programs.forms import ProgramForm, QuestionForm
from tandem.programs.models import EnrollmentQuestion, Program, QuestionAudience
from tandem.programs.permissions import program_access


def program_for_request(request: HttpRequest, program_id: int, *, manage: bool) -> Program:
    """The programme through its guard, with the guard's refusals as HTTP errors."""
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=manage)


def require_manager_role(actor: User) -> None:
    """403 unless the actor may run programmes (org admins and programme managers)."""
    if not actor.can_create_programs:
        raise PermissionDenied("Only organisation admins and programme managers manage programmes.")


def _manager_choices(actor: User) -> list[tuple[int, str]]:
    return [
        (user.pk, f"{display_name(user)} ({user.email})")
        for user in selectors.manager_candidates(actor=actor)
    ]


# --- programmes ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    require_manager_role(actor)
    form = ProgramForm(
        request.POST or None,
        manager_choices=_manager_choices(actor),
        group_choices=selectors.directory_group_choices(actor=actor),
        creating=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=actor, **form.service_arguments())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"'{program.name}' is saved as a draft. Add its enrolment questions, then "
                "publish it.",
            )
            return redirect("programs:detail", program_id=program.pk)
    apply_bootstrap(form)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "program": None, "nav_section": "programs"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    program = program_for_request(request, program_id, manage=True)
    if program.is_read_only and request.method == "GET":
        messages.info(request, f"'{program.name}' is archived and can no longer be changed.")
        return redirect("programs:detail", program_id=program.pk)
    form = ProgramForm(
        request.POST or None,
        initial=ProgramForm.initial_for(program),
        manager_choices=_manager_choices(actor),
        group_choices=selectors.directory_group_choices(actor=actor),
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(actor=actor, program=program, **form.service_arguments())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("programs:detail", program_id=program.pk)
    apply_bootstrap(form)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "program": program, "nav_section": "programs"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def program_publish(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_for_request(request, program_id, manage=True)
    try:
        services.program_publish(actor=signed_in_user(request), program=program)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"'{program.name}' is published: people can now see it.")
    return redirect("programs:detail", program_id=program.pk)


@login_required
@require_POST
def program_archive(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_for_request(request, program_id, manage=True)
    try:
        services.program_archive(actor=signed_in_user(request), program=program)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, f"'{program.name}' is archived: it is read-only and closed to enrolment."
        )
    return redirect("programs:detail", program_id=program.pk)


@login_required
@require_POST
def program_duplicate(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_for_request(request, program_id, manage=True)
    try:
        copy = services.program_duplicate(actor=signed_in_user(request), program=program)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("programs:detail", program_id=program.pk)
    messages.success(
        request, f"'{copy.name}' is a new draft with the same settings and questions. Review it."
    )
    return redirect("programs:edit", program_id=copy.pk)


# --- the enrolment form builder -------------------------------------------------------------


def _builder_context(
    program: Program,
    *,
    add_form: QuestionForm | None = None,
    notice: str = "",
    problem: str = "",
) -> dict[str, Any]:
    return {
        "program": program,
        "questions": selectors.question_list(program=program),
        "add_form": apply_bootstrap(add_form or QuestionForm()),
        "notice": notice,
        "problem": problem,
        "nav_section": "programs",
    }


def _render_builder(
    request: HttpRequest, program: Program, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    template = "programs/_builder.html" if request.htmx else "programs/form_builder.html"  # type: ignore[attr-defined]
    context = _builder_context(program, **kwargs)
    # htmx swaps only successful responses, so a form shown again with its errors is a 200 there.
    return render(request, template, context, status=200 if request.htmx else status)  # type: ignore[attr-defined]


@login_required
def question_builder(request: HttpRequest, program_id: int) -> HttpResponse:
    """The enrolment form builder: the questions in order, inline editing, and an add form."""
    return _render_builder(request, program_for_request(request, program_id, manage=True))


@login_required
@require_POST
def question_create(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    program = program_for_request(request, program_id, manage=True)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services.question_create(
                actor=actor, program=program, **form.service_arguments()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _builder_outcome(request, program, notice=f"Added '{question.prompt}'.")
    return _render_builder(request, program, add_form=form, status=400)


def _builder_outcome(
    request: HttpRequest, program: Program, *, notice: str = "", problem: str = ""
) -> HttpResponse:
    """After a change on the builder: the refreshed builder for htmx, else back to the page."""
    if request.htmx:  # type: ignore[attr-defined]
        return _render_builder(request, program, notice=notice, problem=problem)
    if problem:
        messages.error(request, problem)
    elif notice:
        messages.success(request, notice)
    return redirect("programs:form", program_id=program.pk)


def _question(
    request: HttpRequest, program_id: int, question_id: int
) -> tuple[Program, EnrollmentQuestion]:
    program = program_for_request(request, program_id, manage=True)
    try:
        return program, selectors.question_get(program=program, question_id=question_id)
    except NotFound as error:
        raise Http404(error.detail) from error


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, program_id: int, question_id: int) -> HttpResponse:
    """Edit one question in place (htmx) or on its own page."""
    actor = signed_in_user(request)
    program, question = _question(request, program_id, question_id)
    if request.method == "GET":
        form = QuestionForm(initial=QuestionForm.initial_for(question), prefix_id=str(question.pk))
    else:
        form = QuestionForm(request.POST, prefix_id=str(question.pk))
        if form.is_valid():
            try:
                services.question_update(actor=actor, question=question, **form.service_arguments())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return _builder_outcome(request, program, notice="Question saved.")
    apply_bootstrap(form)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "programs/_question_form.html",
            {"program": program, "question": question, "form": form},
        )
    return render(
        request,
        "programs/question_edit.html",
        {"program": program, "question": question, "form": form, "nav_section": "programs"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, program_id: int, question_id: int) -> HttpResponse:
    program, question = _question(request, program_id, question_id)
    try:
        services.question_delete(actor=signed_in_user(request), question=question)
    except DomainError as error:
        return _builder_outcome(request, program, problem=error.detail)
    return _builder_outcome(request, program, notice=f"Removed '{question.prompt}'.")


@login_required
@require_POST
def question_move(request: HttpRequest, program_id: int, question_id: int) -> HttpResponse:
    program, question = _question(request, program_id, question_id)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return _builder_outcome(request, program, problem="Move a question up or down.")
    try:
        services.question_move(
            actor=signed_in_user(request),
            question=question,
            direction=cast(Literal["up", "down"], direction),
        )
    except DomainError as error:
        return _builder_outcome(request, program, problem=error.detail)
    label = "up" if direction == "up" else "down"
    return _builder_outcome(request, program, notice=f"Moved '{question.prompt}' {label}.")


@login_required
def question_preview(request: HttpRequest, program_id: int, role: str) -> HttpResponse:
    """The enrolment form as a mentor or a mentee would see it, read-only."""
    if role not in (QuestionAudience.MENTOR, QuestionAudience.MENTEE):
        raise Http404("Preview the form as a mentor or as a mentee.")
    actor = signed_in_user(request)
    program = program_for_request(request, program_id, manage=True)
    context = {
        "program": program,
        "role": role,
        "role_label": QuestionAudience(role).label.rstrip("s").lower(),
        "questions": selectors.question_list(program=program, audience=role),
        "skills": people_selectors.skill_choices(actor=actor),
        "nav_section": "programs",
    }
    return render(request, "programs/preview.html", context)
