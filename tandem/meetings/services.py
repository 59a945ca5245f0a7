"""Every write about meetings. Each use case gets the relationship through its guard, runs in
one transaction, records the pair's timeline and sends invitations (with an ICS file) on commit.

Invitations are sent once per person so each body can say the time in that person's own zone;
the ICS file itself is in UTC and the same for both.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from tandem.accounts.languages import language_for
from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.actions.services import action_item_create
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.core.links import absolute_url
from tandem.meetings import ics
from tandem.meetings.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    AgendaItem,
    CalendarFeedToken,
    CheckIn,
    Meeting,
    MeetingStatus,
)
from tandem.meetings.times import in_zone, local_text, start_in_utc, zone
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import Attachment, notification_send
from tandem.people.selectors import profile_timezone_get
from tandem.relationships.models import RelationshipEventKind
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.services import relationship_record_activity
from tandem.webhooks.events import MeetingHeldData
from tandem.webhooks.services import webhook_emit

FEED_TOKEN_PREFIX = "tcf_"  # noqa: S105 - a public marker, not a secret
TITLE_MAX = 200
AGENDA_TEXT_MAX = 500


def meeting_path(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.relationship_id, meeting.pk])


# --- ICS --------------------------------------------------------------------------------


def _ics_event(
    meeting: Meeting, *, agenda: list[str] | None = None, base_url: str | None = None
) -> ics.IcsEvent:
    """The meeting as a VEVENT: agenda and a link in the description, never the notes. The
    link is on `base_url` (the address a download or feed request came to) or `SITE_URL`."""
    relationship = meeting.relationship
    mentor, mentee = relationship.mentor.user, relationship.mentee.user
    if agenda is None:
        agenda = [item.text for item in meeting.agenda_items.all()]
    description = f"Mentoring meeting in {relationship.program.name}."
    if agenda:
        description += "\n\nAgenda:\n" + "\n".join(f"- {text}" for text in agenda)
    description += f"\n\nMeeting page: {absolute_url(meeting_path(meeting), base_url=base_url)}"
    if meeting.video_url:
        description += f"\nVideo link: {meeting.video_url}"
    organiser = meeting.created_by or mentor
    return ics.IcsEvent(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=meeting.title,
        stamp=timezone.now(),
        description=description,
        location=meeting.location or (meeting.video_url and "Video call") or "",
        url=meeting.video_url,
        organizer=ics.IcsPerson(display_name(organiser), organiser.email),
        attendees=[
            ics.IcsPerson(display_name(mentor), mentor.email),
            ics.IcsPerson(display_name(mentee), mentee.email),
        ],
        status=ics.STATUS_CANCELLED
        if meeting.status == MeetingStatus.CANCELLED
        else ics.STATUS_CONFIRMED,
    )


def meeting_ics(*, meeting: Meeting, base_url: str | None = None) -> str:
    """The invitation for `meeting` as it stands: METHOD:CANCEL once cancelled, else REQUEST."""
    method = ics.METHOD_CANCEL if meeting.status == MeetingStatus.CANCELLED else ics.METHOD_REQUEST
    return ics.calendar_text(method=method, events=[_ics_event(meeting, base_url=base_url)])


def meetings_feed_ics(*, meetings: list[Meeting], name: str, base_url: str | None = None) -> str:
    """A person's calendar feed (METHOD:PUBLISH); meetings come with their agenda prefetched."""
    events = [_ics_event(meeting, base_url=base_url) for meeting in meetings]
    return ics.calendar_text(method=ics.METHOD_PUBLISH, events=events, name=name)


# --- invitations ------------------------------------------------------------------------


def _invite(meeting: Meeting, *, actor: User, kind: str, agenda: list[str]) -> None:
    """Send each person of the pair the invitation (or cancellation) in their own time."""
    relationship = meeting.relationship
    cancelled = meeting.status == MeetingStatus.CANCELLED
    method = ics.METHOD_CANCEL if cancelled else ics.METHOD_REQUEST
    calendar = ics.calendar_text(method=method, events=[_ics_event(meeting, agenda=agenda)])
    attachment = Attachment(
        "invite.ics", calendar, f"text/calendar; method={method}; charset=UTF-8"
    )
    for person in (relationship.mentor.user, relationship.mentee.user):
        # Each person reads their invitation in their own language.
        with translation.override(language_for(person)):
            _invite_one(
                meeting, person, actor=actor, kind=kind, agenda=agenda, attachment=attachment
            )


def _invite_one(
    meeting: Meeting,
    person: User,
    *,
    actor: User,
    kind: str,
    agenda: list[str],
    attachment: Attachment,
) -> None:
    relationship = meeting.relationship
    cancelled = meeting.status == MeetingStatus.CANCELLED
    names = {"title": meeting.title}
    subjects = {
        "scheduled": _("Meeting invitation: %(title)s") % names,
        "rescheduled": _("Meeting moved: %(title)s") % names,
        "cancelled": _("Meeting cancelled: %(title)s") % names,
    }
    facts = {
        "actor": display_name(actor),
        "title": meeting.title,
        "program": relationship.program.name,
    }
    openings = {
        "scheduled": _("%(actor)s scheduled “%(title)s” (%(program)s).") % facts,
        "rescheduled": _("%(actor)s rescheduled “%(title)s” (%(program)s).") % facts,
        "cancelled": _("%(actor)s cancelled “%(title)s” (%(program)s).") % facts,
    }
    when = local_text(
        meeting.starts_at, profile_timezone_get(user=person), minutes=meeting.duration_minutes
    )
    lines = [openings[kind]]
    lines.append((_("Was: %(when)s") if cancelled else _("When: %(when)s")) % {"when": when})
    if not cancelled:
        if meeting.location:
            lines.append(_("Where: %(place)s") % {"place": meeting.location})
        if meeting.video_url:
            lines.append(_("Video link: %(url)s") % {"url": meeting.video_url})
        if agenda:
            lines.append(_("Agenda:") + "\n" + "\n".join(f"- {text}" for text in agenda))
        lines.append(_("The attached invite.ics adds it to your calendar."))
    notification_send(
        recipients=[person],
        category=NotificationCategory.MEETINGS,
        subject=subjects[kind],
        body="\n".join(lines),
        url=meeting_path(meeting),
        attachments=[attachment],
    )


# --- validation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Details:
    title: str
    starts_at: datetime.datetime
    timezone_name: str
    duration_minutes: int
    location: str
    video_url: str


def _clean_details(
    *,
    title: str,
    date: datetime.date | None,
    time: datetime.time | None,
    timezone_name: str,
    duration_minutes: int | None,
    location: str,
    video_url: str,
) -> _Details:
    errors: list[FieldError] = []
    title = title.strip()
    if not title:
        errors.append(FieldError("title", _("Give the meeting a title.")))
    elif len(title) > TITLE_MAX:
        errors.append(
            FieldError("title", _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX})
        )
    if date is None:
        errors.append(FieldError("date", _("Choose a date.")))
    if time is None:
        errors.append(FieldError("time", _("Choose a start time.")))
    if duration_minutes is None or not (
        MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES
    ):
        errors.append(
            FieldError(
                "duration_minutes",
                _("A meeting lasts between %(min)d and %(max)d minutes.")
                % {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES},
            )
        )
    location = location.strip()
    if len(location) > 200:
        errors.append(FieldError("location", _("Keep the place under 200 characters.")))
    video_url = video_url.strip()
    if video_url and not video_url.lower().startswith(("https://", "http://")):
        errors.append(FieldError("video_url", _("A video link starts with https://.")))
    elif len(video_url) > 500:
        errors.append(FieldError("video_url", _("Keep the video link under 500 characters.")))
    try:
        zone(timezone_name)
    except InvalidInput as error:
        errors += error.errors
    if errors:
        raise InvalidInput(_("Some of the meeting details are not valid."), errors=errors)
    if date is None or time is None or duration_minutes is None:  # pragma: no cover - above
        raise InvalidInput(_("Some of the meeting details are missing."))
    starts_at = start_in_utc(date=date, time=time, timezone_name=timezone_name)
    return _Details(title, starts_at, timezone_name, duration_minutes, location, video_url)


def _party_access(*, actor: User, relationship_id: int) -> RelationshipAccess:
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    return access


def _meeting_locked(access: RelationshipAccess, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .filter(pk=meeting_id, relationship=access.relationship)
        .first()
    )
    if meeting is None:
        raise NotFound(_("No such meeting."))
    meeting.relationship = access.relationship  # already loaded with both people
    return meeting


def _agenda_texts(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("order", "id").values_list("text", flat=True))


def _when(meeting: Meeting) -> str:
    return local_text(meeting.starts_at, meeting.timezone)


# --- scheduling -------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    relationship_id: int,
    title: str,
    date: datetime.date | None,
    time: datetime.time | None,
    timezone_name: str,
    duration_minutes: int | None = 60,
    location: str = "",
    video_url: str = "",
    agenda: list[str] | None = None,
) -> Meeting:
    """Schedule a meeting of the pair at a wall-clock `date` and `time` in `timezone_name`
    (stored in UTC). Either person may; both get an invitation with an ICS file
    (METHOD:REQUEST). `agenda` lines become its first agenda questions."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    details = _clean_details(
        title=title,
        date=date,
        time=time,
        timezone_name=timezone_name,
        duration_minutes=duration_minutes,
        location=location,
        video_url=video_url,
    )
    if details.starts_at < timezone.now() - datetime.timedelta(minutes=details.duration_minutes):
        raise InvalidInput(
            _("That time is in the past; schedule a meeting that has not happened yet."),
            errors=[FieldError("date", _("That time is in the past."))],
        )
    texts = [text.strip() for text in agenda or [] if text.strip()]
    for text in texts:
        _check_agenda_text(text)
    meeting = Meeting.objects.create(
        relationship=access.relationship,
        title=details.title,
        starts_at=details.starts_at,
        timezone=details.timezone_name,
        duration_minutes=details.duration_minutes,
        location=details.location,
        video_url=details.video_url,
        created_by=actor,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, text=text, added_by=actor, order=index)
        for index, text in enumerate(texts, start=1)
    )
    meeting.relationship = access.relationship
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.MEETING_SCHEDULED,
        summary=f"{display_name(actor)} scheduled “{meeting.title}” for {_when(meeting)}",
    )
    _invite(meeting, actor=actor, kind="scheduled", agenda=texts)
    return meeting


# What each verb reads as in a refusal ("… so it cannot be rescheduled").
_DOING = {
    "reschedule": pgettext_lazy("meeting refusal", "rescheduled"),
    "cancel": pgettext_lazy("meeting refusal", "cancelled"),
    "hold": pgettext_lazy("meeting refusal", "marked as held"),
    "add agenda": pgettext_lazy("meeting refusal", "given new agenda items"),
    "change agenda": pgettext_lazy("meeting refusal", "changed"),
}


def _refusal(refused: Refused) -> str:
    return _("This meeting is %(current)s, so it cannot be %(doing)s.") % {
        "current": refused.current,
        "doing": _DOING[refused.verb],
    }


# The lifecycle, in one table: only a scheduled meeting moves, is cancelled or is held, and only
# its agenda changes; a held or cancelled meeting stays as it is.
MEETING_LIFECYCLE = Lifecycle(
    "meeting",
    [
        (MeetingStatus.SCHEDULED, "reschedule", MeetingStatus.SCHEDULED),
        (MeetingStatus.SCHEDULED, "cancel", MeetingStatus.CANCELLED),
        (MeetingStatus.SCHEDULED, "hold", MeetingStatus.HELD),
        (MeetingStatus.SCHEDULED, "add agenda", MeetingStatus.SCHEDULED),
        (MeetingStatus.SCHEDULED, "change agenda", MeetingStatus.SCHEDULED),
    ],
    # Lazy labels: a refusal words them in the reader's language when it is raised.
    labels=cast("list[tuple[str, str]]", MeetingStatus.choices),
    refusal=_refusal,
)


def _move(meeting: Meeting, verb: str) -> None:
    """Apply `verb` of the lifecycle to the meeting's status, or raise Conflict."""
    meeting.status = MEETING_LIFECYCLE.apply(meeting.status, verb).target


@transaction.atomic
def meeting_reschedule(
    *,
    actor: User,
    relationship_id: int,
    meeting_id: int,
    title: str | None = None,
    date: datetime.date | None = None,
    time: datetime.time | None = None,
    timezone_name: str | None = None,
    duration_minutes: int | None = None,
    location: str | None = None,
    video_url: str | None = None,
) -> Meeting:
    """Change a scheduled meeting (fields left None keep their value; a new date or time is
    read in `timezone_name`, or the meeting's zone). When anything changes, SEQUENCE goes up
    and both people get the updated invitation with the same UID."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    _move(meeting, "reschedule")
    zone_name = timezone_name if timezone_name is not None else meeting.timezone
    current = meeting.starts_at.astimezone(zone(zone_name))
    details = _clean_details(
        title=meeting.title if title is None else title,
        date=current.date() if date is None else date,
        time=current.time() if time is None else time,
        timezone_name=zone_name,
        duration_minutes=meeting.duration_minutes if duration_minutes is None else duration_minutes,
        location=meeting.location if location is None else location,
        video_url=meeting.video_url if video_url is None else video_url,
    )
    changes = {
        "title": details.title,
        "starts_at": details.starts_at,
        "timezone": details.timezone_name,
        "duration_minutes": details.duration_minutes,
        "location": details.location,
        "video_url": details.video_url,
    }
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    if "starts_at" in changed and details.starts_at < timezone.now():
        raise InvalidInput(
            _("That time is in the past; pick a time that has not happened yet."),
            errors=[FieldError("date", _("That time is in the past."))],
        )
    for name in changed:
        setattr(meeting, name, changes[name])
    meeting.sequence += 1
    meeting.save(update_fields=[*changed, "sequence", "updated_at"])
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.MEETING_RESCHEDULED,
        summary=f"{display_name(actor)} changed “{meeting.title}”: now {_when(meeting)}",
    )
    _invite(meeting, actor=actor, kind="rescheduled", agenda=_agenda_texts(meeting))
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, relationship_id: int, meeting_id: int) -> Meeting:
    """Cancel a scheduled meeting: both people get METHOD:CANCEL with the same UID and a
    higher SEQUENCE, which removes it from their calendars."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    _move(meeting, "cancel")
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.MEETING_CANCELLED,
        summary=f"{display_name(actor)} cancelled “{meeting.title}” ({_when(meeting)})",
    )
    _invite(meeting, actor=actor, kind="cancelled", agenda=[])
    return meeting


@transaction.atomic
def meeting_record_held(
    *, actor: User, relationship_id: int, meeting_id: int, notes: str | None = None
) -> Meeting:
    """Record that a scheduled meeting happened (from its start time on), optionally with
    the shared notes. Both people may then check in."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    move = MEETING_LIFECYCLE.apply(meeting.status, "hold")
    now = timezone.now()
    if meeting.starts_at > now:
        raise Conflict(
            _(
                "This meeting has not started yet (it starts %(when)s); "
                "it can be marked as held once it has started."
            )
            % {"when": local_text(meeting.starts_at, profile_timezone_get(user=actor))}
        )
    meeting.status = move.target
    meeting.held_at = now
    fields = ["status", "held_at", "updated_at"]
    if notes is not None and notes != meeting.notes:
        meeting.notes = notes
        meeting.notes_version += 1
        meeting.notes_updated_at = now
        meeting.notes_updated_by = actor
        fields += ["notes", "notes_version", "notes_updated_at", "notes_updated_by"]
    meeting.save(update_fields=fields)
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.MEETING_HELD,
        summary=f"{display_name(actor)} recorded that “{meeting.title}” took place",
    )
    relationship = access.relationship
    webhook_emit(
        organization_id=relationship.program.organization_id,
        event_type="meeting.held",
        data=lambda: MeetingHeldData(
            meeting_id=meeting.pk,
            relationship_id=relationship.pk,
            program_id=relationship.program_id,
            held_at=now,
        ),
    )
    return meeting


class NotesConflict(Conflict):
    """The notes changed since the version an edit started from: nothing was saved. Carries the
    notes as they are now, so the person can see both texts and merge them by hand."""

    def __init__(self, meeting: Meeting) -> None:
        message = _(
            "The notes changed since you started editing. Nothing was overwritten:"
            " compare both texts and save again."
        )
        super().__init__(message, [FieldError("base_version", message)])
        self.current_notes = meeting.notes
        self.current_version = meeting.notes_version


@transaction.atomic
def meeting_notes_update(
    *,
    actor: User,
    relationship_id: int,
    meeting_id: int,
    notes: str,
    base_version: int | None = None,
) -> Meeting:
    """Replace the meeting's shared notes (both people edit them; nobody else reads them).

    `base_version` is the `notes_version` the edit started from. When the notes have changed
    since (the partner saved, or this edit was queued offline), NotesConflict is raised and
    nothing is saved, so neither text is lost. Saving the text the notes already hold succeeds
    whatever the base (a retried request). Without `base_version` the edit replaces the notes
    (the API's callers that do not track versions). The row lock orders concurrent edits.
    """
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled; its notes can no longer change."))
    if len(notes) > 20000:
        raise InvalidInput.for_field("notes", _("Keep the notes under 20,000 characters."))
    if notes == meeting.notes:
        return meeting
    if base_version is not None and base_version != meeting.notes_version:
        raise NotesConflict(meeting)
    meeting.notes = notes
    meeting.notes_version += 1
    meeting.notes_updated_at = timezone.now()
    meeting.notes_updated_by = actor
    meeting.save(
        update_fields=[
            "notes",
            "notes_version",
            "notes_updated_at",
            "notes_updated_by",
            "updated_at",
        ]
    )
    return meeting


# --- agenda -----------------------------------------------------------------------------


def _check_agenda_text(text: str) -> None:
    if not text:
        raise InvalidInput.for_field("text", _("Write the question or topic."))
    if len(text) > AGENDA_TEXT_MAX:
        raise InvalidInput.for_field(
            "text",
            _("Keep an agenda item under %(max)d characters.") % {"max": AGENDA_TEXT_MAX},
        )


@transaction.atomic
def agenda_item_add(*, actor: User, relationship_id: int, meeting_id: int, text: str) -> AgendaItem:
    """Add a question to a scheduled meeting's agenda (either person, ahead of time)."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)  # the lock orders concurrent additions
    _move(meeting, "add agenda")
    text = text.strip()
    _check_agenda_text(text)
    last = meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0
    return AgendaItem.objects.create(meeting=meeting, text=text, added_by=actor, order=last + 1)


@transaction.atomic
def agenda_item_remove(*, actor: User, relationship_id: int, meeting_id: int, item_id: int) -> None:
    """Remove an agenda item of a scheduled meeting; only the person who added it may."""
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        raise NotFound(_("No such agenda item."))
    _move(meeting, "change agenda")
    if item.added_by_id != actor.pk:
        raise Forbidden(_("Only the person who added an agenda item can remove it."))
    item.delete()


# --- check-ins --------------------------------------------------------------------------

CHECKIN_DEFAULT_DAYS = 14


def _action_due_on(meeting: Meeting, owner: User) -> datetime.date:
    """The day before the pair's next scheduled meeting (in the owner's own calendar), or
    two weeks on when none is planned; never before today."""
    now = timezone.now()
    zone_name = profile_timezone_get(user=owner)
    today = in_zone(now, zone_name).date()
    upcoming = (
        Meeting.objects.filter(
            relationship_id=meeting.relationship_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=max(now, meeting.starts_at),
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at", "id")
        .first()
    )
    if upcoming is None:
        return today + datetime.timedelta(days=CHECKIN_DEFAULT_DAYS)
    return max(today, in_zone(upcoming.starts_at, zone_name).date() - datetime.timedelta(days=1))


@transaction.atomic
def checkin_submit(
    *,
    actor: User,
    relationship_id: int,
    meeting_id: int,
    usefulness: int,
    practise_next: str = "",
    create_action: bool | None = None,
) -> CheckIn:
    """The actor's check-in after a meeting (once it is held or has started; once each):
    how useful it was (1 to 5) and one line of what they will practise next.

    With `create_action` (the default when `practise_next` is given) that line becomes an
    action item owned by the actor, due the day before the next scheduled meeting (else in
    two weeks), in the same transaction.
    """
    access = _party_access(actor=actor, relationship_id=relationship_id)
    meeting = _meeting_locked(access, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled; there is nothing to check in about."))
    if meeting.status != MeetingStatus.HELD and meeting.starts_at > timezone.now():
        raise Conflict(
            _("This meeting has not started yet; check in after it (%(when)s).")
            % {"when": local_text(meeting.starts_at, profile_timezone_get(user=actor))}
        )
    errors: list[FieldError] = []
    if not isinstance(usefulness, int) or not 1 <= usefulness <= 5:
        errors.append(FieldError("usefulness", _("Rate how useful it was from 1 to 5.")))
    practise_next = " ".join(practise_next.split())  # one line
    if len(practise_next) > 200:
        errors.append(FieldError("practise_next", _("Keep it to one line (200 characters).")))
    if create_action is None:
        create_action = bool(practise_next)
    if create_action and not practise_next:
        errors.append(
            FieldError("practise_next", _("Say what you will practise to make it an action item."))
        )
    if errors:
        raise InvalidInput(_("The check-in is not complete."), errors=errors)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                meeting=meeting, user=actor, usefulness=usefulness, practise_next=practise_next
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already checked in for this meeting.")) from exc
    if create_action:
        checkin.action_item = action_item_create(
            access=access,
            title=practise_next,
            owner=actor,
            due_on=_action_due_on(meeting, actor),
            created_by=actor,
        )
        checkin.save(update_fields=["action_item"])
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.CHECKIN,
        summary=f"{display_name(actor)} checked in after “{meeting.title}”",
    )
    return checkin


# --- calendar feed ----------------------------------------------------------------------


def feed_token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, actor: User) -> str:
    """Give the actor a new private calendar-feed secret (the old URL stops working).
    Returns the secret; only its digest is kept, so it is shown once."""
    raw = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=actor, defaults={"token_hash": feed_token_digest(raw), "created_at": timezone.now()}
    )
    return raw


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> bool:
    """Turn the actor's calendar feed off. Returns whether there was one."""
    deleted, _ = CalendarFeedToken.objects.filter(user=actor).delete()
    return deleted > 0


def feed_url(raw_token: str, *, base_url: str | None = None) -> str:
    """The absolute URL of a calendar feed, for the person to paste into their calendar app:
    on `base_url` (the address the request came to) or else `SITE_URL`."""
    return absolute_url(reverse("meetings:feed", args=[raw_token]), base_url=base_url)
