from datetime import date, time
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from icalendar import Calendar

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.services import action_item_create
from tandem.meetings.models import AgendaItem, CheckIn, Meeting, MeetingStatus
from tandem.meetings.services import agenda_item_add, calendar_feed_rotate, meeting_record_held
from tandem.meetings.tests.factories import in_days, schedule, started
from tandem.meetings.times import start_in_utc
from tandem.relationships.permissions import relationship_access

HTMX = {"HX-Request": "true"}
PARTIES = {"mentor", "mentee"}


def _state() -> tuple[list, ...]:
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
    )


def _login(client, pair, name):
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)
    return user


def _denied(response, name):
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404


def _pages(pair, meeting):
    args = [pair.relationship.pk, meeting.pk]
    return {
        "list": reverse("meetings:list", args=[pair.relationship.pk]),
        "detail": reverse("meetings:detail", args=args),
        "edit": reverse("meetings:edit", args=args),
        "invite": reverse("meetings:invite", args=args),
    }


@pytest.mark.parametrize("page", ["list", "detail", "edit", "invite"])
@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_pages_matrix(pair, client, name, page):
    # given
    meeting = schedule(pair.relationship, title="Quarterly chat")
    _login(client, pair, name)
    # when
    response = client.get(_pages(pair, meeting)[page])
    # then
    if name in PARTIES:
        assert response.status_code == 200
        if page != "invite":
            assert "Quarterly chat" in response.content.decode()
    else:
        _denied(response, name)


POSTS = [
    ("list", {"title": "T", "date": "", "time": "10:00", "timezone": "UTC"}),
    ("cancel", {}),
    ("held", {}),
    ("notes", {"notes": "Shared"}),
    ("agenda_add", {"text": "Q?"}),
    ("agenda_remove", {}),
    ("checkin", {"usefulness": "4", "practise_next": "x"}),
]


@pytest.mark.parametrize("action", POSTS, ids=lambda a: a[0])
@pytest.mark.parametrize("name", [n for n in PAIR_ACTOR_NAMES if n not in PARTIES])
def test_writes_are_denied_to_everyone_but_the_pair(pair, client, name, action):
    # given
    meeting = started(schedule(pair.relationship))
    item = agenda_item_add(
        actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk, text="Q"
    )
    url_name, data = action
    if url_name == "list":
        data = {**data, "date": str(in_days()[0])}
        url = reverse("meetings:list", args=[pair.relationship.pk])
    elif url_name == "agenda_remove":
        url = reverse("meetings:agenda_remove", args=[pair.relationship.pk, meeting.pk, item.pk])
    else:
        url = reverse(f"meetings:{url_name}", args=[pair.relationship.pk, meeting.pk])
    _login(client, pair, name)
    before = _state()
    # when
    response = client.post(url, data)
    # then
    _denied(response, name)
    assert _state() == before


def test_schedule_form_stores_utc_and_redirects(pair, client):
    # given
    pair.mentee.profile.timezone = "Asia/Kolkata"
    pair.mentee.profile.save(update_fields=["timezone"])
    client.force_login(pair.mentee)
    url = reverse("meetings:list", args=[pair.relationship.pk])
    page = client.get(url).content.decode()
    assert 'value="Asia/Kolkata"' in page  # the form defaults to the viewer's zone
    assert 'data-testid="schedule-meeting"' in page
    # when
    response = client.post(
        url,
        {
            "title": "Planning",
            "date": "2031-02-03",
            "time": "10:00",
            "timezone": "Asia/Kolkata",
            "duration_minutes": "60",
            "location": "",
            "video_url": "",
        },
    )
    # then
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/"
    assert meeting.starts_at.isoformat() == "2031-02-03T04:30:00+00:00"


def test_schedule_form_shows_field_errors(pair, client):
    client.force_login(pair.mentor)
    response = client.post(
        reverse("meetings:list", args=[pair.relationship.pk]),
        {
            "title": "X",
            "date": "2031-02-03",
            "time": "10:00",
            "timezone": "Bad/Zone",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 400
    assert "is not a timezone" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_detail_shows_each_person_their_own_time(pair, client):
    # given the mentor in New York, the mentee in Berlin
    pair.mentor.profile.timezone = "America/New_York"
    pair.mentor.profile.save(update_fields=["timezone"])
    pair.mentee.profile.timezone = "Europe/Berlin"
    pair.mentee.profile.save(update_fields=["timezone"])
    meeting = schedule(
        pair.relationship, date=date(2031, 6, 10), time=time(15, 0), timezone_name="Europe/Berlin"
    )
    url = reverse("meetings:detail", args=[pair.relationship.pk, meeting.pk])
    # when
    client.force_login(pair.mentee)
    as_mentee = client.get(url).content.decode()
    client.force_login(pair.mentor)
    as_mentor = client.get(url).content.decode()
    # then
    assert "Tue 10 Jun 2031, 15:00\N{EN DASH}16:00 (Europe/Berlin)</strong>" in as_mentee
    assert "Tue 10 Jun 2031, 09:00\N{EN DASH}10:00 (America/New_York)</strong>" in as_mentor
    assert "09:00\N{EN DASH}10:00 (America/New_York)" in as_mentee  # the partner's time too


def test_agenda_is_added_with_htmx_and_open_actions_show(pair, client):
    # given
    meeting = schedule(pair.relationship)
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    action_item_create(access=access, title="Practise saying no", owner=pair.mentee, due_on=None)
    client.force_login(pair.mentee)
    url = reverse("meetings:agenda_add", args=[pair.relationship.pk, meeting.pk])
    # when
    response = client.post(url, {"text": "How do I delegate?"}, headers=HTMX)
    empty = client.post(url, {"text": ""}, headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="agenda"')
    assert "How do I delegate?" in html
    assert "Practise saying no" in html
    assert empty.status_code == 200
    assert "is-invalid" in empty.content.decode()
    assert list(AgendaItem.objects.values_list("text", flat=True)) == ["How do I delegate?"]


def test_notes_are_saved_with_htmx(pair, client):
    meeting = schedule(pair.relationship)
    client.force_login(pair.mentor)
    response = client.post(
        reverse("meetings:notes", args=[pair.relationship.pk, meeting.pk]),
        {"notes": "Bring the plan"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.notes == "Bring the plan"


def test_mark_held_then_check_in_through_the_pages(pair, client):
    # given
    meeting = schedule(pair.relationship)
    client.force_login(pair.mentee)
    detail = reverse("meetings:detail", args=[pair.relationship.pk, meeting.pk])
    before_start = client.get(detail).content.decode()
    assert 'data-testid="mark-held"' not in before_start
    assert 'data-testid="submit-checkin"' not in before_start
    started(meeting)
    page = client.get(detail).content.decode()
    assert 'data-testid="mark-held"' in page
    # when
    client.post(reverse("meetings:held", args=[pair.relationship.pk, meeting.pk]))
    page = client.get(detail).content.decode()
    assert 'data-testid="submit-checkin"' in page
    assert '<label class="form-check-label" for="id_usefulness_3">4 — Very useful</label>' in page
    response = client.post(
        reverse("meetings:checkin", args=[pair.relationship.pk, meeting.pk]),
        {"usefulness": "4", "practise_next": "Pause before answering", "create_action": "on"},
    )
    # then
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    checkin = CheckIn.objects.get()
    assert (checkin.user, checkin.usefulness, checkin.action_item.title) == (
        pair.mentee,
        4,
        "Pause before answering",
    )
    assert 'data-testid="submit-checkin"' not in client.get(detail).content.decode()


def test_checkin_without_a_rating_shows_the_error(pair, client):
    meeting = started(schedule(pair.relationship))
    client.force_login(pair.mentor)
    response = client.post(
        reverse("meetings:checkin", args=[pair.relationship.pk, meeting.pk]), {"usefulness": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_pages_keep_a_query_budget(pair, client, django_assert_max_num_queries):
    # given several meetings with agendas and a held one with check-ins
    for days in range(2, 8):
        meeting = schedule(pair.relationship, days=days)
        for text in ("a", "b"):
            agenda_item_add(
                actor=pair.mentor,
                relationship_id=pair.relationship.pk,
                meeting_id=meeting.pk,
                text=text,
            )
    held = started(schedule(pair.relationship, days=1))
    meeting_record_held(actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=held.pk)
    client.force_login(pair.mentor)
    # when / then
    with django_assert_max_num_queries(12):
        assert client.get(reverse("meetings:list", args=[pair.relationship.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("meetings:detail", args=[pair.relationship.pk, meeting.pk]))
        assert response.status_code == 200


def test_feed_page_creates_shows_once_and_revokes(pair, client):
    # given
    schedule(pair.relationship, title="Feed me")
    client.force_login(pair.mentor)
    # when
    created = client.post(reverse("meetings:feed_rotate"), headers=HTMX).content.decode()
    url = created.split('data-testid="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    # then
    assert client.get(reverse("meetings:feed_settings")).content.decode().count(url) == 0
    client.logout()
    assert client.get(path).status_code == 200
    assert b"SUMMARY:Feed me" in client.get(path).content
    client.force_login(pair.mentor)
    client.post(reverse("meetings:feed_revoke"), headers=HTMX)
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get(reverse("meetings:feed", args=["tcf_unknown"])).status_code == 404


def test_feed_lists_only_the_owners_meetings(pair, client, django_assert_max_num_queries):
    # given
    for days in range(2, 6):
        schedule(pair.relationship, days=days, title=f"Ours {days}")
    schedule(pair.other_relationship, title="Theirs")
    raw = calendar_feed_rotate(actor=pair.mentee)
    # when
    with django_assert_max_num_queries(4):
        response = client.get(reverse("meetings:feed", args=[raw]))
    # then
    calendar = Calendar.from_ical(response.content)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Ours 2",
        "Ours 3",
        "Ours 4",
        "Ours 5",
    ]


class _FormValues(HTMLParser):
    """What a browser would post back from a page's form, untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in {"submit", "checkbox", "radio"}:
            self.values[name] = found.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


@pytest.mark.parametrize("name", sorted(PARTIES))
def test_the_edit_form_posts_back_what_it_shows(pair, client, name):
    # given a meeting on a day whose number is above 12 (a dd/mm date reads as no date)
    day = in_days(40)[0].replace(day=13)
    meeting = schedule(pair.relationship, date=day, time=time(10, 30), days=0)
    _login(client, pair, name)
    url = _pages(pair, meeting)["edit"]
    # when the page is posted back with only the title changed
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    assert parser.values["date"] == day.isoformat()
    assert parser.values["time"] == "10:30"
    response = client.post(url, {**parser.values, "title": "Moved chat"})
    # then the meeting keeps its time and takes the new title
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Moved chat"
    assert meeting.starts_at == start_in_utc(
        date=day, time=time(10, 30), timezone_name="Europe/London"
    )
