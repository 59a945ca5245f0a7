import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from conftest import start_relationship
from tandem.accounts.tests.factories import UserFactory
from tandem.actions.models import ActionItem
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.meetings import services
from tandem.meetings.models import AgendaItem, CalendarFeedToken, CheckIn, Meeting, MeetingStatus
from tandem.meetings.tests.factories import in_days, schedule, started
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import ProgramFormat
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.services import relationship_transition


def _state() -> tuple[list, list, list, list]:
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
    )


def _calendar(message) -> Calendar:
    (attachment,) = message.attachments
    filename, content, _mimetype = attachment
    assert filename == "invite.ics"
    return Calendar.from_ical(content)


def _set_zone(user, name):
    user.profile.timezone = name
    user.profile.save(update_fields=["timezone"])


def _events(relationship) -> list[tuple[str, str]]:
    return [
        (e.kind, e.summary)
        for e in RelationshipEvent.objects.filter(relationship=relationship).order_by("id")
        if e.kind.startswith("meeting") or e.kind in ("checkin", "action_created")
    ]


def test_schedule_stores_utc_and_invites_both_in_their_own_time(
    pair, django_capture_on_commit_callbacks
):
    # given the mentor in London and the mentee in Tokyo
    _set_zone(pair.mentor, "Europe/London")
    _set_zone(pair.mentee, "Asia/Tokyo")
    day = datetime.date(2031, 1, 14)  # winter: London is UTC+0, Tokyo UTC+9
    # when
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_schedule(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            title="First conversation",
            date=day,
            time=datetime.time(9, 30),
            timezone_name="Europe/London",
            duration_minutes=45,
            location="",
            video_url="https://meet.example.com/xyz",
            agenda=["What do you want from this?", "  "],
        )
    # then
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime.datetime(2031, 1, 14, 9, 30, tzinfo=datetime.UTC)
    assert (meeting.timezone, meeting.sequence, meeting.status, meeting.created_by) == (
        "Europe/London",
        0,
        MeetingStatus.SCHEDULED,
        pair.mentor,
    )
    assert meeting.uid.startswith("meeting-")
    assert meeting.uid.endswith("@tandem")
    assert list(meeting.agenda_items.values_list("text", "order", "added_by")) == [
        ("What do you want from this?", 1, pair.mentor.pk)
    ]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == sorted([pair.mentor.email, pair.mentee.email])
    assert (
        "Tue 14 Jan 2031, 09:30\N{EN DASH}10:15 (Europe/London)"
        in by_address[pair.mentor.email].body
    )
    assert (
        "Tue 14 Jan 2031, 18:30\N{EN DASH}19:15 (Asia/Tokyo)" in by_address[pair.mentee.email].body
    )
    for message in mail.outbox:
        assert message.subject == "Meeting invitation: First conversation"
        assert message.attachments[0][2] == "text/calendar; method=REQUEST; charset=UTF-8"
        calendar = _calendar(message)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "REQUEST"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 0)
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") == meeting.starts_at + datetime.timedelta(minutes=45)
        assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(
            [f"mailto:{pair.mentor.email}", f"mailto:{pair.mentee.email}"]
        )
        assert str(event["ORGANIZER"]) == f"mailto:{pair.mentor.email}"
        assert "What do you want from this?" in str(event["DESCRIPTION"])
        assert f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/" in str(
            event["DESCRIPTION"]
        )
    assert _events(pair.relationship) == [
        (
            "meeting_scheduled",
            f"{pair.mentor.get_full_name()} scheduled “First conversation” for "
            "Tue 14 Jan 2031, 09:30 (Europe/London)",
        )
    ]


def test_schedule_refuses_bad_input_and_changes_nothing(pair):
    # given
    before = _state()
    # when
    with pytest.raises(InvalidInput) as raised:
        services.meeting_schedule(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            title=" ",
            date=in_days()[0],
            time=datetime.time(10),
            timezone_name="Mars/Olympus",
            duration_minutes=2,
            video_url="javascript:alert(1)",
        )
    # then
    assert sorted(e.field for e in raised.value.errors) == [
        "duration_minutes",
        "timezone",
        "title",
        "video_url",
    ]
    assert _state() == before


def test_a_time_the_clocks_skip_is_refused(pair):
    # when 02:30 on the night British Summer Time starts in 2031 (30 March)
    with pytest.raises(InvalidInput, match="does not exist in Europe/London"):
        services.meeting_schedule(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            title="Early",
            date=datetime.date(2031, 3, 30),
            time=datetime.time(1, 30),
            timezone_name="Europe/London",
        )
    # then
    assert Meeting.objects.count() == 0


def test_a_past_time_is_refused(pair):
    with pytest.raises(InvalidInput, match="in the past"):
        services.meeting_schedule(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            title="Late",
            date=timezone.now().date() - datetime.timedelta(days=2),
            time=datetime.time(10),
            timezone_name="UTC",
        )
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("name", ["manager", "admin", "member", "other_mentor", "outsider"])
def test_only_the_pair_schedules(pair, name):
    # given
    before = _state()
    # when
    with pytest.raises(NotFound):
        schedule(pair.relationship, actor=pair.by_name(name))
    # then
    assert _state() == before


def test_a_closed_relationship_takes_no_meetings(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # when
    with pytest.raises(Conflict, match="no longer changed"):
        schedule(pair.relationship)
    # then
    assert Meeting.objects.count() == 0


def test_reschedule_keeps_the_uid_bumps_the_sequence_and_invites_again(
    pair, django_capture_on_commit_callbacks
):
    # given
    meeting = schedule(pair.relationship)
    uid = meeting.uid
    new_day = in_days(10)[0]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            date=new_day,
            time=datetime.time(16, 15),
            timezone_name="America/New_York",
        )
    # then
    meeting.refresh_from_db()
    zone = zoneinfo.ZoneInfo("America/New_York")
    assert meeting.starts_at == datetime.datetime.combine(
        new_day, datetime.time(16, 15), tzinfo=zone
    ).astimezone(datetime.UTC)
    assert (meeting.uid, meeting.sequence, meeting.timezone) == (uid, 1, "America/New_York")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.subject == "Meeting moved: Mentoring conversation"
        event = _calendar(message).walk("VEVENT")[0]
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)
        assert event.decoded("DTSTART") == meeting.starts_at
    assert _events(pair.relationship)[-1][0] == RelationshipEventKind.MEETING_RESCHEDULED


def test_reschedule_with_nothing_changed_sends_nothing(pair, django_capture_on_commit_callbacks):
    # given
    meeting = schedule(pair.relationship)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            title="Mentoring conversation",
        )
    # then
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert mail.outbox == []


def test_cancel_sends_method_cancel_with_the_same_uid(pair, django_capture_on_commit_callbacks):
    # given
    meeting = schedule(pair.relationship)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk
        )
    # then
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    assert meeting.cancelled_at is not None
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.attachments[0][2] == "text/calendar; method=CANCEL; charset=UTF-8"
        calendar = _calendar(message)
        event = calendar.walk("VEVENT")[0]
        assert (str(calendar["METHOD"]), str(event["STATUS"])) == ("CANCEL", "CANCELLED")
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 1)
    # and a cancelled meeting cannot be cancelled, moved or held
    before = _state()
    for call in (services.meeting_cancel, services.meeting_record_held):
        with pytest.raises(Conflict, match="is cancelled"):
            call(actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk)
    with pytest.raises(Conflict, match="is cancelled"):
        services.meeting_reschedule(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            title="Again",
        )
    assert _state() == before


def test_held_only_after_the_start(pair):
    # given
    meeting = schedule(pair.relationship)
    before = _state()
    # when
    with pytest.raises(Conflict, match=r"has not started yet .* once it has started"):
        services.meeting_record_held(
            actor=pair.mentee, relationship_id=pair.relationship.pk, meeting_id=meeting.pk
        )
    # then
    assert _state() == before


def test_held_records_time_and_notes(pair):
    # given
    meeting = started(schedule(pair.relationship))
    # when
    services.meeting_record_held(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes="We talked about delegation.",
    )
    # then
    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes, meeting.notes_updated_by) == (
        MeetingStatus.HELD,
        "We talked about delegation.",
        pair.mentee,
    )
    assert meeting.held_at is not None
    kind, summary = _events(pair.relationship)[-1]
    assert kind == RelationshipEventKind.MEETING_HELD
    assert "delegation" not in summary


def test_notes_are_edited_by_either_person(pair):
    # given
    meeting = schedule(pair.relationship)
    # when
    services.meeting_notes_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes="Prep: bring the org chart",
    )
    services.meeting_notes_update(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes="Prep: bring the org chart and the plan",
    )
    # then
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.notes_updated_by) == (
        "Prep: bring the org chart and the plan",
        pair.mentor,
    )


def test_notes_of_another_pair_are_not_found(pair):
    # given
    meeting = schedule(pair.relationship)
    before = _state()
    # when
    with pytest.raises(NotFound):
        services.meeting_notes_update(
            actor=pair.other_mentor,
            relationship_id=pair.other_relationship.pk,
            meeting_id=meeting.pk,
            notes="mine now",
        )
    # then
    assert _state() == before


def test_agenda_items_are_added_in_order_and_removed_by_their_author(pair):
    # given
    meeting = schedule(pair.relationship)
    # when
    first = services.agenda_item_add(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        text="  How do I give hard feedback? ",
    )
    second = services.agenda_item_add(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        text="Review last week's practice",
    )
    # then
    assert list(meeting.agenda_items.values_list("text", "order", "added_by")) == [
        ("How do I give hard feedback?", 1, pair.mentee.pk),
        ("Review last week's practice", 2, pair.mentor.pk),
    ]
    # and the partner may not remove someone else's question
    with pytest.raises(Forbidden, match="Only the person who added"):
        services.agenda_item_remove(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            item_id=first.pk,
        )
    services.agenda_item_remove(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        item_id=second.pk,
    )
    assert list(meeting.agenda_items.values_list("pk", flat=True)) == [first.pk]


def test_an_empty_agenda_item_is_refused(pair):
    meeting = schedule(pair.relationship)
    with pytest.raises(InvalidInput, match="Write the question"):
        services.agenda_item_add(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            text="   ",
        )
    assert AgendaItem.objects.count() == 0


def test_checkin_before_the_meeting_is_refused(pair):
    # given
    meeting = schedule(pair.relationship)
    before = _state()
    # when
    with pytest.raises(Conflict, match="has not started yet"):
        services.checkin_submit(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            usefulness=4,
        )
    # then
    assert _state() == before


def test_checkin_creates_an_action_due_the_day_before_the_next_meeting(pair):
    # given a meeting that took place and the next one in nine days
    meeting = started(schedule(pair.relationship))
    services.meeting_record_held(
        actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk
    )
    _set_zone(pair.mentee, "UTC")
    following = schedule(pair.relationship, days=9, hour=12, timezone_name="UTC")
    # when
    checkin = services.checkin_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        usefulness=5,
        practise_next="Ask one open question\nin every 1:1",
    )
    # then
    checkin.refresh_from_db()
    assert (checkin.user, checkin.usefulness, checkin.practise_next) == (
        pair.mentee,
        5,
        "Ask one open question in every 1:1",
    )
    action = ActionItem.objects.get()
    assert checkin.action_item == action
    assert (action.title, action.owner, action.due_on, action.status, action.relationship) == (
        "Ask one open question in every 1:1",
        pair.mentee,
        following.starts_at.date() - datetime.timedelta(days=1),
        "open",
        pair.relationship,
    )
    kinds = [kind for kind, _ in _events(pair.relationship)]
    assert kinds[-2:] == ["action_created", "checkin"]


def test_checkin_without_a_next_meeting_is_due_in_two_weeks(pair):
    # given a meeting that has started (not yet marked held)
    meeting = started(schedule(pair.relationship))
    _set_zone(pair.mentor, "UTC")
    # when
    services.checkin_submit(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        usefulness=3,
        practise_next="Listen more",
    )
    # then
    action = ActionItem.objects.get()
    assert (action.owner, action.due_on) == (
        pair.mentor,
        timezone.now().date() + datetime.timedelta(days=14),
    )


def test_checkin_can_skip_the_action_and_is_once_per_person(pair):
    # given
    meeting = started(schedule(pair.relationship))
    services.checkin_submit(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        usefulness=2,
        practise_next="Nothing new",
        create_action=False,
    )
    before = _state()
    # when
    with pytest.raises(Conflict, match="already checked in"):
        services.checkin_submit(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            usefulness=5,
        )
    # then
    assert _state() == before
    assert ActionItem.objects.count() == 0
    assert CheckIn.objects.get().action_item is None


def test_checkin_rating_must_be_1_to_5(pair):
    meeting = started(schedule(pair.relationship))
    with pytest.raises(InvalidInput) as raised:
        services.checkin_submit(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            usefulness=6,
            create_action=True,
        )
    assert sorted(e.field for e in raised.value.errors) == ["practise_next", "usefulness"]
    assert CheckIn.objects.count() == 0


def test_a_flash_programme_uses_the_same_meeting_flow(cast, django_capture_on_commit_callbacks):
    # given a one-off (flash) programme pairing
    program = ProgramFactory(organization=cast.org, format=ProgramFormat.FLASH, managers=[])
    mentor = UserFactory(organization=cast.org)
    mentee = UserFactory(organization=cast.org)
    for user in (mentor, mentee):
        ProfileFactory(user=user)
    relationship = start_relationship(
        ParticipantFactory(program=program, user=mentor, role=ParticipantRole.MENTOR),
        ParticipantFactory(program=program, user=mentee),
    )
    # when the whole flow runs: schedule, hold, both check in
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(relationship, actor=mentee, title="Flash chat")
    started(meeting)
    services.meeting_record_held(
        actor=mentor, relationship_id=relationship.pk, meeting_id=meeting.pk
    )
    for person in (mentor, mentee):
        services.checkin_submit(
            actor=person,
            relationship_id=relationship.pk,
            meeting_id=meeting.pk,
            usefulness=4,
            practise_next=f"Practice for {person.pk}",
        )
    # then
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert len(mail.outbox) == 2
    assert sorted(CheckIn.objects.values_list("user", flat=True)) == sorted([mentor.pk, mentee.pk])
    assert ActionItem.objects.filter(relationship=relationship).count() == 2


def test_calendar_feed_rotate_and_revoke(pair):
    # when
    first = services.calendar_feed_rotate(actor=pair.mentee)
    second = services.calendar_feed_rotate(actor=pair.mentee)
    # then only the digest of the newest is kept
    feed = CalendarFeedToken.objects.get(user=pair.mentee)
    assert first != second
    assert feed.token_hash == services.feed_token_digest(second)
    assert second not in feed.token_hash
    assert services.calendar_feed_revoke(actor=pair.mentee) is True
    assert services.calendar_feed_revoke(actor=pair.mentee) is False
