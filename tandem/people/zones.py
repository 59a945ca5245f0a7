"""A person's time zone: the one rule for reading it (the reads are `people.selectors`).

A person works in the IANA zone their profile names. Before they have a profile, or when the
name is blank or unknown to this machine's zone database, Tandem uses UTC, everywhere the
zone is used: pages, emails, calendar files, quiet hours, due dates.
"""

import zoneinfo

UTC_NAME = "UTC"


def is_zone(name: str | None) -> bool:
    """Whether `name` is an IANA zone this machine knows ("Europe/London")."""
    if not name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_name_or_utc(name: str | None) -> str:
    """The zone name a person's profile gave, or UTC when it is blank or unknown."""
    return name if name and is_zone(name) else UTC_NAME


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone a person's profile named, or UTC when it is blank or unknown."""
    return zoneinfo.ZoneInfo(zone_name_or_utc(name))
