import datetime

import pytest
from django.core import mail
from icalendar import Calendar

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.models import ActionItem
from tandem.meetings.models import AgendaItem, CalendarFeedToken, CheckIn, Meeting
from tandem.meetings.services import agenda_item_add
from tandem.meetings.tests.factories import in_days, schedule, started

PARTIES = {"mentor", "mentee"}


def _state() -> tuple[list, ...]:
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
        list(CalendarFeedToken.objects.order_by("pk").values()),
    )


def _setup(pair, *, past: bool = False) -> tuple[Meeting, AgendaItem]:
    meeting = schedule(pair.relationship)
    item = agenda_item_add(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        text="What next?",
    )
    if past:
        started(meeting)
    return meeting, item


# (method, path template, body, needs a started meeting, status for the pair)
ENDPOINTS = [
    ("get", "{base}", None, False, 200),
    ("post", "{base}", "schedule", False, 201),
    ("get", "{base}/{meeting}", None, False, 200),
    ("patch", "{base}/{meeting}", {"title": "Renamed"}, False, 200),
    ("post", "{base}/{meeting}/cancel", {}, False, 200),
    ("post", "{base}/{meeting}/held", {"notes": "n"}, True, 200),
    ("put", "{base}/{meeting}/notes", {"notes": "Shared"}, False, 200),
    ("post", "{base}/{meeting}/agenda-items", {"text": "Q?"}, False, 201),
    ("delete", "{base}/{meeting}/agenda-items/{item}", None, False, 204),
    ("post", "{base}/{meeting}/checkins", {"usefulness": 4, "practise_next": "X"}, True, 201),
    ("get", "{base}/{meeting}/checkins", None, False, 200),
    ("get", "{base}/{meeting}/invite.ics", None, False, 200),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_authorization_matrix(pair, api_as, name, endpoint):
    # given
    method, template, body, past, allowed = endpoint
    meeting, item = _setup(pair, past=past)
    path = template.format(
        base=f"relationships/{pair.relationship.pk}/meetings", meeting=meeting.pk, item=item.pk
    )
    if body == "schedule":
        date, time = in_days(5)
        body = {"title": "T", "date": str(date), "time": str(time), "timezone": "UTC"}
    actor = pair.by_name(name)
    client = api_as(actor)
    if name == "mentor" and method == "delete":
        client = api_as(pair.mentee)  # only the author removes an agenda item
    before = _state()
    # when
    call = getattr(client, method)
    response = call(path) if body is None else call(path, body)
    # then
    if name in PARTIES:
        assert response.status_code == allowed, response.content
    else:
        assert response.status_code == (401 if name == "anonymous" else 404)
        assert _state() == before


def test_schedule_and_get_show_each_person_their_own_time(pair, api_as):
    # given
    pair.mentor.profile.timezone = "Europe/Paris"
    pair.mentor.profile.save(update_fields=["timezone"])
    pair.mentee.profile.timezone = "America/Los_Angeles"
    pair.mentee.profile.save(update_fields=["timezone"])
    # when
    response = api_as(pair.mentor).post(
        f"relationships/{pair.relationship.pk}/meetings",
        {
            "title": "Kick-off",
            "date": "2031-07-01",
            "time": "17:00",
            "timezone": "Europe/Paris",
            "duration_minutes": 30,
            "location": "Café",
            "video_url": "",
            "agenda": ["Expectations"],
        },
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get()
    assert body == {
        "id": meeting.pk,
        "relationship_id": pair.relationship.pk,
        "title": "Kick-off",
        "status": "scheduled",
        "starts_at": "2031-07-01T15:00:00Z",
        "ends_at": "2031-07-01T15:30:00Z",
        "timezone": "Europe/Paris",
        "my_timezone": "Europe/Paris",
        "my_local_time": "Tue 1 Jul 2031, 17:00\N{EN DASH}17:30 (Europe/Paris)",
        "duration_minutes": 30,
        "location": "Café",
        "video_url": "",
        "sequence": 0,
        "uid": meeting.uid,
        "created_by": {"user_id": pair.mentor.pk, "name": pair.mentor.get_full_name()},
        "held_at": None,
        "cancelled_at": None,
        "notes": "",
        "notes_version": 0,
        "agenda": [
            {
                "id": meeting.agenda_items.get().pk,
                "text": "Expectations",
                "order": 1,
                "added_by": {"user_id": pair.mentor.pk, "name": pair.mentor.get_full_name()},
            }
        ],
    }
    seen_by_mentee = api_as(pair.mentee).get(
        f"relationships/{pair.relationship.pk}/meetings/{meeting.pk}"
    )
    assert seen_by_mentee.json()["my_local_time"] == (
        "Tue 1 Jul 2031, 08:00\N{EN DASH}08:30 (America/Los_Angeles)"
    )


def test_invalid_timezone_is_a_problem_on_the_field(pair, api_as):
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/meetings",
        {"title": "T", "date": "2031-07-01", "time": "10:00", "timezone": "Nowhere/Else"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "timezone", "message": "'Nowhere/Else' is not a timezone (e.g. Europe/London)."}
    ]
    assert Meeting.objects.count() == 0


def test_marking_held_too_early_says_why(pair, api_as):
    meeting = schedule(pair.relationship)
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/meetings/{meeting.pk}/held", {}
    )
    assert response.status_code == 409
    assert "once it has started" in response.json()["detail"]


def test_reschedule_and_cancel_ics_through_the_api(pair, api_as):
    # given
    meeting = schedule(pair.relationship)
    client = api_as(pair.mentee)
    base = f"relationships/{pair.relationship.pk}/meetings/{meeting.pk}"
    # when
    moved = client.patch(base, {"time": "18:45", "duration_minutes": 90})
    after_move = Calendar.from_ical(client.get(base + "/invite.ics").content)
    client.post(base + "/cancel", {})
    response = client.get(base + "/invite.ics")
    after_cancel = Calendar.from_ical(response.content)
    # then
    assert moved.json()["sequence"] == 1
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = after_move.walk("VEVENT")[0]
    assert (str(after_move["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == (
        "REQUEST",
        meeting.uid,
        1,
    )
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=90)
    event = after_cancel.walk("VEVENT")[0]
    assert (str(after_cancel["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == (
        "CANCEL",
        meeting.uid,
        2,
    )


def test_checkin_through_the_api_creates_the_action(pair, api_as):
    # given
    meeting = started(schedule(pair.relationship))
    base = f"relationships/{pair.relationship.pk}/meetings/{meeting.pk}"
    # when
    response = api_as(pair.mentee).post(
        base + "/checkins", {"usefulness": 5, "practise_next": "Summarise before replying"}
    )
    listed = api_as(pair.mentor).get(base + "/checkins")
    # then
    assert response.status_code == 201, response.content
    action = ActionItem.objects.get()
    assert response.json()["action_item_id"] == action.pk
    assert [(c["user"]["user_id"], c["usefulness"], c["practise_next"]) for c in listed.json()] == [
        (pair.mentee.pk, 5, "Summarise before replying")
    ]
    bad = api_as(pair.mentor).post(base + "/checkins", {"usefulness": 0})
    assert bad.status_code == 422


def test_list_is_paginated_within_a_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    for days in range(2, 8):
        meeting = schedule(pair.relationship, days=days)
        for text in ("a", "b"):
            agenda_item_add(
                actor=pair.mentor,
                relationship_id=pair.relationship.pk,
                meeting_id=meeting.pk,
                text=text,
            )
    client = api_as(pair.mentor)
    # when
    with django_assert_max_num_queries(9):
        response = client.get(f"relationships/{pair.relationship.pk}/meetings", {"limit": 4})
    # then
    body = response.json()
    assert body["count"] == 6
    assert [len(m["agenda"]) for m in body["items"]] == [2, 2, 2, 2]


def test_feed_endpoints(pair, api_as, client):
    # given
    schedule(pair.relationship, title="In the feed")
    api = api_as(pair.mentee)
    # when
    created = api.post("me/calendar-feed")
    url = created.json()["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    feed = client.get("/" + path)
    # then
    assert created.status_code == 201
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["In the feed"]
    # when revoked
    assert api.delete("me/calendar-feed").status_code == 204
    # then
    assert client.get("/" + path).status_code == 404
    assert api_as(None).post("me/calendar-feed").status_code == 401
    assert mail.outbox == []  # the feed sends nothing
