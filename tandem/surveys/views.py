"""Surveys over HTML: a person's surveys and the answer form (their own only), and the
managers' pages — the programme's surveys, one survey's editor and its aggregate results.
Thin: the services and selectors decide."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, FieldError, InvalidInput
from tandem.core.web import guard_as_http
from tandem.programs.permissions import program_access
from tandem.surveys import selectors, services
from tandem.surveys.definition import NPS_RANGE, PAIRING_FIT_CHOICES, RATING_RANGE, questions_of
from tandem.surveys.permissions import invitation_access, survey_access


@login_required
@require_http_methods(["GET"])
def my_surveys(request: HttpRequest) -> HttpResponse:
    invitations = selectors.invitation_list_for_user(user=signed_in_user(request))
    return render(request, "surveys/mine.html", {"invitations": invitations})


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
