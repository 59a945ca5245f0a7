"""Times shown to a person: in their own zone, always labelled with it.

`local_text` (and the `local_time` template filter, a builtin of every template) is the one
format, e.g. "Tue 5 May 2026, 14:00 (Europe/London)", so the home card, the meeting page and
every other page say the same time the same way. Templates pass `viewer_zone`, which
`people.context_processors.viewer_zone` puts in every template's context (read lazily: a page
that shows no time reads nothing). A page's `|date` with an hour in it is a bug:
`tests/test_local_times.py` greps the templates for one.
"""

import datetime
import zoneinfo

from django.utils import timezone


def _zone(name: str | None) -> zoneinfo.ZoneInfo | datetime.tzinfo:
    if not name:
        return timezone.get_current_timezone()
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def zone_label(zone: datetime.tzinfo) -> str:
    """The IANA name of `zone` ("Africa/Lagos"), as people pick it on their profile."""
    return str(getattr(zone, "key", None) or zone)


def local_text(
    moment: datetime.datetime,
    zone_name: str | None = None,
    *,
    minutes: int | None = None,
    with_year: bool = True,
) -> str:
    """e.g. "Tue 5 May 2026, 14:00-15:00 (Europe/London)" (an en dash when `minutes` is
    given): `moment` in `zone_name` (UTC when it is unknown), or in the active zone (UTC)."""
    zone = _zone(zone_name)
    local = moment.astimezone(zone)
    text = f"{local:%a} {local.day} {local:%b}"
    if with_year:
        text += f" {local:%Y}"
    text += f", {local:%H:%M}"
    if minutes is not None:
        end = (moment + datetime.timedelta(minutes=minutes)).astimezone(zone)
        text += f"\N{EN DASH}{end:%H:%M}"
    label = zone_label(local.tzinfo or zone)
    return f"{text} ({label})"
