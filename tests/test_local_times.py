"""Every time shown to a person is in their zone, labelled with it, the one way
(`tandem.core.local_time`). Seen broken: the home card said "09:00 UTC" while the meeting page
said "10:00 (Africa/Lagos) — your time"."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.local_time import local_text
from tandem.meetings.tests.factories import schedule
from tandem.meetings.times import in_zone, outside_working_hours
from tandem.people.models import Profile

ROOT = Path(__file__).resolve().parent.parent
# A `|date` whose format shows the hour: in the server's zone (UTC) and unlabelled.
CLOCK_DATE = re.compile(r"\|\s*date\s*:\s*[\"'][^\"']*[HGhgiAa][^\"']*[\"']")


def test_no_template_shows_a_clock_time_but_through_local_time():
    offenders = []
    for path in sorted((ROOT / "tandem").rglob("*.html")):
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if CLOCK_DATE.search(line.replace("date:'c'", "").replace('date:"c"', "")):
                offenders.append(f"{name}:{number}")
    assert offenders == []


def _zone(user, name):
    Profile.objects.filter(user=user).update(timezone=name)


def test_the_home_card_and_the_meeting_page_say_the_same_time(pair, client):
    # given a mentee in Lagos and a meeting at 09:00 UTC
    _zone(pair.mentee, "Africa/Lagos")
    _zone(pair.mentor, "UTC")
    meeting = schedule(pair.relationship, timezone_name="UTC", hour=9)
    client.force_login(pair.mentee)
    expected = local_text(meeting.starts_at, "Africa/Lagos")
    assert "10:00 (Africa/Lagos)" in expected
    # when
    home = client.get(reverse("home")).content.decode()
    detail = client.get(reverse("meetings:detail", args=[pair.relationship.pk, meeting.pk]))
    # then both show 10:00 in Lagos, labelled; neither says 09:00 UTC
    assert expected in home
    assert "09:00 UTC" not in home
    page = detail.content.decode()
    assert local_text(meeting.starts_at, "Africa/Lagos", minutes=60) in page
    assert "09:00" not in page.split('data-testid="meeting-time"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("hour", "mentee_zone", "outside"),
    [
        (10, "Europe/London", False),  # 10:00 for both
        (9, "Africa/Lagos", False),  # 09:00 or 10:00 in Lagos
        (17, "Asia/Tokyo", True),  # 01:00 or 02:00 the next day in Tokyo
        (14, "America/Los_Angeles", True),  # 06:00 (or 07:00) in Los Angeles
    ],
)
def test_the_meeting_page_warns_outside_the_other_persons_working_hours(
    pair, client, hour, mentee_zone, outside
):
    # given the mentor in London schedules a weekday meeting; the mentee works elsewhere
    _zone(pair.mentor, "Europe/London")
    _zone(pair.mentee, mentee_zone)
    days = next(d for d in range(3, 10) if _weekday_in(d) < 5)
    meeting = schedule(pair.relationship, timezone_name="Europe/London", hour=hour, days=days)
    client.force_login(pair.mentor)
    # when
    page = client.get(reverse("meetings:detail", args=[pair.relationship.pk, meeting.pk]))
    html = page.content.decode()
    # then the warning shows exactly when the slot is outside 08:00-18:00 Mon-Fri for them
    expected = outside_working_hours(meeting.starts_at, mentee_zone, minutes=60)
    assert expected is outside
    assert ('data-testid="outside-hours"' in html) is outside
    if expected:
        assert local_text(meeting.starts_at, mentee_zone, minutes=60) in html
        assert local_text(meeting.starts_at, "Europe/London", minutes=60) in html
        assert "08:00 to 18:00, Monday to Friday" in html


def _weekday_in(days: int) -> int:
    return (timezone.localdate() + datetime.timedelta(days=days)).weekday()


ZONES = [
    "UTC",
    "Europe/London",
    "Africa/Lagos",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Asia/Kolkata",
]


# (The machine running the suite may be busy: generation speed is not what is tested.)
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2028, 12, 31)
    ),
    zone=st.sampled_from(ZONES),
    minutes=st.integers(15, 240),
)
def test_outside_working_hours_is_the_rule_it_says(moment, zone, minutes):
    start = moment.replace(tzinfo=datetime.UTC)
    local_start = in_zone(start, zone)
    local_end = in_zone(start + datetime.timedelta(minutes=minutes), zone)
    inside = (
        local_start.weekday() < 5
        and local_start.date() == local_end.date()
        and local_start.time() >= datetime.time(8)
        and local_end.time() <= datetime.time(18)
    )
    assert outside_working_hours(start, zone, minutes=minutes) is (not inside)


@RELAXED
@given(moment=st.datetimes(timezones=st.just(datetime.UTC)), zone=st.sampled_from(ZONES))
def test_a_shown_time_is_the_moment_in_the_zone_named(moment, zone):
    text = local_text(moment, zone)
    local = in_zone(moment, zone)
    assert text.endswith(f", {local:%H:%M} ({zone})")
