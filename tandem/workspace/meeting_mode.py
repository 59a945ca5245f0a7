"""Meeting mode: the one screen a mentor (or mentee) keeps open during a session.

Phone-first and composed from the apps that own each part: the agenda and shared notes
(meetings), the current journey stage's conversation guide with its questions (journeys +
resources), the stage's checklist (journeys), and one-tap capture of action items (actions).
Every write goes through the owning app's service; each section answers htmx with itself.
"""

import datetime
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.actions import services as actions
from tandem.actions.selectors import action_item_list_open
from tandem.core.errors import DomainError
from tandem.core.text import single_line_problem
from tandem.core.web import guard_as_http
from tandem.journeys import services as journeys
from tandem.journeys.selectors import journey_for_relationship
from tandem.meetings import services as meetings
from tandem.meetings.selectors import meeting_get
from tandem.pwa.offline import keep_offline, offline_key
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request
from tandem.resources.models import ResourceKind
from tandem.resources.selectors import resources_for_stage


def _require_meeting(access: RelationshipAccess, meeting_id: int) -> None:
    """404 unless `meeting_id` is one of this pair's meetings. Every write below calls it first:
    a section is re-rendered from the meeting after its write, so checking only then would
    save the write and answer 404 (an action item added under a meeting that is not theirs)."""
    with guard_as_http():
        meeting_get(access=access, meeting_id=meeting_id)


def _guide(access: RelationshipAccess, stage_key: str | None) -> Any:
    """The current stage's conversation guide for the viewer's side (the first by title)."""
    if stage_key is None:
        return None
    relationship = access.relationship
    pieces = resources_for_stage(
        organization_id=relationship.program.organization_id,
        program_id=relationship.program_id,
        stage=stage_key,
        audience=access.side,
    )
    guides = [piece for piece in pieces if piece.kind == ResourceKind.GUIDE]
    return guides[0] if guides else None


def _context(access: RelationshipAccess, meeting_id: int, **extra: Any) -> dict[str, Any]:
    with guard_as_http():
        meeting = meeting_get(access=access, meeting_id=meeting_id)
    journey = journey_for_relationship(access=access)
    stage = journey.current
    return {
        "access": access,
        "relationship": access.relationship,
        "partner": access.partner,
        "meeting": meeting,
        "agenda": list(meeting.agenda_items.all()),
        "stage": stage,
        "guide": _guide(access, stage.stage.key if stage else None),
        "open_actions": action_item_list_open(relationship=access.relationship),
        "errors": {},
        # Names the person's queue of captures made offline (tandem.js syncs only their own).
        "offline_key": offline_key(access.user),
        **extra,
    }


def _section(request: HttpRequest, template: str, context: dict[str, Any], anchor: str) -> Any:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, template, context)
    meeting = context["meeting"]
    return redirect(meetings.meeting_path(meeting) + f"mode/#{anchor}")


def _posted_integer(request: HttpRequest, name: str) -> int | None:
    text = request.POST.get(name, "")
    return int(text) if text.isdigit() else None


@login_required
@keep_offline
def meeting_mode(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    """The session screen for the pair (managers and everyone else: 404)."""
    access = relationship_access_for_request(request, relationship_id)
    return render(request, "workspace/meeting_mode.html", _context(access, meeting_id))


@login_required
@require_POST
def meeting_mode_agenda(request: HttpRequest, relationship_id: int, meeting_id: int) -> Any:
    access = relationship_access_for_request(request, relationship_id)
    _require_meeting(access, meeting_id)
    errors: dict[str, str] = {}
    try:
        meetings.agenda_item_add(
            actor=access.user,
            relationship_id=relationship_id,
            meeting_id=meeting_id,
            text=request.POST.get("text", ""),
        )
    except DomainError as error:
        errors["agenda"] = error.detail
    context = _context(access, meeting_id, errors=errors)
    return _section(request, "workspace/_mode_agenda.html", context, "agenda")


@login_required
@require_POST
def meeting_mode_notes(request: HttpRequest, relationship_id: int, meeting_id: int) -> Any:
    """Save the shared notes from the version the page showed (`base_version`). When the
    partner saved in between (or the edit was queued offline), nothing is overwritten: the
    section shows their text beside the person's, which stays in the box to merge."""
    access = relationship_access_for_request(request, relationship_id)
    _require_meeting(access, meeting_id)
    errors: dict[str, str] = {}
    saved = False
    conflict: meetings.NotesConflict | None = None
    typed = request.POST.get("notes", "")
    try:
        meetings.meeting_notes_update(
            actor=access.user,
            relationship_id=relationship_id,
            meeting_id=meeting_id,
            notes=typed,
            base_version=_posted_integer(request, "base_version"),
        )
        saved = True
    except meetings.NotesConflict as error:
        conflict = error
        errors["notes"] = error.detail
    except DomainError as error:
        errors["notes"] = error.detail
    context = _context(
        access, meeting_id, errors=errors, notes_saved=saved, notes_conflict=conflict
    )
    if errors:
        # Keep what was typed: a refused save loses nothing (without htmx too, where the
        # redirect of `_section` would drop it).
        context["meeting"].notes = typed
        if not request.htmx:  # type: ignore[attr-defined]
            return render(request, "workspace/meeting_mode.html", context)
    return _section(request, "workspace/_mode_notes.html", context, "notes")


@login_required
@require_POST
def meeting_mode_action(request: HttpRequest, relationship_id: int, meeting_id: int) -> Any:
    """One tap: "<owner> will <title>", due in two weeks unless a date is given."""
    access = relationship_access_for_request(request, relationship_id)
    _require_meeting(access, meeting_id)
    errors: dict[str, str] = {}
    owner = access.user if request.POST.get("owner") != "partner" else access.partner
    due_text = request.POST.get("due_on", "")
    due_on = None
    try:
        due_on = (
            datetime.date.fromisoformat(due_text)
            if due_text
            else timezone.localdate() + datetime.timedelta(days=14)
        )
    except ValueError:
        errors["action"] = _("The due date is not a date.")
    title = request.POST.get("title", "").strip()
    problem = single_line_problem(title)
    if problem:
        errors["action"] = problem
    client_key = None
    try:
        # Set by tandem.js on every capture, so one sent again after a lost answer (or queued
        # offline and synced) is saved once.
        client_key = (
            uuid.UUID(request.POST["client_key"]) if request.POST.get("client_key") else None
        )
    except ValueError:
        errors["action"] = _("The capture's key is not valid; reload the page and try again.")
    if not errors and owner is not None:
        try:
            actions.action_item_add(
                actor=access.user,
                relationship_id=relationship_id,
                title=title,
                owner_id=owner.pk,
                due_on=due_on,
                client_key=client_key,
            )
        except DomainError as error:
            errors["action"] = error.detail
    context = _context(
        access, meeting_id, errors=errors, typed_action=request.POST if errors else None
    )
    return _section(request, "workspace/_mode_actions.html", context, "actions")


@login_required
@require_POST
def meeting_mode_step(
    request: HttpRequest, relationship_id: int, meeting_id: int, step_id: int
) -> Any:
    """Tick or untick a manual step of the current stage's checklist."""
    access = relationship_access_for_request(request, relationship_id)
    _require_meeting(access, meeting_id)
    errors: dict[str, str] = {}
    try:
        if request.POST.get("done") == "1":
            journeys.step_complete(
                actor=access.user, relationship_id=relationship_id, step_id=step_id
            )
        else:
            journeys.step_uncomplete(
                actor=access.user, relationship_id=relationship_id, step_id=step_id
            )
    except DomainError as error:
        errors["checklist"] = error.detail
    context = _context(access, meeting_id, errors=errors)
    return _section(request, "workspace/_mode_checklist.html", context, "checklist")
