"""Meeting times between people in different zones: stored in UTC, shown in each person's own.

A person's zone is read by its owner, `people.selectors.profile_timezone_get` (UTC when they
have no profile yet, or its zone is blank or unknown).
"""

import datetime
import zoneinfo

from tandem.core.errors import FieldError, InvalidInput
from tandem.people.zones import UTC_NAME, is_zone


def zone(name: str, *, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The zone called `name`, or InvalidInput on `field`."""
    if not is_zone(name):
        raise InvalidInput.for_field(field, f"'{name}' is not a timezone (e.g. Europe/London).")
    return zoneinfo.ZoneInfo(name)


def start_in_utc(
    *, date: datetime.date, time: datetime.time, timezone_name: str
) -> datetime.datetime:
    """The UTC instant of a wall-clock date and time in `timezone_name`.

    A time the clocks skip (e.g. 02:30 on the night summer time starts) is refused rather
    than silently moved; in the hour that repeats when clocks go back, the first one is meant.
    """
    place = zone(timezone_name)
    wall = datetime.datetime.combine(date, time.replace(tzinfo=None, second=0, microsecond=0))
    local = wall.replace(tzinfo=place)
    instant = local.astimezone(datetime.UTC)
    if instant.astimezone(place).replace(tzinfo=None) != wall:
        message = (
            f"{wall:%H:%M} on {wall:%d %b %Y} does not exist in {timezone_name} "
            "(the clocks change then); pick another time."
        )
        raise InvalidInput(message, errors=[FieldError("time", message)])
    return instant


def in_zone(moment: datetime.datetime, zone_name: str) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name if is_zone(zone_name) else UTC_NAME))


def local_text(moment: datetime.datetime, zone_name: str, *, minutes: int | None = None) -> str:
    """e.g. "Tue 5 May 2026, 14:00-15:00 (Europe/London)" (an en dash); the zone is always named."""
    local = in_zone(moment, zone_name)
    text = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"
    if minutes is not None:
        end = in_zone(moment + datetime.timedelta(minutes=minutes), zone_name)
        text += f"\N{EN DASH}{end:%H:%M}"
    return f"{text} ({zone_name})"
