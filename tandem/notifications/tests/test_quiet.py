"""Quiet hours: when an email may first go out, in the person's own timezone."""

import datetime

import pytest

from tandem.notifications.quiet import quiet_hours_end

UTC = datetime.UTC


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


@pytest.mark.parametrize(
    ("now", "start", "end", "expected"),
    [
        # overnight window 22:00-07:00 (UTC person)
        ("2030-03-05T21:59:59", "22:00", "07:00", "2030-03-05T21:59:59"),
        ("2030-03-05T22:00:00", "22:00", "07:00", "2030-03-06T07:00:00"),
        ("2030-03-05T23:30:00", "22:00", "07:00", "2030-03-06T07:00:00"),
        ("2030-03-06T00:00:00", "22:00", "07:00", "2030-03-06T07:00:00"),
        ("2030-03-06T06:59:00", "22:00", "07:00", "2030-03-06T07:00:00"),
        ("2030-03-06T07:00:00", "22:00", "07:00", "2030-03-06T07:00:00"),
        ("2030-03-06T12:00:00", "22:00", "07:00", "2030-03-06T12:00:00"),
        # same-day window 12:00-14:00
        ("2030-03-06T11:59:00", "12:00", "14:00", "2030-03-06T11:59:00"),
        ("2030-03-06T12:00:00", "12:00", "14:00", "2030-03-06T14:00:00"),
        ("2030-03-06T13:30:00", "12:00", "14:00", "2030-03-06T14:00:00"),
        ("2030-03-06T14:00:00", "12:00", "14:00", "2030-03-06T14:00:00"),
        # across the year's end
        ("2030-12-31T23:00:00", "22:00", "07:00", "2031-01-01T07:00:00"),
    ],
)
def test_windows_in_utc(now, start, end, expected):
    # when
    until = quiet_hours_end(now=_at(now), timezone_name="UTC", start=_time(start), end=_time(end))
    # then
    assert until == _at(expected)


@pytest.mark.parametrize(("start", "end"), [(None, None), ("07:00", None), (None, "07:00")])
def test_no_window_means_now(start, end):
    # given
    now = _at("2030-03-06T03:00:00")
    # when
    until = quiet_hours_end(
        now=now,
        timezone_name="Europe/Paris",
        start=_time(start) if start else None,
        end=_time(end) if end else None,
    )
    # then
    assert until == now


def test_the_window_is_in_the_persons_timezone():
    # given: 21:30 UTC is 06:30 next morning in Tokyo (UTC+9), inside 22:00-07:00 there
    now = _at("2030-03-05T21:30:00")
    # when
    tokyo = quiet_hours_end(
        now=now, timezone_name="Asia/Tokyo", start=_time("22:00"), end=_time("07:00")
    )
    new_york = quiet_hours_end(
        now=now, timezone_name="America/New_York", start=_time("22:00"), end=_time("07:00")
    )
    # then: Tokyo waits until 07:00 JST (22:00 UTC); New York (16:30 local) is not quiet
    assert tokyo == _at("2030-03-05T22:00:00")
    assert new_york == now


def test_an_unknown_timezone_falls_back_to_utc():
    # when
    until = quiet_hours_end(
        now=_at("2030-03-05T23:00:00"),
        timezone_name="Mars/Olympus_Mons",
        start=_time("22:00"),
        end=_time("07:00"),
    )
    # then
    assert until == _at("2030-03-06T07:00:00")


def test_the_night_clocks_go_forward():
    # given: London springs forward at 01:00 UTC on 31 March 2030 (GMT -> BST); at 23:00 GMT
    now = _at("2030-03-30T23:00:00")
    # when
    until = quiet_hours_end(
        now=now, timezone_name="Europe/London", start=_time("22:00"), end=_time("07:00")
    )
    # then: 07:00 BST is 06:00 UTC (the night is an hour shorter)
    assert until == _at("2030-03-31T06:00:00")


def test_the_night_clocks_go_back():
    # given: London falls back at 01:00 UTC on 27 October 2030 (BST -> GMT); at 22:30 BST
    now = _at("2030-10-26T21:30:00")
    # when
    until = quiet_hours_end(
        now=now, timezone_name="Europe/London", start=_time("22:00"), end=_time("07:00")
    )
    # then: 07:00 GMT is 07:00 UTC (the night is an hour longer)
    assert until == _at("2030-10-27T07:00:00")


def test_an_end_that_does_not_exist_that_night_falls_after_the_jump():
    # given: New York skips 02:00-03:00 on 10 March 2030; quiet 23:00-02:30, now 01:00 EST
    now = _at("2030-03-10T06:00:00")
    # when
    until = quiet_hours_end(
        now=now, timezone_name="America/New_York", start=_time("23:00"), end=_time("02:30")
    )
    # then: 02:30 "EST" = 07:30 UTC = 03:30 EDT, just after the jump
    assert until == _at("2030-03-10T07:30:00")
