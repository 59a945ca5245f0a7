"""A message that can never be sent fails at once (no retries over hours), whatever the mail
backend; one that only met a passing problem is retried; and the email builder keeps every
subject on one line, so a title stored with a line break still goes out."""

import datetime
import email
import email.policy

import pytest
from django.core import mail
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.accounts.tests.factories import UserFactory
from tandem.core.text import one_line, single_line_problem
from tandem.notifications.emails import outbox_email_build
from tandem.notifications.models import OutboxMessage
from tandem.notifications.services import outbox_deliver_batch, outbox_message_id
from tandem.notifications.tests.smtp import SmtpServer
from tandem.notifications.tests.test_outbox import _due


@pytest.fixture(params=["locmem", "smtp"])
def backend(request):
    """Each test runs against Django's in-memory backend and against a real SMTP server."""
    if request.param == "locmem":
        yield None
        return
    with (
        SmtpServer() as server,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
    ):
        yield server


def _delivered(backend) -> list[email.message.Message]:
    if backend is None:
        return [
            email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default)
            for m in mail.outbox
        ]
    return list(backend.inbox.messages)


def _rows():
    return list(
        OutboxMessage.objects.order_by("id").values_list("status", "attempts", "claimed_by")
    )


UNSENDABLE_RECIPIENTS = [
    "ada@northwind.test\r\nBcc: everyone@example.org",
    "ada@northwind.test\nX-Injected: 1",
    "not an address@@",
    "ada@",
    "@northwind.test",
]


@pytest.mark.parametrize("address", UNSENDABLE_RECIPIENTS, ids=repr)
def test_a_message_that_cannot_be_built_fails_at_once_and_sends_nothing(db, backend, address):
    # given a due message (five attempts allowed) to an address no mail can go to, and a
    # good one after it
    bad = UserFactory(email=address)
    good = UserFactory(email="grace@northwind.test")
    _due(1, bad, prefix="bad", max_attempts=5)
    _due(1, good, prefix="good", max_attempts=5)
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then the bad one is failed after its first attempt, with the reason; the good one is sent
    assert (report.claimed, report.sent, report.failed, report.retrying) == (2, 1, 1, 0)
    assert _rows() == [("failed", 1, ""), ("sent", 1, "w1")]
    failed = OutboxMessage.objects.get(key="bad:0")
    assert failed.sent_at is None
    assert failed.last_error.startswith(("BadHeaderError(", "ValueError("))
    assert [m["To"] for m in _delivered(backend)] == ["grace@northwind.test"]
    # and it is not claimed again
    assert outbox_deliver_batch(worker_id="w2").claimed == 0


@pytest.mark.parametrize(
    ("where", "reply", "outcome"),
    [
        ("rcpt", "550 5.1.1 No such user", ("failed", 1)),
        ("rcpt", "553 5.1.3 Bad recipient address syntax", ("failed", 1)),
        ("rcpt", "450 4.2.1 Mailbox busy", ("pending", 1)),
        ("data", "554 5.7.1 Message rejected", ("failed", 1)),
        ("data", "552 5.3.4 Message too big", ("failed", 1)),
        ("data", "451 4.3.0 Try again later", ("pending", 1)),
    ],
)
def test_a_permanent_smtp_refusal_fails_at_once_and_a_passing_one_is_retried(
    db, where, reply, outcome
):
    # given
    person = UserFactory(email="ada@northwind.test")
    _due(1, person, max_attempts=5)
    with (
        SmtpServer() as server,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
    ):
        if where == "rcpt":
            server.inbox.rcpt_replies["ada@northwind.test"] = reply
        else:
            server.inbox.data_replies.append(reply)
        # when
        report = outbox_deliver_batch(worker_id="w1")
        # then
        row = OutboxMessage.objects.get()
        assert (row.status, row.attempts) == outcome
        assert reply.split()[0] in row.last_error
        assert row.sent_at is None
        assert len(server.inbox) == 0
    if outcome[0] == "failed":
        assert (report.failed, report.retrying) == (1, 0)
        assert row.next_attempt_at <= datetime.datetime.now(datetime.UTC)
    else:
        assert (report.failed, report.retrying) == (0, 1)
        assert row.next_attempt_at > datetime.datetime.now(datetime.UTC)


SUBJECTS = [
    "Meeting moved: Weekly sync\r\nBcc: everyone@example.org",
    "New goal: Lead\nQ3 planning",
    "Milestone\rreached",
    "Goal\u2028achieved",
    "Tab\tand\x0bvertical\x1btab",
]


@pytest.mark.parametrize("subject", SUBJECTS, ids=repr)
def test_a_stored_subject_with_a_line_break_is_sent_on_one_line(db, backend, subject):
    # given a row written before titles were checked (or by a path that forgot)
    person = UserFactory(email="ada@northwind.test")
    _due(1, person, subject=subject)
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then it is sent, its subject one line, and no header was injected
    assert (report.sent, report.failed) == (1, 0)
    (received,) = _delivered(backend)
    assert single_line_problem(str(received["Subject"])) is None
    assert str(received["Subject"]) == one_line(subject)
    assert one_line(subject).split() == subject.replace("\x1b", " ").split()
    assert received["Bcc"] is None
    assert [m["To"] for m in _delivered(backend)] == ["ada@northwind.test"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=st.text(max_size=60), key=st.text(max_size=30))
def test_the_builder_never_lets_a_subject_or_key_break_a_header(db, subject, key):
    # given an unsaved row (its recipient saved) with any subject and key at all
    person = UserFactory.build(pk=1, email="ada@northwind.test")
    row = OutboxMessage(
        key=key,
        rule="test",
        category="reminders",
        recipient=person,
        subject=subject,
        text_body="Body",
        message_id=outbox_message_id("k", "tandem.test"),
    )
    # when
    built = outbox_email_build(row)
    rendered = built.message()
    # then the MIME message renders (no BadHeaderError) and every header is one line
    parsed = email.message_from_bytes(rendered.as_bytes(), policy=email.policy.default)
    assert single_line_problem(str(parsed["Subject"] or "")) is None
    assert parsed["Bcc"] is None
