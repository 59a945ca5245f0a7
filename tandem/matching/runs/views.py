"""Bulk matching pages for programme managers. Thin: guards, services and selectors decide.

The draft page edits with htmx: every edit answers with the refreshed workspace (statistics,
unmatched people, the current page of pairs) and a status line saying what happened; without
JavaScript the same forms post and redirect back.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError, FieldError, InvalidInput
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http, seek_page_for_request
from tandem.matching.models import MatchRun, RunObjective, RunStatus
from tandem.matching.runs import permissions, selectors, services
from tandem.matching.runs.forms import (
    OBJECTIVE_HELP,
    AddPairForm,
    PairFilterForm,
    RunStartForm,
    SettingsForm,
)
from tandem.programs.models import Program
from tandem.programs.permissions import program_access

PAIRS_PER_PAGE = 50
UNMATCHED_PER_PAGE = 50
RUNS_PER_PAGE = 20


def _program(request: HttpRequest, program_id: int) -> Program:
    with guard_as_http():
        return program_access(actor=signed_in_user(request), program_id=program_id, manage=True)


def _run(request: HttpRequest, run_id: int) -> MatchRun:
    with guard_as_http():
        return permissions.match_run_access(actor=signed_in_user(request), run_id=run_id)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- the programme's matching home -------------------------------------------------------


def _home_context(request: HttpRequest, program: Program, form: RunStartForm) -> dict[str, Any]:
    # the runs are a seek page (`?after=`, `?before=`; decision 0020): every run of the
    # programme is reachable, and an old one costs what the newest cost
    runs = seek_page_for_request(
        selectors.match_run_list_for_program(program=program), request, limit=RUNS_PER_PAGE
    )
    return {
        "nav_section": "programs",
        "program": program,
        "supply": selectors.matching_supply(program=program),
        "runs": runs.object_list,
        "page": runs,
        "active_run": selectors.run_has_active_sibling(program=program),
        "form": apply_bootstrap(form),
        "objectives": [
            (value, label, OBJECTIVE_HELP[RunObjective(value)])
            for value, label in RunObjective.choices
        ],
    }


@login_required
@require_GET
def matching_home(request: HttpRequest, program_id: int) -> HttpResponse:
    """Supply and demand, the run form, and the programme's past runs."""
    program = _program(request, program_id)
    context = _home_context(request, program, RunStartForm())
    return render(request, "matching/runs/home.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)
    form = RunStartForm(request.POST)
    if form.is_valid():
        try:
            run = services.match_run_start(
                actor=signed_in_user(request),
                program_id=program.pk,
                objective=form.cleaned_data["objective"],
                seed=form.cleaned_data["seed"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Run {run.pk} started. This page shows its progress until the draft is ready.",
            )
            return redirect("matching:run_detail", run_id=run.pk)
    context = _home_context(request, program, form)
    return render(request, "matching/runs/home.html", context, status=400)


# --- settings ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def matching_settings(request: HttpRequest, program_id: int) -> HttpResponse:
    """Weights, rules, per-question modes and self-matching options."""
    program = _program(request, program_id)
    view = selectors.matching_settings_view(program=program)
    form = SettingsForm(request.POST if request.method == "POST" else None, view=view)
    if request.method == "POST" and form.is_valid():
        try:
            services.matching_settings_update(
                actor=signed_in_user(request), program_id=program.pk, change=form.change()
            )
        except DomainError as error:
            add_domain_error(
                form,
                InvalidInput(
                    error.detail,
                    [
                        FieldError(SettingsForm.field_for_error(e.field), e.message)
                        for e in error.errors
                    ],
                ),
            )
        else:
            messages.success(request, "Matching settings saved. The next run uses them.")
            return redirect("matching:settings", program_id=program.pk)
    apply_bootstrap(form)
    context = {"nav_section": "programs", "program": program, "form": form}
    return render(
        request, "matching/runs/settings.html", context, status=400 if form.errors else 200
    )


# --- a run and its draft -----------------------------------------------------------------


def _filters(data: Any) -> tuple[PairFilterForm, str, str]:
    form = PairFilterForm(data)
    cleaned = form.cleaned_data if form.is_valid() else {}
    apply_bootstrap(form)
    return form, cleaned.get("q", ""), cleaned.get("sort") or "score"


def _histogram(statistics: dict[str, Any]) -> list[dict[str, Any]]:
    bins = statistics.get("histogram") or []
    tallest = max([b["count"] for b in bins] + [1])
    return [
        {
            **b,
            "percent": round(100 * b["count"] / tallest),
            "label": f"{b['low']:g} to {b['high']:g}",
        }
        for b in bins
    ]


CRITERION_NAMES = {
    "skills": "Skills",
    "goals": "Goals",
    "seniority": "Seniority",
    "department": "Department",
    "timezone": "Working hours",
    "language": "Language",
    "questions": "Answers",
    "preferred": "Preferred",
}
TOP_REASONS = 2


def _present_pairs(pairs: Page) -> None:
    """What each row shows: the top reasons, the rest, and the score's parts (largest first)."""
    rows = list(pairs.object_list)
    for proposal in rows:
        reasons = list(proposal.reasons or [])
        proposal.top_reasons = reasons[:TOP_REASONS]
        proposal.more_reasons = reasons[TOP_REASONS:]
        proposal.contribution_rows = [
            (CRITERION_NAMES.get(name, name), value)
            for name, value in sorted(
                (proposal.contributions or {}).items(), key=lambda item: (-item[1], item[0])
            )
            if value
        ]
    pairs.object_list = rows


def _present_unmatched(unmatched: Page, run: MatchRun, *, editable: bool) -> None:
    """Each unmatched mentee's reason, and (in a draft) the mentors they could be given."""
    rows = list(unmatched.object_list)
    options = selectors.mentor_options_for_run(run=run) if editable and rows else []
    excluded = selectors.excluded_pairs_for_run(run=run) if options else set()
    for item in rows:
        item.reason_label = services.UNMATCHED_LABELS.get(item.reason, item.reason)
        item.mentor_options = [
            option for option in options if (item.mentee_id, option.participant_id) not in excluded
        ]
    unmatched.object_list = rows


def _pairs_context(run: MatchRun, data: Any) -> dict[str, Any]:
    """The page of pairs the filters ask for, and the state edits carry back."""
    filter_form, search, sort = _filters(data)
    pairs: Page = Paginator(
        selectors.proposal_list_for_run(run=run, search=search, sort=sort), PAIRS_PER_PAGE
    ).get_page(data.get("page"))
    _present_pairs(pairs)
    state = {"q": search, "sort": sort, "page": pairs.number}
    return {
        "run": run,
        "program": run.program,
        "is_draft": run.status == RunStatus.DRAFT,
        # the top of the fit scale each pair's score is labelled on (tandem.matching.fit)
        "statistics": run.statistics or {},
        "pairs": pairs,
        "filter_form": filter_form,
        "is_filtered": bool(search),
        "state": state,
        "state_query": urlencode(state),
    }


def _workspace_context(run: MatchRun, data: Any) -> dict[str, Any]:
    """Everything below the run's header: statistics, unmatched mentees, the pairs."""
    context = _pairs_context(run, data)
    unmatched: Page = Paginator(
        selectors.unmatched_list_for_run(run=run), UNMATCHED_PER_PAGE
    ).get_page(data.get("unmatched_page"))
    _present_unmatched(unmatched, run, editable=context["is_draft"])
    context.update(
        {
            "statistics": run.statistics or {},
            "proposed_text": selectors.proposed_text(run.statistics),
            "histogram": _histogram(run.statistics or {}),
            "unmatched": unmatched,
        }
    )
    return context


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run: progress while it runs; then the draft with its statistics and pairs."""
    run = _run(request, run_id)
    if _is_htmx(request) and request.htmx.target == "pairs":  # type: ignore[attr-defined]
        return render(request, "matching/runs/_pairs.html", _pairs_context(run, request.GET))
    context = {
        "nav_section": "programs",
        "run": run,
        "program": run.program,
        "is_running": run.status in selectors.ACTIVE_STATUSES,
        "is_stale": selectors.run_is_stale(run=run),
    }
    if run.status not in selectors.ACTIVE_STATUSES:
        context.update(_workspace_context(run, request.GET))
    return render(request, "matching/runs/detail.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress bar, polled every second; reloads the page once the run has finished."""
    run = _run(request, run_id)
    response = render(request, "matching/runs/_progress.html", {"run": run})
    if run.status not in selectors.ACTIVE_STATUSES:
        response["HX-Refresh"] = "true"
    return response


def _edited(
    request: HttpRequest, run_id: int, edit: Any, done: Any, *, status_on_error: int = 200
) -> HttpResponse:
    """Apply one draft edit and answer: the workspace for htmx, else a redirect back."""
    actor = signed_in_user(request)
    run = _run(request, run_id)
    error: DomainError | None = None
    note = ""
    try:
        result = edit(actor, run)
    except DomainError as exc:
        error = exc
    else:
        note = done(result)
    if _is_htmx(request):
        run.refresh_from_db()
        context = _workspace_context(run, request.POST)
        context.update({"note": note, "error": error.detail if error else ""})
        # htmx 2 swaps only 2xx answers; a refusal is shown in the workspace itself.
        return render(request, "matching/runs/_workspace.html", context, status=status_on_error)
    if error is not None:
        messages.error(request, error.detail)
    else:
        messages.success(request, note)
    query = {k: request.POST.get(k, "") for k in ("q", "sort", "page") if request.POST.get(k)}
    url = reverse("matching:run_detail", args=[run.pk])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _pair_name(proposal: Any) -> str:
    return f"{proposal.mentor.user} and {proposal.mentee.user}"


@login_required
@require_POST
def proposal_pin(request: HttpRequest, run_id: int, proposal_id: int) -> HttpResponse:
    return _edited(
        request,
        run_id,
        lambda actor, run: services.match_proposal_pin(
            actor=actor, run_id=run.pk, proposal_id=proposal_id
        ),
        lambda proposal: f"Pinned {_pair_name(proposal)}: later runs keep this pair.",
    )


@login_required
@require_POST
def proposal_unpin(request: HttpRequest, run_id: int, proposal_id: int) -> HttpResponse:
    return _edited(
        request,
        run_id,
        lambda actor, run: services.match_proposal_unpin(
            actor=actor, run_id=run.pk, proposal_id=proposal_id
        ),
        lambda proposal: f"Unpinned {_pair_name(proposal)}.",
    )


@login_required
@require_POST
def proposal_remove(request: HttpRequest, run_id: int, proposal_id: int) -> HttpResponse:
    return _edited(
        request,
        run_id,
        lambda actor, run: services.match_proposal_remove(
            actor=actor, run_id=run.pk, proposal_id=proposal_id
        ),
        lambda unmatched: f"Removed the pair: {unmatched.mentee.user} is unmatched again.",
    )


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@login_required
@require_POST
def proposals_swap(request: HttpRequest, run_id: int) -> HttpResponse:
    """Exchange the mentees of the two ticked pairs."""
    chosen = _ids(request.POST.getlist("pair"))

    def swap(actor: User, run: MatchRun) -> Any:
        if len(chosen) != 2:
            raise InvalidInput.for_field(
                "pair", f"Tick exactly two pairs to swap their mentees (you ticked {len(chosen)})."
            )
        return services.match_proposals_swap(
            actor=actor, run_id=run.pk, first_id=chosen[0], second_id=chosen[1]
        )

    return _edited(
        request,
        run_id,
        swap,
        lambda pair: f"Swapped: {_pair_name(pair[0])}; {_pair_name(pair[1])}.",
    )


@login_required
@require_POST
def proposal_add(request: HttpRequest, run_id: int) -> HttpResponse:
    """Pair an unmatched mentee with a mentor who has a place left in the draft."""
    form = AddPairForm(request.POST)

    def add(actor: User, run: MatchRun) -> Any:
        if not form.is_valid():
            raise InvalidInput.for_field("mentor", "Choose a mentor for this mentee.")
        return services.match_proposal_add(
            actor=actor,
            run_id=run.pk,
            mentee_id=form.cleaned_data["mentee"],
            mentor_id=form.cleaned_data["mentor"],
        )

    return _edited(request, run_id, add, lambda proposal: f"Added {_pair_name(proposal)}.")


# --- whole-run actions -------------------------------------------------------------------


@login_required
@require_POST
def run_rerun(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        new_run = services.match_run_rerun(actor=signed_in_user(request), run_id=run.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("matching:run_detail", run_id=run.pk)
    messages.success(
        request, f"Run {new_run.pk} is queued with run {run.pk}'s settings and pinned pairs."
    )
    return redirect("matching:run_detail", run_id=new_run.pk)


@login_required
@require_POST
def run_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        services.match_run_publish(actor=signed_in_user(request), run_id=run.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            f"Published: {selectors.proposed_text(run.statistics)} proposed. Everyone matched "
            "is being emailed.",
        )
    return redirect("matching:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_discard(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        services.match_run_discard(actor=signed_in_user(request), run_id=run.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("matching:run_detail", run_id=run.pk)
    messages.success(request, f"Run {run.pk} was discarded.")
    return redirect("matching:home", program_id=run.program_id)
