"""The pair's meetings as HTML (htmx for the agenda and notes) and each person's calendar feed.
Thin: the guard gives the relationship, services decide, selectors read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.names import display_name
from tandem.accounts.requests import signed_in_user
from tandem.actions.selectors import action_item_list_open
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.links import absolute_url
from tandem.core.web import guard_as_http
from tandem.meetings import selectors, services
from tandem.meetings.api import ics_response
from tandem.meetings.forms import AgendaItemForm, CheckInForm, MeetingForm, NotesForm
from tandem.meetings.models import Meeting, MeetingStatus
from tandem.meetings.times import (
    WORKING_HOURS_TEXT,
    in_zone,
    local_text,
    outside_working_hours,
)
from tandem.people.csvfile import timezone_names
from tandem.people.selectors import profile_timezone_get
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request


def _meeting(access: RelationshipAccess, meeting_id: int) -> Meeting:
    with guard_as_http():
        return selectors.meeting_get(access=access, meeting_id=meeting_id)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- the list and scheduling ------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The pair's meetings (upcoming, then past) and the form to schedule one."""
    access = relationship_access_for_request(request, relationship_id)
    actor = access.user
    zone_name = profile_timezone_get(user=actor)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"timezone": zone_name},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=actor,
                relationship_id=relationship_id,
                title=data["title"],
                date=data["date"],
                time=data["time"],
                timezone_name=data["timezone"].strip(),
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_url=data["video_url"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is scheduled; you both have an invitation.")
                % {"title": meeting.title},
            )
            return redirect(services.meeting_path(meeting))
    apply_bootstrap(form)
    now = timezone.now()
    upcoming: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for meeting in selectors.meeting_list(access=access):
        row = {
            "meeting": meeting,
            "local": local_text(meeting.starts_at, zone_name, minutes=meeting.duration_minutes),
        }
        is_upcoming = meeting.status == MeetingStatus.SCHEDULED and meeting.ends_at >= now
        (upcoming if is_upcoming else past).append(row)
    past.reverse()
    context = {
        "access": access,
        "relationship": access.relationship,
        "form": form,
        "upcoming": upcoming,
        "past": past,
        "timezone": zone_name,
        "timezones": timezone_names(),
    }
    return render(request, "meetings/list.html", context, status=400 if form.errors else 200)


# --- one meeting ------------------------------------------------------------------------


def _detail_context(access: RelationshipAccess, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    actor = access.user
    zone_name = profile_timezone_get(user=actor)
    partner = access.partner
    partner_zone = profile_timezone_get(user=partner) if partner is not None else zone_name
    now = timezone.now()
    checkins = list(meeting.checkins.select_related("user").order_by("created_at", "id"))
    mine = next((c for c in checkins if c.user_id == actor.pk), None)
    started = meeting.starts_at <= now
    context: dict[str, Any] = {
        "access": access,
        "relationship": access.relationship,
        "meeting": meeting,
        "agenda": list(meeting.agenda_items.all()),
        "timezone": zone_name,
        "local": local_text(meeting.starts_at, zone_name, minutes=meeting.duration_minutes),
        "partner": partner,
        "partner_timezone": partner_zone,
        "partner_local": local_text(
            meeting.starts_at, partner_zone, minutes=meeting.duration_minutes
        ),
        # Shown while the meeting is ahead: a slot outside the other person's working hours.
        "partner_outside_hours": partner is not None
        and meeting.status == MeetingStatus.SCHEDULED
        and outside_working_hours(
            meeting.starts_at, partner_zone, minutes=meeting.duration_minutes
        ),
        "working_hours": WORKING_HOURS_TEXT,
        "is_scheduled": meeting.status == MeetingStatus.SCHEDULED,
        "can_edit": access.is_open and meeting.status == MeetingStatus.SCHEDULED,
        "can_mark_held": access.is_open and meeting.status == MeetingStatus.SCHEDULED and started,
        "checkins": checkins,
        "my_checkin": mine,
        "can_check_in": access.is_open
        and mine is None
        and meeting.status != MeetingStatus.CANCELLED
        and (meeting.status == MeetingStatus.HELD or started),
        "agenda_form": apply_bootstrap(AgendaItemForm()),
        "notes_form": apply_bootstrap(NotesForm(initial={"notes": meeting.notes})),
        "checkin_form": apply_bootstrap(CheckInForm()),
        "open_actions": _open_actions(access),
        "edit_form": None,
    }
    context.update(extra)
    return context


def _open_actions(access: RelationshipAccess) -> list[Any]:
    return action_item_list_open(relationship=access.relationship)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    return render(request, "meetings/detail.html", _detail_context(access, meeting))


@login_required
def meeting_edit(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    """Reschedule or change a meeting: both get the updated invitation."""
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    local = in_zone(meeting.starts_at, meeting.timezone)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": meeting.title,
            "date": local.date(),
            "time": local.time().strftime("%H:%M"),
            "timezone": meeting.timezone,
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "video_url": meeting.video_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_reschedule(
                actor=access.user,
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                title=data["title"],
                date=data["date"],
                time=data["time"],
                timezone_name=data["timezone"].strip(),
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_url=data["video_url"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The meeting is updated; you both have the new invitation.")
            )
            return redirect(services.meeting_path(meeting))
    apply_bootstrap(form)
    context = {
        "access": access,
        "relationship": access.relationship,
        "meeting": meeting,
        "form": form,
        "timezones": timezone_names(),
    }
    return render(request, "meetings/edit.html", context, status=400 if form.errors else 200)


def _act(request: HttpRequest, meeting: Meeting, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return redirect(services.meeting_path(meeting))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.meeting_cancel(
            actor=access.user, relationship_id=relationship_id, meeting_id=meeting_id
        ),
        _("The meeting is cancelled; you both have the cancellation for your calendars."),
    )


@login_required
@require_POST
def meeting_held(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.meeting_record_held(
            actor=access.user, relationship_id=relationship_id, meeting_id=meeting_id
        ),
        _("Recorded as held. Each of you can now check in."),
    )


@login_required
@require_POST
def meeting_notes(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    """Save the shared notes (htmx: answers the notes section, errors inline)."""
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    form = NotesForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            meeting = services.meeting_notes_update(
                actor=access.user,
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                notes=form.cleaned_data["notes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            saved = True
    if not _is_htmx(request):
        if saved:
            messages.success(request, _("The notes are saved."))
        elif form.errors:
            messages.error(
                request,
                _("The notes were not saved: %(errors)s") % {"errors": form.errors.as_text()},
            )
        return redirect(services.meeting_path(meeting))
    apply_bootstrap(form)
    context = _detail_context(access, meeting, notes_form=form, notes_saved=saved)
    return render(request, "meetings/_notes.html", context)


@login_required
@require_POST
def agenda_add(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    """Add a question to the agenda (htmx: answers the agenda section, errors inline)."""
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    form = AgendaItemForm(request.POST)
    added = False
    if form.is_valid():
        try:
            services.agenda_item_add(
                actor=access.user,
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                text=form.cleaned_data["text"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            added = True
    if not _is_htmx(request):
        if not added:
            messages.error(
                request,
                _("The question was not added: %(errors)s") % {"errors": form.errors.as_text()},
            )
        return redirect(services.meeting_path(meeting) + "#agenda")
    meeting = _meeting(access, meeting_id)
    apply_bootstrap(form)
    context = _detail_context(
        access, meeting, agenda_form=apply_bootstrap(AgendaItemForm()) if added else form
    )
    return render(request, "meetings/_agenda.html", context)


@login_required
@require_POST
def agenda_remove(
    request: HttpRequest, relationship_id: int, meeting_id: int, item_id: int
) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    error_text = ""
    try:
        services.agenda_item_remove(
            actor=access.user,
            relationship_id=relationship_id,
            meeting_id=meeting_id,
            item_id=item_id,
        )
    except DomainError as error:
        error_text = error.detail
    if not _is_htmx(request):
        if error_text:
            messages.error(request, error_text)
        return redirect(services.meeting_path(meeting) + "#agenda")
    meeting = _meeting(access, meeting_id)
    return render(
        request,
        "meetings/_agenda.html",
        _detail_context(access, meeting, agenda_error=error_text),
    )


@login_required
@require_GET
def meeting_invite(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    return ics_response(
        services.meeting_ics(meeting=meeting, base_url=absolute_url("/", request=request)),
        "invite.ics",
    )


@login_required
@require_POST
def meeting_checkin(request: HttpRequest, relationship_id: int, meeting_id: int) -> HttpResponse:
    """My check-in after the meeting; its one line can become an action item at once."""
    access = relationship_access_for_request(request, relationship_id)
    meeting = _meeting(access, meeting_id)
    form = CheckInForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkin = services.checkin_submit(
                actor=access.user,
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                usefulness=data["usefulness"],
                practise_next=data["practise_next"],
                create_action=data["create_action"] and bool(data["practise_next"].strip()),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Thank you for checking in. Your action item is on the list.")
                if checkin.action_item_id
                else _("Thank you for checking in."),
            )
            return redirect(services.meeting_path(meeting))
    apply_bootstrap(form)
    return render(
        request,
        "meetings/detail.html",
        _detail_context(access, meeting, checkin_form=form),
        status=400,
    )


# --- my calendar feed -------------------------------------------------------------------


def _render_feed(request: HttpRequest, **extra: Any) -> HttpResponse:
    actor = signed_in_user(request)
    context = {"feed": selectors.calendar_feed_get(actor=actor), **extra}
    template = "meetings/_feed.html" if _is_htmx(request) else "meetings/feed_settings.html"
    return render(request, template, context)


@login_required
@require_GET
def feed_settings(request: HttpRequest) -> HttpResponse:
    """My private calendar-feed URL: create, replace or turn it off."""
    return _render_feed(request)


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    raw = services.calendar_feed_rotate(actor=signed_in_user(request))
    return _render_feed(
        request, new_url=services.feed_url(raw, base_url=absolute_url("/", request=request))
    )


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    revoked = services.calendar_feed_revoke(actor=signed_in_user(request))
    return _render_feed(request, revoked=revoked)


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings as an iCalendar feed; the secret in the URL is the only key."""
    user = selectors.calendar_feed_user(raw_token=token)
    if user is None:
        raise Http404(_("No such calendar feed."))
    text = services.meetings_feed_ics(
        meetings=selectors.meeting_list_for_feed(user=user),
        name=f"Tandem meetings — {display_name(user)}",
        base_url=absolute_url("/", request=request),
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
