"""Journeys over HTML: the pair's journey page and the managers' editor. Thin: the services
decide, the selectors read. Every form posts normally (a redirect back) and, with htmx, swaps
its section in place; a refusal shows inline (htmx answers 200 then: htmx 2 does not swap
4xx responses)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.journeys import selectors, services
from tandem.journeys.forms import StageCreateForm, StageForm, StepForm
from tandem.journeys.models import StageKey
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request

# --- the pair's page ------------------------------------------------------------------------


def _pair_render(
    request: HttpRequest, access: RelationshipAccess, *, error: str = "", error_step: str = ""
) -> HttpResponse:
    context = {
        "access": access,
        "relationship": access.relationship,
        "journey": selectors.journey_for_relationship(access=access),
        "error": error,
        "error_step": error_step,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "journeys/_journey.html", context)
    return render(request, "journeys/relationship.html", context)


@login_required
@require_GET
def relationship_journey(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The pair's journey: stages as a stepper, the current one open, its checklist."""
    return _pair_render(request, relationship_access_for_request(request, relationship_id))


def _whole(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_POST
def step_toggle(request: HttpRequest, relationship_id: int, step_id: int) -> HttpResponse:
    """Tick (done=1) or untick (done=0) a manual step. Step 0 is a step of the default journey
    read in memory, named by the form's stage, order and title (nothing of it is ticked yet, so
    only a tick does something)."""
    access = relationship_access_for_request(request, relationship_id)
    done = request.POST.get("done") == "1"
    error_step = str(step_id)
    try:
        if step_id == 0:
            error_step = f"{request.POST.get('stage', '')}-{request.POST.get('order', '')}"
            if done:
                services.journey_default_step_complete(
                    actor=access.user,
                    relationship_id=relationship_id,
                    stage_key=request.POST.get("stage", ""),
                    order=_whole(request.POST.get("order")),
                    title=request.POST.get("title", ""),
                )
        elif done:
            services.step_complete(
                actor=access.user, relationship_id=relationship_id, step_id=step_id
            )
        else:
            services.step_uncomplete(
                actor=access.user, relationship_id=relationship_id, step_id=step_id
            )
    except DomainError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return _pair_render(request, access, error=error.detail, error_step=error_step)
        with guard_as_http():
            if error.status in (403, 404):
                raise
        messages.error(request, error.detail)
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return _pair_render(request, access)
        messages.success(request, "Step ticked." if done else "Step unticked.")
    return redirect("journeys:relationship", relationship_id=relationship_id)


# --- the managers' editor -------------------------------------------------------------------


def _program(request: HttpRequest, program_id: int) -> Program:
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=True)


def _editor_context(
    program: Program, *, bound: dict[str, Any] | None = None, error: str = "", flash: str = ""
) -> dict[str, Any]:
    bound = bound or {}
    journey = selectors.journey_for_editor(program=program)
    if journey is None:
        return _default_context(program, error=error, flash=flash)
    resources = selectors.resource_choices(program=program)
    stages = []
    present = set()
    for stage in journey.stages.all():
        present.add(stage.key)
        steps = []
        for step in stage.steps.all():
            initial = {
                "title": step.title,
                "description": step.description,
                "due_offset_days": step.due_offset_days,
                "due_at_percent": None
                if step.due_at_fraction is None
                else round(step.due_at_fraction * 100),
                "completion": step.completion,
                "meetings_count": step.meetings_count,
                "resource_ids": [str(r.pk) for r in step.resources.all()],
            }
            key = f"step-{step.pk}"
            form = bound.get(key) or StepForm(prefix=key, initial=initial, resources=resources)
            steps.append(
                {
                    "step": step,
                    "resources": list(step.resources.all()),
                    "form": apply_bootstrap(form),
                    "open": key in bound,
                }
            )
        stage_key = f"stage-{stage.pk}"
        new_key = f"new-step-{stage.pk}"
        stages.append(
            {
                "stage": stage,
                "steps": steps,
                "form": apply_bootstrap(
                    bound.get(stage_key)
                    or StageForm(
                        prefix=stage_key,
                        initial={"title": stage.title, "description": stage.description},
                    )
                ),
                "new_step_form": apply_bootstrap(
                    bound.get(new_key)
                    or StepForm(prefix=new_key, initial={"meetings_count": 1}, resources=resources)
                ),
                "open_new_step": new_key in bound,
            }
        )
    missing = [key for key in StageKey.values if key not in present]
    return {
        "nav_section": "programs",
        "program": program,
        "stages": stages,
        "new_stage_form": apply_bootstrap(
            bound.get("new-stage") or StageCreateForm(prefix="new-stage", missing=missing)
        )
        if missing
        else None,
        "error": error,
        "flash": flash,
        "read_only": program.is_read_only,
        "is_default": False,
    }


def _default_context(program: Program, *, error: str = "", flash: str = "") -> dict[str, Any]:
    """The editor of a programme that still reads its default journey: the default, read-only,
    and a button to start editing (which stores it)."""
    stages = [
        {
            "stage": stage,
            "steps": [
                {"step": step, "resources": step.starter_resources}  # type: ignore[attr-defined]
                for step in steps
            ],
        }
        for stage, steps in selectors.default_journey_stages(program=program)
    ]
    return {
        "nav_section": "programs",
        "program": program,
        "stages": stages,
        "new_stage_form": None,
        "error": error,
        "flash": flash,
        "read_only": True,
        "is_default": True,
        "can_customise": not program.is_read_only,
    }


def _editor_render(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "journeys/_editor.html", context)
    return render(request, "journeys/editor.html", context)


def _edit(
    request: HttpRequest,
    program: Program,
    work: Callable[[], str],
    *,
    form: Any = None,
    key: str = "",
) -> HttpResponse:
    """Run `work` (a service call returning the success message) when the form is valid;
    answer with the refreshed editor (htmx) or a redirect, or show the refusal inline."""
    error = ""
    if form is None or form.is_valid():
        try:
            message = work()
        except DomainError as failure:
            if failure.status in (403, 404):
                with guard_as_http():
                    raise
            if form is not None and failure.errors:
                add_domain_error(form, failure)
            else:
                error = failure.detail
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return _editor_render(request, _editor_context(program, flash=message))
            messages.success(request, message)
            return redirect("journeys:editor", program_id=program.pk)
    bound = {key: form} if form is not None and key else {}
    context = _editor_context(program, bound=bound, error=error)
    if request.htmx:  # type: ignore[attr-defined]
        return _editor_render(request, context)
    return render(request, "journeys/editor.html", context, status=400)


@login_required
@require_GET
def editor(request: HttpRequest, program_id: int) -> HttpResponse:
    """The programme's journey for its managers: stages, steps, due dates, resources."""
    return _editor_render(request, _editor_context(_program(request, program_id)))


@login_required
@require_POST
def stage_create(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = StageCreateForm(request.POST, prefix="new-stage")

    def work() -> str:
        stage = services.stage_create(
            actor=signed_in_user(request), program_id=program.pk, key=form.cleaned_data["key"]
        )
        return f"Stage added: {stage.title}."

    return _edit(request, program, work, form=form, key="new-stage")


@login_required
@require_POST
def stage_update(request: HttpRequest, program_id: int, stage_id: int) -> HttpResponse:
    program = _program(request, program_id)
    key = f"stage-{stage_id}"
    form = StageForm(request.POST, prefix=key)

    def work() -> str:
        stage = services.stage_update(
            actor=signed_in_user(request),
            program_id=program.pk,
            stage_id=stage_id,
            title=form.cleaned_data["title"],
            description=form.cleaned_data.get("description") or "",
        )
        return f"Stage saved: {stage.title}."

    return _edit(request, program, work, form=form, key=key)


@login_required
@require_POST
def stage_delete(request: HttpRequest, program_id: int, stage_id: int) -> HttpResponse:
    program = _program(request, program_id)

    def work() -> str:
        services.stage_delete(
            actor=signed_in_user(request), program_id=program.pk, stage_id=stage_id
        )
        return "Stage removed."

    return _edit(request, program, work)


@login_required
@require_POST
def stage_move(request: HttpRequest, program_id: int, stage_id: int) -> HttpResponse:
    program = _program(request, program_id)

    def work() -> str:
        services.stage_move(
            actor=signed_in_user(request),
            program_id=program.pk,
            stage_id=stage_id,
            direction=request.POST.get("direction", ""),
        )
        return "Stage moved."

    return _edit(request, program, work)


@login_required
@require_POST
def step_create(request: HttpRequest, program_id: int, stage_id: int) -> HttpResponse:
    program = _program(request, program_id)
    key = f"new-step-{stage_id}"
    form = StepForm(request.POST, prefix=key, resources=selectors.resource_choices(program=program))

    def work() -> str:
        step = services.step_create(
            actor=signed_in_user(request),
            program_id=program.pk,
            stage_id=stage_id,
            **form.service_values(),
        )
        return f"Step added: {step.title}."

    return _edit(request, program, work, form=form, key=key)


@login_required
@require_POST
def step_update(request: HttpRequest, program_id: int, step_id: int) -> HttpResponse:
    program = _program(request, program_id)
    key = f"step-{step_id}"
    form = StepForm(request.POST, prefix=key, resources=selectors.resource_choices(program=program))

    def work() -> str:
        step = services.step_update(
            actor=signed_in_user(request),
            program_id=program.pk,
            step_id=step_id,
            **form.service_values(),
        )
        return f"Step saved: {step.title}."

    return _edit(request, program, work, form=form, key=key)


@login_required
@require_POST
def step_delete(request: HttpRequest, program_id: int, step_id: int) -> HttpResponse:
    program = _program(request, program_id)

    def work() -> str:
        services.step_delete(actor=signed_in_user(request), program_id=program.pk, step_id=step_id)
        return "Step removed."

    return _edit(request, program, work)


@login_required
@require_POST
def step_move(request: HttpRequest, program_id: int, step_id: int) -> HttpResponse:
    program = _program(request, program_id)

    def work() -> str:
        services.step_move(
            actor=signed_in_user(request),
            program_id=program.pk,
            step_id=step_id,
            direction=request.POST.get("direction", ""),
        )
        return "Step moved."

    return _edit(request, program, work)


@login_required
@require_POST
def journey_customise(request: HttpRequest, program_id: int) -> HttpResponse:
    """Start editing the default journey: store it, then show the full editor."""
    program = _program(request, program_id)

    def work() -> str:
        services.journey_customise(actor=signed_in_user(request), program_id=program.pk)
        return "You can now edit this programme's journey."

    return _edit(request, program, work)


@login_required
@require_POST
def journey_reset(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)

    def work() -> str:
        services.journey_reset_to_default(actor=signed_in_user(request), program_id=program.pk)
        return "The journey is back to the default for this programme's format."

    return _edit(request, program, work)
