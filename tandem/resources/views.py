"""The library over HTML: thin views over the same services and selectors as the API.

Progress forms post normally (redirect back) and, with htmx, swap their own small fragment; a
refusal is shown inline (htmx answers 200 then, because htmx 2 does not swap 4xx responses).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.errors import DomainError
from tandem.core.forms import SingleLineField, add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.programs.permissions import program_access
from tandem.resources import selectors, services
from tandem.resources.models import Audience, ResourceKind, Stage
from tandem.resources.permissions import resource_access
from tandem.resources.rendering import body_segments, markdown_to_html, module_intro
from tandem.resources.translations import localise


class FiltersForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *ResourceKind.choices]
    )
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Anyone")), *Audience.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    skill = forms.CharField(label=_("Skill"), required=False, max_length=60)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    title = SingleLineField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=400, required=False)
    body_markdown = forms.CharField(
        label=_("Body (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Checklists: '- [ ] item' lines. Guides: '? question' lines. Modules: "
            "'## Lesson: title' sections, then an optional '## Check'."
        ),
    )
    url = forms.URLField(
        label=_("URL (links and videos)"), required=False, max_length=500, assume_scheme="https"
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, initial=5)
    audience = forms.ChoiceField(
        label=_("Audience"), choices=Audience.choices, initial=Audience.BOTH
    )
    stages = forms.MultipleChoiceField(
        label=_("Stages"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    skills = forms.CharField(label=_("Skills (comma-separated)"), required=False, max_length=700)

    def values(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["skills"] = [s.strip() for s in data["skills"].split(",") if s.strip()]
        return data


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = FiltersForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    resources = localise(
        selectors.resource_list_for_user(
            user=user,
            search=filters.get("q", ""),
            kind=filters.get("kind", ""),
            audience=filters.get("audience", ""),
            stage=filters.get("stage", ""),
            skill=filters.get("skill", ""),
        )[:200]
    )
    apply_bootstrap(form)
    return render(
        request,
        "resources/library.html",
        {"form": form, "resources": resources, "stage_labels": dict(Stage.choices)},
    )


def _check_rows(
    resource: Any, *, lessons: list[Any], answers: object, result: object
) -> list[dict[str, object]]:
    """The knowledge check's questions as the page shows them after a submission: the
    person's own answers kept (a wrong try clears nothing), and each question marked right or
    wrong, a wrong one pointing to the lesson that holds its answer."""
    chosen = answers if isinstance(answers, dict) else {}
    correct = getattr(result, "correct", None) or {}
    rows: list[dict[str, object]] = []
    for question in resource.check_questions.all():
        options = list(question.options.all())
        right = correct.get(question.pk)
        lesson = None
        if right is False:
            lesson = selectors.lesson_for_question(
                options=options, lessons=lessons, question_text=question.text
            )
        rows.append(
            {
                "question": question,
                "pk": question.pk,
                "text": question.text,
                "options": options,
                "chosen": chosen.get(question.pk),
                "right": right,
                "lesson": lesson,
                "lesson_number": lessons.index(lesson) + 1 if lesson is not None else None,
            }
        )
    return rows


def _detail_context(request: HttpRequest, resource_id: int, **extra: object) -> dict[str, object]:
    with guard_as_http():
        detail = selectors.resource_get(user=signed_in_user(request), resource_id=resource_id)
    resource = detail.resource
    items = list(resource.checklist_items.all())
    questions = list(resource.guide_questions.all())
    segments: list[dict[str, object]] = []
    for segment in (
        body_segments(resource.kind, resource.body_markdown)
        if resource.kind != ResourceKind.MODULE
        else []
    ):
        if segment.index is None:
            segments.append({"html": segment.html})
        elif resource.kind == ResourceKind.CHECKLIST and segment.index < len(items):
            segments.append({"item": items[segment.index]})
        elif segment.index < len(questions):
            segments.append({"question": questions[segment.index]})
    return {
        "detail": detail,
        "resource": resource,
        "segments": segments,
        "intro_html": markdown_to_html(module_intro(resource.body_markdown))
        if resource.is_module
        else "",
        "lessons": [
            {
                "lesson": lesson,
                "html": markdown_to_html(lesson.body_markdown),
                "done": lesson.pk in detail.completed_lesson_ids,
            }
            for lesson in resource.lessons.all()
        ],
        "check_questions": _check_rows(
            resource,
            lessons=list(resource.lessons.all()),
            answers=extra.get("answers"),
            result=extra.get("result"),
        ),
        "checked": detail.checked_orders,
        "stage_labels": dict(Stage.choices),
        "ratings": range(1, 6),
        **extra,
    }


@login_required
@require_GET
def detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    return render(request, "resources/detail.html", _detail_context(request, resource_id))


def _back(request: HttpRequest, resource_id: int, error: str = "", **extra: object) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = _detail_context(request, resource_id, error=error, **extra)
        return render(request, "resources/_progress.html", context)
    if error:
        messages.error(request, error)
    return redirect("resources:detail", resource_id=resource_id)


def _act(request: HttpRequest, resource_id: int, work: Callable[[], object]) -> HttpResponse:
    with guard_as_http():
        try:
            work()
        except DomainError as error:
            if error.status in (403, 404):
                raise
            return _back(request, resource_id, error=error.detail)
    return _back(request, resource_id)


@login_required
@require_POST
def mark_done(request: HttpRequest, resource_id: int) -> HttpResponse:
    user = signed_in_user(request)
    if request.POST.get("done") == "0":
        return _act(
            request,
            resource_id,
            lambda: services.resource_mark_undone(actor=user, resource_id=resource_id),
        )
    return _act(
        request,
        resource_id,
        lambda: services.resource_mark_done(actor=user, resource_id=resource_id),
    )


@login_required
@require_POST
def rate(request: HttpRequest, resource_id: int) -> HttpResponse:
    user = signed_in_user(request)
    raw = request.POST.get("rating", "")
    rating = int(raw) if raw.isdigit() else 0
    return _act(
        request,
        resource_id,
        lambda: services.resource_rate(actor=user, resource_id=resource_id, rating=rating),
    )


@login_required
@require_POST
def checklist_item(request: HttpRequest, resource_id: int, item_id: int) -> HttpResponse:
    user = signed_in_user(request)
    checked = request.POST.get("checked") == "on"
    return _act(
        request,
        resource_id,
        lambda: services.checklist_item_set(
            actor=user, resource_id=resource_id, item_id=item_id, checked=checked
        ),
    )


@login_required
@require_POST
def lesson_complete(request: HttpRequest, resource_id: int, lesson_id: int) -> HttpResponse:
    user = signed_in_user(request)
    return _act(
        request,
        resource_id,
        lambda: services.lesson_complete(actor=user, resource_id=resource_id, lesson_id=lesson_id),
    )


@login_required
@require_POST
def knowledge_check(request: HttpRequest, resource_id: int) -> HttpResponse:
    user = signed_in_user(request)
    answers = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("q-") and key[2:].isdigit() and value.isdigit():
            answers[int(key[2:])] = int(value)
    with guard_as_http():
        try:
            result = services.knowledge_check_submit(
                actor=user, resource_id=resource_id, answers=answers
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            return render(
                request,
                "resources/detail.html",
                _detail_context(request, resource_id, check_error=error.detail, answers=answers),
            )
    return render(
        request,
        "resources/detail.html",
        _detail_context(request, resource_id, result=result, answers=answers),
    )


# --- Managers -------------------------------------------------------------------------------


@login_required
def program_resources(request: HttpRequest, program_id: int) -> HttpResponse:
    user = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=user, program_id=program_id, manage=True)
    form = ResourceForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_create(actor=user, program_id=program.pk, **form.values())  # type: ignore[arg-type]
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Added to this programme's resources."))
            return redirect("resources:program_resources", program_id=program.pk)
    apply_bootstrap(form)
    return render(
        request,
        "resources/program_resources.html",
        {
            "program": program,
            "rows": selectors.resource_completion_rates(program=program),
            "min_group": aggregate_min_group(program.organization),
            "form": form,
            "is_admin": user.is_org_admin,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def program_resource_edit(request: HttpRequest, program_id: int, resource_id: int) -> HttpResponse:
    user = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=user, program_id=program_id, manage=True)
        resource = selectors.resource_in_program(program=program, resource_id=resource_id)
        resource_access(actor=user, resource_id=resource.pk, edit=True)
    initial = {
        "kind": resource.kind,
        "title": resource.title,
        "summary": resource.summary,
        "body_markdown": resource.body_markdown,
        "url": resource.url,
        "minutes": resource.minutes,
        "audience": resource.audience,
        "stages": resource.stages,
        "skills": ", ".join(resource.skills),
    }
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=user, resource_id=resource.pk, **form.values())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("resources:program_resources", program_id=program.pk)
    apply_bootstrap(form)
    return render(
        request,
        "resources/edit.html",
        {"program": program, "resource": resource, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def program_resource_visibility(
    request: HttpRequest, program_id: int, resource_id: int, action: str
) -> HttpResponse:
    user = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=user, program_id=program_id, manage=True)
        resource = selectors.resource_in_program(program=program, resource_id=resource_id)
        if action not in ("hide", "unhide"):
            raise Http404("No such action.")
        if action == "hide":
            services.resource_hide(actor=user, resource_id=resource.pk)
        else:
            services.resource_unhide(actor=user, resource_id=resource.pk)
    return redirect("resources:program_resources", program_id=program.pk)
