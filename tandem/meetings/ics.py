"""A small RFC 5545 (iCalendar) writer: plain data in, calendar text out. No Django here.

What calendar clients rely on, and this module keeps:
- lines end with CRLF and are folded at 75 octets (a continuation starts with one space), never
  inside a UTF-8 character (RFC 5545 §3.1);
- TEXT values escape backslash, semicolon, comma and newline (§3.3.11);
- parameter values (CN) are quoted and never contain a double quote or a control character;
- times are written in UTC ("Z"), so no VTIMEZONE is needed;
- an event keeps its UID for life; SEQUENCE grows with every revision (§3.8.7.4), and a
  cancellation is METHOD:CANCEL with the same UID and a higher SEQUENCE (RFC 5546 §3.2.5).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

PRODID = "-//Tandem//Mentoring meetings//EN"
MAX_LINE_OCTETS = 75
CRLF = "\r\n"

METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"
METHOD_PUBLISH = "PUBLISH"
STATUS_CONFIRMED = "CONFIRMED"
STATUS_CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class IcsPerson:
    name: str
    email: str


@dataclass(frozen=True)
class IcsEvent:
    """One VEVENT. Datetimes must be timezone-aware; they are written in UTC."""

    uid: str
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    stamp: datetime.datetime
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: IcsPerson | None = None
    attendees: Sequence[IcsPerson] = field(default_factory=tuple)
    status: str = STATUS_CONFIRMED


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 §3.3.11 writes it."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _parameter(value: str) -> str:
    """A quoted parameter value (§3.2): no DQUOTE and no control characters inside."""
    cleaned = "".join(ch for ch in value if ch != '"' and (ch == "\t" or ord(ch) >= 0x20))
    return f'"{cleaned}"'


def _uri(value: str) -> str:
    """A URI value: a line break or control character would end the property, so drop them."""
    return "".join(ch for ch in value if ord(ch) >= 0x20 and ch != "\x7f")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets, splitting between characters."""
    if line.isascii():
        # One octet a character (most lines): cut by length.
        first, rest = line[:MAX_LINE_OCTETS], line[MAX_LINE_OCTETS:]
        step = MAX_LINE_OCTETS - 1
        return (CRLF + " ").join([first] + [rest[i : i + step] for i in range(0, len(rest), step)])
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the continuation's leading space is an octet too
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def utc_stamp(moment: datetime.datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20260505T130000Z."""
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be timezone-aware")
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _person(prefix: str, person: IcsPerson, extra: str = "") -> str:
    return (
        f"{prefix};CN={_parameter(person.name or person.email)}{extra}:mailto:{_uri(person.email)}"
    )


def _event_lines(event: IcsEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{utc_stamp(event.stamp)}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{_uri(event.url)}")
    if event.organizer is not None:
        lines.append(_person("ORGANIZER", event.organizer))
    for attendee in event.attendees:
        lines.append(
            _person(
                "ATTENDEE",
                attendee,
                ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION",
            )
        )
    lines += [f"STATUS:{event.status}", "TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def calendar_text(*, method: str, events: Sequence[IcsEvent], name: str = "") -> str:
    """A whole VCALENDAR object with `events`, every line folded and CRLF-terminated."""
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
