"""Meetings over HTTP: thin — guard, then a service or selector, then a schema."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.links import absolute_url
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.meetings import selectors, services
from tandem.meetings.models import CheckIn, Meeting
from tandem.meetings.schemas import (
    AgendaItemIn,
    AgendaItemOut,
    CalendarFeedOut,
    CheckInIn,
    CheckInOut,
    MeetingHeldIn,
    MeetingNotesIn,
    MeetingOut,
    MeetingRescheduleIn,
    MeetingScheduleIn,
)
from tandem.meetings.times import local_text
from tandem.people.selectors import profile_timezone_get
from tandem.relationships.permissions import relationship_access

router = Router(tags=["meetings"])

BASE = "/relationships/{relationship_id}/meetings"


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"user_id": user.pk, "name": display_name(user)}


def _agenda_out(meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {"id": item.pk, "text": item.text, "order": item.order, "added_by": _person(item.added_by)}
        for item in meeting.agenda_items.all()
    ]


def meeting_out(meeting: Meeting, zone_name: str) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "relationship_id": meeting.relationship_id,
        "title": meeting.title,
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "timezone": meeting.timezone,
        "my_timezone": zone_name,
        "my_local_time": local_text(meeting.starts_at, zone_name, minutes=meeting.duration_minutes),
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "video_url": meeting.video_url,
        "sequence": meeting.sequence,
        "uid": meeting.uid,
        "created_by": _person(meeting.created_by),
        "held_at": meeting.held_at,
        "cancelled_at": meeting.cancelled_at,
        "notes": meeting.notes,
        "notes_version": meeting.notes_version,
        "agenda": _agenda_out(meeting),
    }


def _fresh(actor: User, relationship_id: Id, meeting_id: Id) -> dict[str, Any]:
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    return meeting_out(
        selectors.meeting_get(access=access, meeting_id=meeting_id),
        profile_timezone_get(user=actor),
    )


@router.get(BASE, response=list[MeetingOut], summary="The pair's meetings, soonest first")
@paginate(LimitOffsetPagination)
def meeting_list(request: HttpRequest, relationship_id: Id) -> object:
    actor = caller(request)
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    zone_name = profile_timezone_get(user=actor)
    return _MappedList(selectors.meeting_list(access=access), lambda m: meeting_out(m, zone_name))


class _MappedList:
    """A queryset the paginator slices and counts, mapped to output dicts after slicing."""

    def __init__(self, queryset: Any, mapper: Any) -> None:
        self.queryset, self.mapper = queryset, mapper

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.mapper(row) for row in self.queryset[index]]


@router.post(BASE, response={201: MeetingOut}, summary="Schedule a meeting (both are invited)")
def meeting_schedule(
    request: HttpRequest, relationship_id: Id, payload: MeetingScheduleIn
) -> object:
    actor = caller(request)
    meeting = services.meeting_schedule(
        actor=actor,
        relationship_id=relationship_id,
        title=payload.title,
        date=payload.date,
        time=payload.time,
        timezone_name=payload.timezone,
        duration_minutes=payload.duration_minutes,
        location=payload.location,
        video_url=payload.video_url,
        agenda=payload.agenda,
    )
    return Status(201, _fresh(actor, relationship_id, meeting.pk))


@router.get(BASE + "/{meeting_id}", response=MeetingOut, summary="One meeting")
def meeting_get(request: HttpRequest, relationship_id: Id, meeting_id: Id) -> object:
    return _fresh(caller(request), relationship_id, meeting_id)


@router.patch(
    BASE + "/{meeting_id}",
    response=MeetingOut,
    summary="Reschedule or change a meeting (SEQUENCE goes up, both get the update)",
)
def meeting_reschedule(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, payload: MeetingRescheduleIn
) -> object:
    actor = caller(request)
    services.meeting_reschedule(
        actor=actor,
        relationship_id=relationship_id,
        meeting_id=meeting_id,
        title=payload.title,
        date=payload.date,
        time=payload.time,
        timezone_name=payload.timezone,
        duration_minutes=payload.duration_minutes,
        location=payload.location,
        video_url=payload.video_url,
    )
    return _fresh(actor, relationship_id, meeting_id)


@router.post(BASE + "/{meeting_id}/cancel", response=MeetingOut, summary="Cancel a meeting")
def meeting_cancel(request: HttpRequest, relationship_id: Id, meeting_id: Id) -> object:
    actor = caller(request)
    services.meeting_cancel(actor=actor, relationship_id=relationship_id, meeting_id=meeting_id)
    return _fresh(actor, relationship_id, meeting_id)


@router.post(BASE + "/{meeting_id}/held", response=MeetingOut, summary="Record that it happened")
def meeting_held(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, payload: MeetingHeldIn
) -> object:
    actor = caller(request)
    services.meeting_record_held(
        actor=actor, relationship_id=relationship_id, meeting_id=meeting_id, notes=payload.notes
    )
    return _fresh(actor, relationship_id, meeting_id)


@router.put(BASE + "/{meeting_id}/notes", response=MeetingOut, summary="Replace the shared notes")
def meeting_notes(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, payload: MeetingNotesIn
) -> object:
    actor = caller(request)
    services.meeting_notes_update(
        actor=actor,
        relationship_id=relationship_id,
        meeting_id=meeting_id,
        notes=payload.notes,
        base_version=payload.base_version,
    )
    return _fresh(actor, relationship_id, meeting_id)


@router.post(
    BASE + "/{meeting_id}/agenda-items",
    response={201: AgendaItemOut},
    summary="Add a question to the agenda",
)
def agenda_item_add(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, payload: AgendaItemIn
) -> object:
    actor = caller(request)
    item = services.agenda_item_add(
        actor=actor, relationship_id=relationship_id, meeting_id=meeting_id, text=payload.text
    )
    return Status(
        201,
        {"id": item.pk, "text": item.text, "order": item.order, "added_by": _person(actor)},
    )


@router.delete(
    BASE + "/{meeting_id}/agenda-items/{item_id}",
    response={204: None},
    summary="Remove an agenda item (the person who added it)",
)
def agenda_item_remove(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, item_id: Id
) -> object:
    services.agenda_item_remove(
        actor=caller(request),
        relationship_id=relationship_id,
        meeting_id=meeting_id,
        item_id=item_id,
    )
    return Status(204, None)


def checkin_out(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "meeting_id": checkin.meeting_id,
        "user": _person(checkin.user),
        "usefulness": checkin.usefulness,
        "practise_next": checkin.practise_next,
        "action_item_id": checkin.action_item_id,
        "created_at": checkin.created_at,
    }


@router.post(
    BASE + "/{meeting_id}/checkins",
    response={201: CheckInOut},
    summary="Check in after the meeting (once each; can create an action item)",
)
def checkin_submit(
    request: HttpRequest, relationship_id: Id, meeting_id: Id, payload: CheckInIn
) -> object:
    checkin = services.checkin_submit(
        actor=caller(request),
        relationship_id=relationship_id,
        meeting_id=meeting_id,
        usefulness=payload.usefulness,
        practise_next=payload.practise_next,
        create_action=payload.create_action,
    )
    return Status(201, checkin_out(checkin))


@router.get(BASE + "/{meeting_id}/checkins", response=list[CheckInOut], summary="Both check-ins")
def checkin_list(request: HttpRequest, relationship_id: Id, meeting_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return [checkin_out(c) for c in selectors.checkin_list(access=access, meeting_id=meeting_id)]


@router.get(
    BASE + "/{meeting_id}/invite.ics",
    response={200: None},
    summary="The meeting's invitation as an ICS file",
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def meeting_invite(request: HttpRequest, relationship_id: Id, meeting_id: Id) -> HttpResponse:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    meeting = selectors.meeting_get(access=access, meeting_id=meeting_id)
    return ics_response(
        services.meeting_ics(meeting=meeting, base_url=absolute_url("/", request=request)),
        "invite.ics",
    )


def ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- my calendar feed -------------------------------------------------------------------


@router.post(
    "/me/calendar-feed",
    response={201: CalendarFeedOut},
    summary="Create (or replace) my private calendar-feed URL; shown once",
)
def calendar_feed_rotate(request: HttpRequest) -> object:
    actor = caller(request)
    raw = services.calendar_feed_rotate(actor=actor)
    feed = selectors.calendar_feed_get(actor=actor)
    return Status(
        201,
        {
            "url": services.feed_url(raw, base_url=absolute_url("/", request=request)),
            "created_at": feed.created_at if feed else None,
        },
    )


@router.delete("/me/calendar-feed", response={204: None}, summary="Turn my calendar feed off")
def calendar_feed_revoke(request: HttpRequest) -> object:
    services.calendar_feed_revoke(actor=caller(request))
    return Status(204, None)
