"""The pair's hub, the home page's "my mentoring" list, the managers' signals page and a
person's page for org admins and their programmes' managers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tandem.accounts.requests import signed_in_user
from tandem.core.web import guard_as_http, seek_page_for_request
from tandem.matching.requests import selectors as match_request_selectors
from tandem.participants import selectors as participant_selectors
from tandem.programs.permissions import program_access
from tandem.pwa.offline import keep_offline
from tandem.relationships.permissions import (
    circle_access_for_request,
    relationship_access_for_request,
)
from tandem.workspace import selectors
from tandem.workspace.permissions import person_access

SIGNALS_PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My mentoring relationships first, then my programmes and the ones I could join."""
    actor = signed_in_user(request)
    context = {
        "nav_section": "home",
        "my_relationships": selectors.my_relationship_list(actor=actor),
        "waiting_requests": match_request_selectors.match_request_waiting_for_member(actor=actor),
        "participations": list(participant_selectors.participation_list_for_member(actor=actor)),
        "available": list(participant_selectors.program_list_open_to_member(actor=actor)),
    }
    return render(request, "participants/home.html", context)


@login_required
@keep_offline
def workspace_detail(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """One page for the pair: what they agreed, where goals stand, when they meet next and
    what to do before then. Private to the two of them (managers get a 404)."""
    access = relationship_access_for_request(request, relationship_id)
    workspace = selectors.workspace_for_party(access=access)
    return render(
        request,
        "workspace/detail.html",
        {
            "nav_section": "home",
            "access": access,
            "relationship": access.relationship,
            "partner": access.partner,
            "workspace": workspace,
            "panels": [(f"{name}/_panel.html", panel) for name, panel in workspace.panels],
        },
    )


@login_required
def circle_detail(request: HttpRequest, circle_id: int) -> HttpResponse:
    """A circle's page for its mentor and mentees: who is in it, its meetings and its
    messages. Anyone else gets a 404, the programme's managers included."""
    access = circle_access_for_request(request, circle_id)
    return render(
        request,
        "workspace/circle.html",
        {
            "nav_section": "home",
            "access": access,
            "circle": access.circle,
            "workspace": selectors.circle_workspace(access=access),
        },
    )


@login_required
def program_relationships(request: HttpRequest, program_id: int) -> HttpResponse:
    """A programme's relationships as its managers see them: activity signals, no content."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    status = request.GET.get("status", "open")
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.KIND_FILTERS else ""
    queryset = selectors.signal_row_queryset_for_program(
        program=program, status=status, search=search, kind=kind
    )
    page = seek_page_for_request(queryset, request, limit=SIGNALS_PER_PAGE)
    rows = selectors.signal_rows(
        page=list(page.object_list), program=program, status=status, search=search
    )
    return render(
        request,
        "workspace/program_relationships.html",
        {
            "nav_section": "programs",
            "program": program,
            "page": page,
            "rows": rows,
            "status": status,
            "q": search,
            "kind": kind,
            "counts": selectors.open_counts_for_program(program=program),
            "is_group": program.format == "group" or any(row.is_circle for row in rows),
            "kind_choices": [
                ("", _("Circles and pairs")),
                ("circles", _("Circles")),
                ("pairs", _("Pairs")),
            ],
            "status_choices": [
                ("open", pgettext("relationships", "Open")),
                *selectors.RelationshipStatus.choices,
                ("", pgettext("relationships", "All")),
            ],
        },
    )


@login_required
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person as the people who run programmes see them: profile, programmes with role and
    status, pairs with activity signals (never what a pair wrote). Org admins see everyone of
    their organisation; a programme manager the people of the programmes they manage."""
    actor = signed_in_user(request)
    with guard_as_http():
        access = person_access(actor=actor, user_id=user_id)
    return render(
        request,
        "workspace/person.html",
        {
            "nav_section": "people" if access.is_org_admin else "programs",
            "overview": selectors.person_overview(access=access),
            "is_org_admin": access.is_org_admin,
        },
    )
