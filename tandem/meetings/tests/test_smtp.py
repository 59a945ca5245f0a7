"""Invitations go through a real SMTP server (aiosmtpd) started here, and are read back."""

import email
import email.header
import email.policy
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from django.test import override_settings
from icalendar import Calendar

from tandem.meetings.tests.factories import schedule


class _Collect(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_invitations_reach_a_real_smtp_server_with_a_parseable_ics(
    pair, smtp_server, django_capture_on_commit_callbacks
):
    # given
    controller, handler = smtp_server
    # when
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=controller.hostname,
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        meeting = schedule(pair.relationship, title="Über-planning, part 1", agenda=["Goals?"])
    # then
    received = [
        email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
        for m in handler.messages
    ]
    assert sorted(m["To"] for m in received) == sorted([pair.mentor.email, pair.mentee.email])
    for message in received:
        assert str(message["Subject"]) == "Meeting invitation: Über-planning, part 1"
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invite.ics"
        calendar = Calendar.from_ical(part.get_payload(decode=True).decode("utf-8"))
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "REQUEST"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 0)
        assert str(event["SUMMARY"]) == "Über-planning, part 1"
        assert event.decoded("DTSTART") == meeting.starts_at
        assert "Goals?" in str(event["DESCRIPTION"])
