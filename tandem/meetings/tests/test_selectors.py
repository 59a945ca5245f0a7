import datetime

from tandem.meetings import selectors, services
from tandem.meetings.tests.factories import schedule, started
from tandem.relationships.permissions import relationship_access


def _access(pair, user):
    return relationship_access(actor=user, relationship_id=pair.relationship.pk)


def test_panel_without_meetings_suggests_the_first(pair, django_assert_max_num_queries):
    access = _access(pair, pair.mentee)
    with django_assert_max_num_queries(3):
        panel = selectors.meetings_panel(access=access)
    assert panel["next_meeting"] is None
    assert panel["next_items"] == [
        {
            "text": "Schedule your first meeting",
            "url": f"/relationships/{pair.relationship.pk}/meetings/",
            "due": None,
            "overdue": False,
        }
    ]


def test_panel_shows_the_next_meeting_in_my_time_and_owed_checkins(
    pair, django_assert_max_num_queries
):
    # given a held meeting the mentor checked in on, and the next one
    pair.mentee.profile.timezone = "Asia/Tokyo"
    pair.mentee.profile.save(update_fields=["timezone"])
    held = started(schedule(pair.relationship, title="Last time"))
    services.meeting_record_held(
        actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=held.pk
    )
    services.checkin_submit(
        actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=held.pk, usefulness=4
    )
    upcoming = schedule(
        pair.relationship,
        title="Next time",
        date=datetime.date(2031, 3, 4),
        time=datetime.time(23, 0),
        timezone_name="UTC",
    )
    base = f"/relationships/{pair.relationship.pk}/meetings/"
    # when
    with django_assert_max_num_queries(3):
        mentee_panel = selectors.meetings_panel(access=_access(pair, pair.mentee))
    mentor_panel = selectors.meetings_panel(access=_access(pair, pair.mentor))
    # then
    assert mentee_panel["next_items"] == [
        {
            "text": "Next meeting: Next time, Wed 5 Mar 2031, 08:00 (Asia/Tokyo)",
            "url": f"{base}{upcoming.pk}/",
            "due": datetime.date(2031, 3, 5),
            "overdue": False,
        },
        {
            "text": "Check in after “Last time”",
            "url": f"{base}{held.pk}/#checkin",
            "due": None,
            "overdue": False,
        },
    ]
    assert [item["text"] for item in mentor_panel["next_items"]] == [
        "Next meeting: Next time, Tue 4 Mar 2031, 23:00 (Europe/London)"
    ]
    assert selectors.next_meeting(relationship=pair.relationship) == upcoming


def test_signals_are_counts_and_ratings_only(pair, django_assert_max_num_queries):
    # given two held meetings with three check-ins, one upcoming meeting
    held = []
    for hours in (30, 5):
        meeting = started(schedule(pair.relationship), hours_ago=hours)
        services.meeting_record_held(
            actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk
        )
        held.append(meeting)
    for meeting, user, rating in [
        (held[0], pair.mentor, 3),
        (held[0], pair.mentee, 4),
        (held[1], pair.mentee, 5),
    ]:
        services.checkin_submit(
            actor=user,
            relationship_id=pair.relationship.pk,
            meeting_id=meeting.pk,
            usefulness=rating,
            practise_next="private-ish line",
        )
    upcoming = schedule(pair.relationship, days=4)
    held[1].refresh_from_db()
    ids = [pair.relationship.pk, pair.other_relationship.pk]
    # when
    with django_assert_max_num_queries(2):
        signals = selectors.meeting_signals_by_relationship(relationship_ids=ids)
    # then
    assert signals == {
        pair.relationship.pk: {
            "held_count": 2,
            "last_held_at": held[1].held_at,
            "next_starts_at": upcoming.starts_at,
            "average_usefulness": 4.0,
        },
        pair.other_relationship.pk: {
            "held_count": 0,
            "last_held_at": None,
            "next_starts_at": None,
            "average_usefulness": None,
        },
    }


def test_after_a_held_meeting_the_panel_asks_for_the_next_one(pair):
    # given a meeting that was held and checked in on by the viewer
    from django.utils import timezone

    from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
    from tandem.meetings.selectors import meetings_panel
    from tandem.relationships.permissions import relationship_access

    meeting = Meeting.objects.create(
        relationship=pair.relationship,
        title="First chat",
        starts_at=timezone.now() - timezone.timedelta(days=2),
        timezone="UTC",
        duration_minutes=45,
        status=MeetingStatus.HELD,
        created_by=pair.mentor,
        held_at=timezone.now() - timezone.timedelta(days=2),
    )
    CheckIn.objects.create(meeting=meeting, user=pair.mentor, usefulness=4)
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    panel = meetings_panel(access=access)
    # then
    assert [item["text"] for item in panel["next_items"]] == ["Schedule your next meeting"]
