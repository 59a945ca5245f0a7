"""Surveys over HTML: a person's surveys and the answer form (their own only), and the
managers' pages — the programme's surveys, one survey's editor and its aggregate results.
Thin: the services and selectors decide."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, FieldError, InvalidInput
from tandem.core.forms import apply_bootstrap
from tandem.core.web import guard_as_http, seek_page_for_request
from tandem.programs.permissions import program_access
from tandem.surveys import selectors, services
from tandem.surveys.definition import NPS_RANGE, PAIRING_FIT_CHOICES, RATING_RANGE, questions_of
from tandem.surveys.forms import (
    QuestionFormSet,
    SurveyForm,
    definition_from,
    place_errors,
    question_rows,
)
from tandem.surveys.permissions import invitation_access, survey_access

INVITATIONS_PER_PAGE = 20


@login_required
@require_http_methods(["GET"])
def my_surveys(request: HttpRequest) -> HttpResponse:
    """The person's survey invitations, newest first, a seek page at a time (decision 0020)."""
    page = seek_page_for_request(
        selectors.invitation_list_for_user(user=signed_in_user(request)),
        request,
        limit=INVITATIONS_PER_PAGE,
    )
    return render(request, "surveys/mine.html", {"invitations": page.object_list, "page": page})


def _posted_answers(post: QueryDict, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The form's fields as the service's answers (a number field that is not one is kept
    as text, so the service names it)."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"answer-{question['key']}"
        if question["type"] == "multiple_choice":
            answers[question["key"]] = post.getlist(name)
            continue
        value = post.get(name, "")
        if question["type"] in ("rating", "nps") and value.strip().lstrip("-").isdigit():
            answers[question["key"]] = int(value)
        else:
            answers[question["key"]] = value
    return answers


def _form_questions(questions: list[dict[str, Any]], given: dict[str, Any]) -> list[dict[str, Any]]:
    shown = []
    for question in questions:
        options: list[tuple[str, str]]
        if question["type"] == "rating":
            options = [(str(n), str(n)) for n in range(RATING_RANGE[0], RATING_RANGE[1] + 1)]
        elif question["type"] == "nps":
            options = [(str(n), str(n)) for n in range(NPS_RANGE[0], NPS_RANGE[1] + 1)]
        elif question["type"] == "pairing_fit":
            options = list(PAIRING_FIT_CHOICES.items())
        else:
            options = [(choice, choice) for choice in question.get("choices", [])]
        value = given.get(question["key"])
        chosen = {str(item) for item in value} if isinstance(value, list) else {str(value)}
        shown.append({**question, "options": options, "chosen": chosen, "value": value or ""})
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        invitation = invitation_access(actor=actor, invitation_id=invitation_id)
    response = selectors.response_for_invitation(invitation=invitation)
    questions = questions_of((response.version if response else invitation.version).definition)
    given: dict[str, Any] = {}
    errors: dict[str, str] = {}
    error = ""
    status = 200
    if request.method == "POST" and response is None:
        given = _posted_answers(request.POST, questions)
        try:
            services.response_submit(actor=actor, invitation_id=invitation.pk, answers=given)
        except DomainError as failure:
            error = failure.detail
            errors = {e.field.removeprefix("answers."): e.message for e in failure.errors}
            status = 409 if failure.status == 409 else 400
        else:
            messages.success(request, "Thank you: your answers are saved.")
            return redirect("surveys:invitation", invitation_id=invitation.pk)
    answers = {a.question_key: a for a in response.answers.all()} if response else {}
    return render(
        request,
        "surveys/answer.html",
        {
            "invitation": invitation,
            "response": response,
            "intro": (response.version if response else invitation.version).definition.get(
                "intro", ""
            ),
            "questions": [
                {**q, "error": errors.get(q["key"], ""), "answer": answers.get(q["key"])}
                for q in _form_questions(questions, given)
            ],
            "fit_labels": PAIRING_FIT_CHOICES,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def program_surveys(request: HttpRequest, program_id: int) -> HttpResponse:
    with guard_as_http():
        program = program_access(actor=signed_in_user(request), program_id=program_id, manage=True)
    return render(
        request,
        "surveys/program.html",
        {
            "nav_section": "programs",
            "program": program,
            "surveys": selectors.survey_list_for_program(program=program),
        },
    )


@login_required
@require_POST
def program_surveys_defaults(request: HttpRequest, program_id: int) -> HttpResponse:
    with guard_as_http():
        services.survey_defaults_add(actor=signed_in_user(request), program_id=program_id)
    messages.success(request, "Tandem's standard surveys are in place.")
    return redirect("surveys:program", program_id=program_id)


@login_required
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        survey = survey_access(actor=actor, survey_id=survey_id)
    current = selectors.survey_current_version(survey=survey)
    definition_text = json.dumps(current.definition if current else {}, indent=2)
    errors: list[FieldError] = []
    error = ""
    status = 200
    if request.method == "POST":
        definition_text = request.POST.get("definition", "")
        try:
            try:
                definition = json.loads(definition_text)
            except json.JSONDecodeError as bad:
                raise InvalidInput.for_field(
                    "definition", f"This is not JSON: {bad.msg}."
                ) from None
            with guard_as_http():
                services.survey_update(
                    actor=actor,
                    survey_id=survey.pk,
                    change=services.SurveyChange(
                        title=request.POST.get("title", ""),
                        is_active=request.POST.get("is_active") == "1",
                        definition=definition,
                    ),
                )
        except DomainError as failure:
            error, errors, status = failure.detail, failure.errors, 400
        else:
            messages.success(request, "Survey saved.")
            return redirect("surveys:survey", survey_id=survey.pk)
    return render(
        request,
        "surveys/survey.html",
        {
            "nav_section": "programs",
            "survey": survey,
            "program": survey.program,
            "version": current,
            "definition_text": definition_text,
            "results": selectors.survey_results(survey=survey),
            "error": error,
            "errors": errors,
        },
        status=status,
    )


# --- the managers' editor: a survey from scratch, its questions and its timing ------------

_PREFIX = "questions"
_ROW_FIELDS = ("key", "text", "type", "choices")
_MOST_ROWS = 30


def _posted_rows(post: QueryDict) -> list[dict[str, Any]]:
    """The question rows as posted, unvalidated (to add, remove or move one)."""
    try:
        total = min(int(post.get(f"{_PREFIX}-TOTAL_FORMS", "0")), _MOST_ROWS)
    except ValueError:
        total = 0
    rows = []
    for index in range(max(total, 0)):
        row: dict[str, Any] = {
            name: post.get(f"{_PREFIX}-{index}-{name}", "") for name in _ROW_FIELDS
        }
        row["required"] = bool(post.get(f"{_PREFIX}-{index}-required"))
        rows.append(row)
    return rows


def _posted_survey(post: QueryDict) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: post.get(name, "")
        for name in ("title", "audience", "trigger", "offset_days", "repeat_days", "intro")
    }
    initial["is_active"] = bool(post.get("is_active"))
    return initial


def _rearranged(post: QueryDict) -> tuple[list[dict[str, Any]], int | None] | None:
    """The rows after the button pressed (add, remove, move up or down) and the row to focus,
    or None when the button was Save."""
    rows = _posted_rows(post)
    if "add_question" in post:
        if len(rows) < _MOST_ROWS:
            rows.append({"key": "", "text": "", "type": "rating", "required": True, "choices": ""})
        return rows, len(rows) - 1
    for action, step in (("move_up", -1), ("move_down", 1), ("remove_question", 0)):
        if action not in post:
            continue
        try:
            index = int(post.get(action, ""))
        except ValueError:
            return rows, None
        if not 0 <= index < len(rows):
            return rows, None
        if step == 0:
            rows.pop(index)
            return rows, min(index, len(rows) - 1) if rows else None
        other = index + step
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            return rows, other
        return rows, index
    return None


def _editor(
    request: HttpRequest,
    *,
    program: Any,
    survey: Any,
    survey_form: SurveyForm,
    formset: Any,
    general: list[str],
    focus: int | None,
    answered: bool,
    status: int,
) -> HttpResponse:
    apply_bootstrap(survey_form)
    for form in formset.forms:
        apply_bootstrap(form)
    context = {
        "nav_section": "programs",
        "program": program,
        "survey": survey,
        "form": survey_form,
        "formset": formset,
        "general_errors": general,
        "focus": focus,
        "answered": answered,
        "action": (
            reverse("surveys:edit", args=[survey.pk])
            if survey is not None
            else reverse("surveys:create", args=[program.pk])
        ),
    }
    if request.htmx:  # type: ignore[attr-defined]
        # htmx 2 does not swap a 4xx answer: the editor carries its errors itself.
        return render(request, "surveys/_editor.html", context)
    return render(request, "surveys/editor.html", context, status=status)


def _editor_post(
    request: HttpRequest, *, program: Any, survey: Any, answered: bool, save: Any
) -> HttpResponse:
    """Add, remove or move a question (re-render), or Save through `save(form, definition)`."""
    rearranged = _rearranged(request.POST)
    if rearranged is not None:
        rows, focus = rearranged
        return _editor(
            request,
            program=program,
            survey=survey,
            survey_form=SurveyForm(initial=_posted_survey(request.POST)),
            formset=QuestionFormSet(initial=rows, prefix=_PREFIX),
            general=[],
            focus=focus,
            answered=answered,
            status=200,
        )
    survey_form = SurveyForm(request.POST)
    formset = QuestionFormSet(request.POST, prefix=_PREFIX)
    general: list[str] = []
    if survey_form.is_valid() and formset.is_valid():
        try:
            saved = save(survey_form.cleaned_data, definition_from(survey_form, formset))
        except DomainError as error:
            place_errors(error, survey_form, formset, general)
        else:
            messages.success(request, f"'{saved.title}' is saved.")
            target = reverse("surveys:survey", args=[saved.pk])
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return redirect(target)
    else:
        general.extend(str(error) for error in formset.non_form_errors())
    return _editor(
        request,
        program=program,
        survey=survey,
        survey_form=survey_form,
        formset=formset,
        general=general,
        focus=None,
        answered=answered,
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_create_page(request: HttpRequest, program_id: int) -> HttpResponse:
    """A survey from scratch: title, who answers, when it is sent, and its questions."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    if request.method == "POST":

        def save(data: dict[str, Any], definition: dict[str, Any]) -> Any:
            with guard_as_http():
                return services.survey_create(
                    actor=actor,
                    program_id=program.pk,
                    title=data["title"],
                    trigger=data["trigger"],
                    audience=data["audience"],
                    offset_days=data["offset_days"],
                    repeat_days=data["repeat_days"],
                    definition=definition,
                )

        return _editor_post(request, program=program, survey=None, answered=False, save=save)
    blank = [{"key": "", "text": "", "type": "rating", "required": True, "choices": ""}]
    return _editor(
        request,
        program=program,
        survey=None,
        survey_form=SurveyForm(),
        formset=QuestionFormSet(initial=blank, prefix=_PREFIX),
        general=[],
        focus=None,
        answered=False,
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    """A survey's questions and timing. Once someone answered, saving new questions makes a
    new version (the service decides)."""
    actor = signed_in_user(request)
    with guard_as_http():
        survey = survey_access(actor=actor, survey_id=survey_id)
    current = selectors.survey_current_version(survey=survey)
    answered = selectors.survey_version_is_answered(version=current)
    if request.method == "POST":

        def save(data: dict[str, Any], definition: dict[str, Any]) -> Any:
            with guard_as_http():
                return services.survey_update(
                    actor=actor,
                    survey_id=survey.pk,
                    change=services.SurveyChange(
                        title=data["title"],
                        is_active=data["is_active"],
                        trigger=data["trigger"],
                        audience=data["audience"],
                        offset_days=data["offset_days"],
                        repeat_days=data["repeat_days"],
                        clear_repeat=data["repeat_days"] is None,
                        definition=definition,
                    ),
                )

        return _editor_post(
            request, program=survey.program, survey=survey, answered=answered, save=save
        )
    definition = current.definition if current else {}
    initial = {
        "title": survey.title,
        "audience": survey.audience,
        "trigger": survey.trigger,
        "offset_days": survey.offset_days,
        "repeat_days": survey.repeat_days,
        "is_active": survey.is_active,
        "intro": definition.get("intro", ""),
    }
    return _editor(
        request,
        program=survey.program,
        survey=survey,
        survey_form=SurveyForm(initial=initial),
        formset=QuestionFormSet(initial=question_rows(definition), prefix=_PREFIX),
        general=[],
        focus=None,
        answered=answered,
        status=200,
    )
