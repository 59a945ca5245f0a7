"""Self-assessments over HTML: the person's page (the form while a moment is open, then their
start-vs-end comparison, sharing, and their partner's shared answers) and the programme
managers' page (averages only, and the programme's own competencies). Thin: the services
and selectors decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.names import short_name
from tandem.accounts.requests import signed_in_user
from tandem.assessments import selectors, services
from tandem.assessments.forms import CompetencyForm
from tandem.assessments.models import NOTE_MAX, SCORE_ANCHORS, Moment
from tandem.assessments.windows import END_AFTER_CLOSE_DAYS, START_PROMPT_DAYS
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import relationship_access_for_request


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def assessment_page(request: HttpRequest, relationship_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    overview = selectors.assessment_overview(access=access)
    errors: dict[str, str] = {}
    error = ""
    chosen: dict[int, int | None] = {}
    notes: dict[int, str] = {}
    if request.method == "POST":
        moment = request.POST.get("moment", "")
        for competency in overview.competencies:
            chosen[competency.pk] = _int(request.POST.get(f"rating-{competency.pk}"))
            notes[competency.pk] = request.POST.get(f"note-{competency.pk}", "")
        try:
            services.assessment_submit(
                actor=access.user,
                relationship_id=relationship_id,
                moment=moment,
                ratings={pk: score for pk, score in chosen.items() if score is not None},
                notes={pk: note for pk, note in notes.items() if note},
            )
        except DomainError as failure:
            error = failure.detail
            errors = {e.field.split(".")[-1]: e.message for e in failure.errors}
        else:
            label = Moment(moment).label.lower()
            messages.success(request, f"Thank you: your {label} self-assessment is saved.")
            return redirect("assessments:page", relationship_id=relationship_id)
    return render(
        request,
        "assessments/page.html",
        {
            "access": access,
            "relationship": access.relationship,
            "overview": overview,
            "anchors": sorted(SCORE_ANCHORS.items()),
            "questions": [
                {
                    "competency": competency,
                    "chosen": chosen.get(competency.pk),
                    "note": notes.get(competency.pk, ""),
                    "error": errors.get(str(competency.pk), ""),
                }
                for competency in overview.competencies
                if competency.is_active
            ],
            "error": error,
            "note_max": NOTE_MAX,
            "start_prompt_days": START_PROMPT_DAYS,
            "end_after_close_days": END_AFTER_CLOSE_DAYS,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def assessment_share(request: HttpRequest, relationship_id: int, moment: str) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    share = request.POST.get("share") == "1"
    try:
        if share:
            services.assessment_share(
                actor=access.user, relationship_id=relationship_id, moment=moment
            )
        else:
            services.assessment_unshare(
                actor=access.user, relationship_id=relationship_id, moment=moment
            )
    except DomainError as failure:
        messages.error(request, failure.detail)
    else:
        partner = short_name(access.partner) if access.partner else "your partner"
        messages.success(
            request,
            f"{partner} can now see these answers."
            if share
            else f"These answers are private again: {partner} no longer sees them.",
        )
    return redirect("assessments:page", relationship_id=relationship_id)


# --- the programme managers' page --------------------------------------------------------


def _program(request: HttpRequest, program_id: int) -> Program:
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=True)


def _manager_page(
    request: HttpRequest,
    program: Program,
    *,
    form: CompetencyForm | None = None,
    edit_forms: dict[int, CompetencyForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    own = list(selectors.program_competency_list(program=program))
    edit_forms = edit_forms or {}
    rows = [
        (
            competency,
            edit_forms.get(competency.pk)
            or apply_bootstrap(
                CompetencyForm(
                    prefix=f"competency-{competency.pk}",
                    initial={"name": competency.name, "description": competency.description},
                )
            ),
        )
        for competency in own
    ]
    return render(
        request,
        "assessments/program.html",
        {
            "nav_section": "programs",
            "program": program,
            "summary": selectors.assessment_program_summary(program=program),
            "own": rows,
            "form": form or apply_bootstrap(CompetencyForm(prefix="new")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def program_assessments(request: HttpRequest, program_id: int) -> HttpResponse:
    return _manager_page(request, _program(request, program_id))


@login_required
@require_POST
def competency_create(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = CompetencyForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.competency_create(
                actor=signed_in_user(request), program_id=program.pk, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added.")
            return redirect("assessments:program", program_id=program.pk)
    apply_bootstrap(form)
    return _manager_page(request, program, form=form, status=400)


@login_required
@require_POST
def competency_edit(request: HttpRequest, program_id: int, competency_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = CompetencyForm(request.POST, prefix=f"competency-{competency_id}")
    if form.is_valid():
        try:
            with guard_as_http():
                services.competency_update(
                    actor=signed_in_user(request),
                    program_id=program.pk,
                    competency_id=competency_id,
                    **form.cleaned_data,
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Competency saved.")
            return redirect("assessments:program", program_id=program.pk)
    apply_bootstrap(form)
    return _manager_page(request, program, edit_forms={competency_id: form}, status=400)


@login_required
@require_POST
def competency_activate(request: HttpRequest, program_id: int, competency_id: int) -> HttpResponse:
    program = _program(request, program_id)
    active = request.POST.get("is_active") == "1"
    with guard_as_http():
        competency = services.competency_update(
            actor=signed_in_user(request),
            program_id=program.pk,
            competency_id=competency_id,
            is_active=active,
        )
    messages.success(
        request,
        f"{competency.name} is asked again from now on."
        if active
        else f"{competency.name} is no longer asked; answers already given are kept.",
    )
    return redirect("assessments:program", program_id=program.pk)
