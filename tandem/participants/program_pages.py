"""Programmes' list and detail pages: programs' pages with the enrolment counts this app owns.

Programs sits below participants and may not ask it how many people are enrolled, so the two
pages that show those counts are composed here, one layer up: programs' selectors load the
programmes, `selectors.with_enrolment_counts` adds the counts. They keep their names in the
`programs` namespace (`program_urls.py`) and programs' templates.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.requests import signed_in_user
from tandem.participants.selectors import (
    HOLDING_STATUSES,
    participation_get_for_member,
    with_enrolment_counts,
)
from tandem.programs import selectors as program_selectors
from tandem.programs.models import ProgramStatus
from tandem.programs.permissions import can_manage_program
from tandem.programs.views import program_for_request, require_manager_role


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    """Manage programmes: the ones the actor manages (org admins: all), filtered by status."""
    actor = signed_in_user(request)
    require_manager_role(actor)
    status = request.GET.get("status", "")
    if status not in ProgramStatus.values:
        status = ""
    counts = program_selectors.program_status_counts(actor=actor)
    programs = program_selectors.program_list_for_manager(actor=actor, status=status)
    context = {
        "nav_section": "programs",
        "programs": with_enrolment_counts(programs),
        "status_filters": [(value, label, counts[value]) for value, label in ProgramStatus.choices],
        "status": status,
    }
    return render(request, "programs/list.html", context)


@login_required
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    """A programme's settings, form and links. Managers see the actions; others the summary."""
    actor = signed_in_user(request)
    guarded = program_for_request(request, program_id, manage=False)
    program = with_enrolment_counts(
        program_selectors.program_summary_queryset(program=guarded)
    ).get()
    can_manage = can_manage_program(actor, program)
    # A member already holding a place sees it, not an "Enrol" button.
    place = None if can_manage else participation_get_for_member(actor=actor, program=program)
    context = {
        "program": program,
        "can_manage": can_manage,
        "my_place": place if place is not None and place.status in HOLDING_STATUSES else None,
        "questions": program_selectors.question_list(program=program),
        "nav_section": "programs",
    }
    return render(request, "programs/detail.html", context)
