import datetime

from icalendar import Calendar

from tandem.meetings import ics

START = datetime.datetime(2026, 5, 5, 13, 0, tzinfo=datetime.UTC)


def _event(**overrides) -> ics.IcsEvent:
    values = {
        "uid": "meeting-1@tandem",
        "sequence": 2,
        "starts_at": START,
        "ends_at": START + datetime.timedelta(minutes=45),
        "summary": "Feedback; practice, and more",
        "stamp": START - datetime.timedelta(days=1),
        "description": "Agenda:\n- How do I say no?\nBackslash \\ here",
        "location": "Room 4, floor 2",
        "url": "https://meet.example.com/abc",
        "organizer": ics.IcsPerson('Ana "the mentor" Silva', "ana@example.com"),
        "attendees": [
            ics.IcsPerson("Ana Silva", "ana@example.com"),
            ics.IcsPerson("Bo; Chen", "bo@example.com"),
        ],
    }
    values.update(overrides)
    return ics.IcsEvent(**values)


def test_a_request_parses_back_with_every_property():
    # when
    text = ics.calendar_text(method=ics.METHOD_REQUEST, events=[_event()])
    # then
    calendar = Calendar.from_ical(text)
    event = calendar.walk("VEVENT")[0]
    assert (str(calendar["METHOD"]), str(calendar["VERSION"]), str(calendar["CALSCALE"])) == (
        "REQUEST",
        "2.0",
        "GREGORIAN",
    )
    assert str(calendar["PRODID"]) == ics.PRODID
    assert str(event["UID"]) == "meeting-1@tandem"
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + datetime.timedelta(minutes=45)
    assert event.decoded("DTSTAMP") == START - datetime.timedelta(days=1)
    assert str(event["SUMMARY"]) == "Feedback; practice, and more"
    assert str(event["DESCRIPTION"]) == "Agenda:\n- How do I say no?\nBackslash \\ here"
    assert str(event["LOCATION"]) == "Room 4, floor 2"
    assert str(event["URL"]) == "https://meet.example.com/abc"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:ana@example.com"
    assert event["ORGANIZER"].params["CN"] == "Ana the mentor Silva"
    attendees = event["ATTENDEE"]
    assert [(str(a), a.params["CN"]) for a in attendees] == [
        ("mailto:ana@example.com", "Ana Silva"),
        ("mailto:bo@example.com", "Bo; Chen"),
    ]


def test_lines_end_in_crlf_and_times_are_utc():
    # when
    text = ics.calendar_text(method=ics.METHOD_PUBLISH, events=[_event()], name="Feed")
    # then
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20260505T130000Z\r\n" in text
    assert "DTEND:20260505T134500Z\r\n" in text
    assert "SUMMARY:Feedback\\; practice\\, and more\r\n" in text


def test_a_long_utf8_description_is_folded_at_75_octets_and_round_trips():
    # given a description of multi-byte characters (2, 3 and 4 octets each)
    description = "Résumé — 日本語のテキスト 🎯 " * 20 + "\nSecond line, with ; and \\"
    # when
    text = ics.calendar_text(method=ics.METHOD_REQUEST, events=[_event(description=description)])
    # then every physical line fits in 75 octets and no character is cut in two
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert sum(1 for line in lines if line.startswith(" ")) > 5
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == description


def test_a_long_ascii_line_is_cut_at_75_octets_then_74_after_the_leading_space():
    # given an ASCII line of 300 characters (the fast path: one octet a character)
    line = "DESCRIPTION:" + "".join(chr(ord("a") + i % 26) for i in range(288))
    # when
    folded = ics.fold(line)
    # then the first line has 75 octets, each continuation a space and 74 more
    lines = folded.split("\r\n")
    assert [len(part) for part in lines] == [75, 75, 75, 75, 4]
    assert all(part.startswith(" ") for part in lines[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(lines)) == line
    assert ics.fold("SUMMARY:short") == "SUMMARY:short"


def test_a_cancellation_says_cancel_and_cancelled():
    # when
    text = ics.calendar_text(
        method=ics.METHOD_CANCEL, events=[_event(sequence=3, status=ics.STATUS_CANCELLED)]
    )
    # then
    calendar = Calendar.from_ical(text)
    event = calendar.walk("VEVENT")[0]
    assert (str(calendar["METHOD"]), str(event["STATUS"]), int(event["SEQUENCE"])) == (
        "CANCEL",
        "CANCELLED",
        3,
    )


def test_a_url_cannot_inject_a_property():
    # when
    text = ics.calendar_text(
        method=ics.METHOD_REQUEST,
        events=[_event(url="https://x.example/\r\nATTENDEE:mailto:evil@example.com")],
    )
    # then
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert len(event["ATTENDEE"]) == 2
    assert "\r\nATTENDEE:mailto:evil" not in text
