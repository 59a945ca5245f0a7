"""Quiet hours: when an email may first be delivered to a person, in their own timezone."""

import datetime

from tandem.people.zones import zone_or_utc


def quiet_hours_end(
    *,
    now: datetime.datetime,
    timezone_name: str | None,
    start: datetime.time | None,
    end: datetime.time | None,
) -> datetime.datetime:
    """`now` when it is outside the quiet window [start, end) in the person's timezone, else the
    moment the window ends (an aware datetime). A window with start > end is overnight: it
    crosses midnight (22:00-07:00 covers 23:30 and 06:00). Across a daylight-saving change the
    end is the wall-clock time on that day (an `end` that does not exist that night, e.g. 02:30
    when clocks jump from 02:00 to 03:00, falls just after the jump)."""
    if start is None or end is None or start == end:
        return now
    zone = zone_or_utc(timezone_name)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= clock < end:
            return now
        until_day = local.date()
    elif clock >= start:
        until_day = local.date() + datetime.timedelta(days=1)
    elif clock < end:
        until_day = local.date()
    else:
        return now
    until = datetime.datetime.combine(until_day, end, tzinfo=zone).astimezone(datetime.UTC)
    return max(until, now)
