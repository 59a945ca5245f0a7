"""The managers' pages: a programme's "Pair health" list and one pair's health history, with
the one-click actions as small forms posting to the services. Thin: guard, service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import InvalidInput
from tandem.core.forms import add_domain_error
from tandem.core.web import guard_as_http, seek_page_for_request
from tandem.health import selectors, services
from tandem.health.forms import HealthNoteForm
from tandem.health.permissions import health_relationship_access
from tandem.health.scoring import BUCKET_LABELS
from tandem.health.services import REFRESH_EVERY
from tandem.programs.permissions import program_access

HEALTH_PER_PAGE = 50


@login_required
def program_health(request: HttpRequest, program_id: int) -> HttpResponse:
    """A programme's open pairs by health, worst first: bucket filter, pages of 50, each row's
    reasons, and the actions. A read of the stored scores (a fixed number of queries)."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    bucket = request.GET.get("bucket", "")
    if bucket not in BUCKET_LABELS:
        bucket = ""
    queryset = selectors.health_list_for_program(program=program, bucket=bucket)
    page = seek_page_for_request(queryset, request, limit=HEALTH_PER_PAGE)
    summary = selectors.program_health_summary(program_ids=[program.pk])[program.pk]
    computed_at, unscored = selectors.health_freshness(program=program, summary=summary)
    return render(
        request,
        "health/program_health.html",
        {
            "nav_section": "programs",
            "program": program,
            "page": page,
            "rows": list(page.object_list),
            "bucket": bucket,
            "buckets": selectors.bucket_counts(summary),
            "computed_at": computed_at,
            "unscored": unscored,
            "refresh_minutes": int(REFRESH_EVERY.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def program_health_refresh(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        scored = services.health_refresh_for_program(actor=actor, program_id=program_id)
    messages.success(request, f"Health recomputed for {scored} open pairs.")
    return redirect("health:program", program_id=program_id)


@login_required
def pair_health(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """One pair's health for its managers: the score and its reasons, the history (a table and
    a sparkline), the managers' private notes and the actions."""
    actor = signed_in_user(request)
    with guard_as_http():
        relationship = health_relationship_access(actor=actor, relationship_id=relationship_id)
    form = HealthNoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.health_note_add(
                    actor=actor, relationship_id=relationship.pk, text=form.cleaned_data["text"]
                )
            except InvalidInput as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Note saved.")
                return redirect("health:pair", relationship_id=relationship.pk)
        status = 400
    return render(
        request,
        "health/pair_health.html",
        {
            "nav_section": "programs",
            "program": relationship.program,
            "relationship": relationship,
            "pair": selectors.pair_health(relationship=relationship),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def pair_health_nudge(request: HttpRequest, relationship_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        relationship = health_relationship_access(actor=actor, relationship_id=relationship_id)
        try:
            enqueued = services.health_nudge_pair(actor=actor, relationship_id=relationship.pk)
        except InvalidInput as error:
            messages.error(request, error.detail)
            enqueued = None
    if enqueued is not None:
        messages.success(
            request,
            "Both were nudged."
            if enqueued
            else "Nudge sent (already today, or by their notification settings).",
        )
    if request.POST.get("back") == "pair":
        return redirect("health:pair", relationship_id=relationship.pk)
    return redirect("health:program", program_id=relationship.program_id)
