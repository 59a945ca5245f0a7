"""Meeting times between people in different zones: stored in UTC, shown in each person's own.

A person's zone is read by its owner, `people.selectors.profile_timezone_get` (UTC when they
have no profile yet, or its zone is blank or unknown).
"""

import datetime
import zoneinfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core.errors import FieldError, InvalidInput
from tandem.core.local_time import local_text as core_local_text
from tandem.people.zones import UTC_NAME, is_zone


def zone(name: str, *, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The zone called `name`, or InvalidInput on `field`."""
    if not is_zone(name):
        raise InvalidInput.for_field(
            field, _("'%(name)s' is not a timezone (e.g. Europe/London).") % {"name": name}
        )
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
        message = _(
            "%(time)s on %(date)s does not exist in %(zone)s "
            "(the clocks change then); pick another time."
        ) % {
            "time": f"{wall:%H:%M}",
            "date": formats.date_format(wall, "d M Y"),
            "zone": timezone_name,
        }
        raise InvalidInput(message, errors=[FieldError("time", message)])
    return instant


def in_zone(moment: datetime.datetime, zone_name: str) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name if is_zone(zone_name) else UTC_NAME))


def local_text(moment: datetime.datetime, zone_name: str, *, minutes: int | None = None) -> str:
    """e.g. "Tue 5 May 2026, 14:00-15:00 (Europe/London)" (an en dash); the zone is always named
    (`core.local_time.local_text`, the one format of a time shown to a person)."""
    return core_local_text(moment, zone_name, minutes=minutes)


# When a person usually works, in their own zone. Profiles do not record working hours yet,
# so scheduling assumes these and says so in its warning.
WORKING_DAYS = range(5)  # Monday to Friday
WORKING_START = datetime.time(8, 0)
WORKING_END = datetime.time(18, 0)
WORKING_HOURS_TEXT = gettext_lazy("08:00 to 18:00, Monday to Friday")


def outside_working_hours(moment: datetime.datetime, zone_name: str, *, minutes: int = 0) -> bool:
    """Whether a meeting from `moment` for `minutes` falls, in `zone_name`, outside the usual
    working hours (any part of it: a start before 08:00 or an end after 18:00, or a weekend)."""
    start = in_zone(moment, zone_name)
    end = in_zone(moment + datetime.timedelta(minutes=minutes), zone_name)
    if start.weekday() not in WORKING_DAYS or start.date() != end.date():
        return True
    return start.time() < WORKING_START or end.time() > WORKING_END
