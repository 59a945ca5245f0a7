"""The outbox: enqueue (preferences, idempotence, quiet hours, bounded queries) and delivery
(content, headers, claiming under a lease, retries with backoff, real SMTP)."""

import datetime
import email
import email.policy
import string
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape as html_escape
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import InvalidInput
from tandem.notifications.emails import TANDEM_BLUE, programme_colour
from tandem.notifications.models import (
    Notification,
    OutboxMessage,
    QuietHours,
    outbox_message_id,
)
from tandem.notifications.services import (
    Attachment,
    OutboxItem,
    OutboxProgram,
    notification_preferences_update,
    outbox_deliver_batch,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_retry,
)
from tandem.notifications.smtp_delivery import SmtpSession
from tandem.notifications.tests.smtp import SmtpServer
from tandem.notifications.unsubscribe import unsubscribe_token
from tandem.people.tests.factories import ProfileFactory

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
NOW = datetime.datetime(2030, 3, 5, 12, 0, tzinfo=datetime.UTC)


def _enqueue(person, key="reminder:meeting-7:1:2030-03-05", **extra):
    fields = {
        "key": key,
        "rule": "meeting_reminder",
        "recipient": person,
        "category": "reminders",
        "subject": "Meeting tomorrow",
        "text": "Your meeting with Ada is tomorrow at 10:00.",
        "url": "/relationships/1/meetings/",
    }
    return outbox_enqueue(**{**fields, **extra})


def _state():
    return (
        list(OutboxMessage.objects.order_by("id").values_list("key", "status")),
        list(Notification.objects.order_by("id").values_list("user_id", "title")),
    )


def _due(count, person, prefix="test", **extra):
    now = timezone.now()
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            **{
                "key": f"{prefix}:{index}",
                "rule": "test",
                "category": "reminders",
                "recipient": person,
                "subject": f"Subject {index}",
                "text_body": f"Body {index}",
                "next_attempt_at": now,
                "not_before": now,
                "message_id": outbox_message_id(f"{prefix}:{index}", "tandem.test"),
                **extra,
            }
        )
        for index in range(count)
    )


# What a caller hands over of the programme an email is about (programs' `program_for_email`).
LEADERSHIP = OutboxProgram(id=41, name="Leadership cohort", colour="#1a7f37")


class FailingBackend:
    """An email backend whose server is down."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")


# --- Enqueue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "status", "in_app", "returned"),
    [
        (None, "pending", True, True),
        ("email", "pending", True, True),
        ("in_app", "skipped", True, False),
        ("off", "skipped", False, False),
    ],
)
def test_enqueue_applies_the_preference(db, channel, status, in_app, returned):
    # given
    person = UserFactory()
    if channel is not None:
        notification_preferences_update(actor=person, channels={"reminders": channel})
    # when
    row = _enqueue(person)
    # then
    assert (row is not None) == returned
    assert list(OutboxMessage.objects.values_list("key", "status", "recipient_id")) == [
        ("reminder:meeting-7:1:2030-03-05", status, person.pk)
    ]
    assert list(Notification.objects.values_list("user_id", "category", "title", "body")) == (
        [
            (
                person.pk,
                "reminders",
                "Meeting tomorrow",
                "Your meeting with Ada is tomorrow at 10:00.",
            )
        ]
        if in_app
        else []
    )
    if not returned:
        # a skipped row keeps the key only, never the content
        assert list(OutboxMessage.objects.values_list("text_body", "attachments")) == [("", [])]


@pytest.mark.parametrize("channel", ["email", "in_app", "off"])
def test_a_second_enqueue_with_the_same_key_does_nothing(db, channel):
    # given
    person = UserFactory()
    notification_preferences_update(actor=person, channels={"reminders": channel})
    _enqueue(person)
    before = _state()
    # when
    again = _enqueue(person, subject="Meeting tomorrow (again)")
    # then
    assert again is None
    assert _state() == before


def test_enqueue_ignores_inactive_people_and_refuses_unknown_categories(db):
    # given
    gone = UserFactory(is_active=False)
    person = UserFactory()
    # when
    inactive = _enqueue(gone)
    with pytest.raises(InvalidInput) as raised:
        _enqueue(person, category="gossip")
    # then
    assert inactive is None
    assert raised.value.errors[0].field == "category"
    assert _state() == ([], [])


def test_enqueue_many_leaves_out_deactivated_accounts_given_by_id(db):
    # given: the batch path takes ids, so the outbox itself must look the accounts up
    gone, person = UserFactory(is_active=False), UserFactory()
    items = [
        OutboxItem(
            key=f"inactive:rel-1:{p.pk}:2030-01-01",
            rule="inactive",
            recipient_id=p.pk,
            category="nudges",
            subject="It has been quiet",
            text="Plan your next meeting.",
        )
        for p in (gone, person)
    ]
    # when
    enqueued = outbox_enqueue_many(items)
    # then
    assert enqueued == 1
    assert list(OutboxMessage.objects.values_list("recipient_id", flat=True)) == [person.pk]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [person.pk]


def test_enqueue_stores_the_row_for_delivery(db):
    # given
    person = UserFactory()
    # when
    with freeze_time(NOW):
        row = _enqueue(
            person,
            program=LEADERSHIP,
            attachments=[
                Attachment("invite.ics", ICS, "text/calendar; method=REQUEST"),
                Attachment("logo.bin", b"\x00\x01", "application/octet-stream"),
            ],
            html="<p>Your meeting is <strong>tomorrow</strong>.</p>",
        )
    # then
    assert row is not None
    stored = OutboxMessage.objects.get()
    assert (
        stored.rule,
        stored.category,
        stored.program_id,
        stored.program_name,
        stored.program_colour,
        stored.url,
    ) == (
        "meeting_reminder",
        "reminders",
        41,
        "Leadership cohort",
        "#1a7f37",
        "/relationships/1/meetings/",
    )
    assert (stored.next_attempt_at, stored.not_before, stored.attempts) == (NOW, NOW, 0)
    assert stored.message_id == outbox_message_id(stored.key, "127.0.0.1")
    assert stored.attachments == [
        {
            "filename": "invite.ics",
            "mimetype": "text/calendar; method=REQUEST",
            "content": ICS,
            "encoding": "text",
        },
        {
            "filename": "logo.bin",
            "mimetype": "application/octet-stream",
            "content": "AAE=",
            "encoding": "base64",
        },
    ]


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # 23:30 in Paris (UTC+1 in March) is quiet until 07:00 Paris = 06:00 UTC
        ("Europe/Paris", "2030-03-05T22:30:00+00:00", "2030-03-06T06:00:00+00:00"),
        # the same moment is 17:30 in New York: not quiet
        ("America/New_York", "2030-03-05T22:30:00+00:00", "2030-03-05T22:30:00+00:00"),
    ],
)
def test_enqueue_waits_for_the_end_of_quiet_hours_in_the_persons_timezone(db, zone, now, expected):
    # given
    person = UserFactory()
    ProfileFactory(user=person, timezone=zone)
    QuietHours.objects.create(user=person, start=datetime.time(22), end=datetime.time(7))
    # when
    with freeze_time(now):
        _enqueue(person)
    # then
    row = OutboxMessage.objects.get()
    assert row.not_before == datetime.datetime.fromisoformat(expected)
    assert Notification.objects.count() == 1  # the in-app copy does not wait


def _selects(captured):
    return sum(1 for query in captured if query["sql"].startswith("SELECT"))


def test_enqueue_many_takes_the_same_queries_for_ten_or_sixty(db):
    # given
    people = [UserFactory() for _ in range(60)]
    for person in people[::3]:
        notification_preferences_update(actor=person, channels={"nudges": "in_app"})
    for person in people[::7]:
        QuietHours.objects.create(user=person, start=datetime.time(23), end=datetime.time(6))

    def items(persons, period):
        return [
            OutboxItem(
                key=f"inactive:rel-{p.pk}:{p.pk}:{period}",
                rule="inactive",
                recipient_id=p.pk,
                category="nudges",
                subject="It has been quiet",
                text="Plan your next meeting.",
            )
            for p in persons
        ]

    # when
    with CaptureQueriesContext(connection) as ten:
        few = outbox_enqueue_many(items(people[:10], "w1"))
    with CaptureQueriesContext(connection) as sixty:
        many = outbox_enqueue_many(items(people, "w2"))
    again = outbox_enqueue_many(items(people, "w2"))
    # then
    # no query per person, nor per chunk of people: the same statements for 10 and 60
    # (deactivated accounts, preferences, quiet hours, one outbox insert, one insert of in-app
    # copies)
    assert _selects(ten) == _selects(sixty) == 3
    assert len(ten) == len(sixty)
    assert len(sixty) <= 7
    assert (few, many, again) == (6, 40, 0)
    assert OutboxMessage.objects.filter(key__endswith=":w2").count() == 60
    assert Notification.objects.count() == 70


# --- The email ---------------------------------------------------------------------------


def test_the_email_is_multipart_with_the_programme_ics_and_unsubscribe_headers(db):
    # given
    person = UserFactory(email="ada@northwind.test")
    row = _enqueue(
        person,
        program=LEADERSHIP,
        attachments=[Attachment("invite.ics", ICS, "text/calendar")],
    )
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then
    assert (report.claimed, report.sent) == (1, 1)
    (message,) = mail.outbox
    token = unsubscribe_token(user_id=person.pk, category="reminders")
    link = f"http://127.0.0.1:8000/notifications/unsubscribe/{token}/"
    assert message.to == ["ada@northwind.test"]
    assert message.subject == "Meeting tomorrow"
    assert message.extra_headers["Message-ID"] == row.message_id
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{link}>, <mailto:tandem@localhost?subject=unsubscribe%20{token}>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body == (
        "Your meeting with Ada is tomorrow at 10:00.\n\n"
        "http://127.0.0.1:8000/relationships/1/meetings/\n\n--\nLeadership cohort · Tandem\n"
        "You receive this because of your notification settings: "
        "http://127.0.0.1:8000/notifications/preferences/\n"
        f"Stop these emails: {link}\n"
    )
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "Leadership cohort" in html
    assert "background:#1a7f37" in html
    assert TANDEM_BLUE not in html
    assert f'href="{link}"' in html
    assert "<p>Your meeting with Ada is tomorrow at 10:00.</p>" in html
    assert message.attachments == [("invite.ics", ICS, "text/calendar")]
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == row.message_id
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert OutboxMessage.objects.get().status == "sent"


def test_caller_html_is_used_and_the_text_is_escaped_otherwise(db):
    # given
    person = UserFactory()
    _enqueue(person, key="a", html="<p>Rich <em>news</em></p>")
    _enqueue(person, key="b", text="Tom & <Jerry>")
    # when
    outbox_deliver_batch(worker_id="w1")
    # then
    first, second = (message.alternatives[0][0] for message in mail.outbox)
    assert "<p>Rich <em>news</em></p>" in first
    assert "Tom &amp; &lt;Jerry&gt;" in second
    assert "Tandem</td>" in second  # no programme: Tandem's name


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("#aa3300", "#aa3300"),
        ("", TANDEM_BLUE),
        ("red;background:url(https://evil.test)", TANDEM_BLUE),
        ("#AA33001", TANDEM_BLUE),
    ],
)
def test_programme_colour_is_a_plain_hex_colour_or_tandem_blue(colour, expected):
    # then
    assert programme_colour(colour) == expected


def _is_hex_colour(text):
    return len(text) == 7 and text[0] == "#" and all(c in string.hexdigits for c in text[1:])


@hypothesis_settings(max_examples=200, deadline=None)
@given(colour=st.one_of(st.text(max_size=12), st.text(alphabet="#0123456789abcdefABCDEF\n ")))
def test_any_colour_but_a_plain_hex_colour_becomes_tandem_blue(colour):
    # when
    shown = programme_colour(colour)
    # then
    assert shown == (colour if _is_hex_colour(colour) else TANDEM_BLUE)


_NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200
).filter(lambda name: name.strip() == name and name)
_COLOURS = st.one_of(
    st.binary(min_size=3, max_size=3).map(lambda rgb: "#" + rgb.hex()),
    st.sampled_from(["", "red", "#12345", "#1234567", "#aa3300\n", "url(x)"]),
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=_NAMES,
    colour=_COLOURS,
    batch=st.booleans(),
)
def test_the_email_shows_the_programme_it_was_enqueued_with(db, name, colour, batch):
    # given a message about a programme, enqueued one by one or in a batch (the database
    # outlives each example; the mail outbox does not)
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    person = UserFactory()
    program = OutboxProgram(id=7, name=name, colour=colour)
    if batch:
        outbox_enqueue_many(
            [
                OutboxItem(
                    key="k",
                    rule="meeting_reminder",
                    recipient_id=person.pk,
                    category="reminders",
                    subject="Meeting tomorrow",
                    text="See you.",
                    program=program,
                )
            ]
        )
    else:
        _enqueue(person, key="k", text="See you.", program=program)
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then the row keeps the programme (a colour that is not #rrggbb left out, the same on
    # every database); its email shows the name and a safe colour
    assert report.sent == 1
    stored = OutboxMessage.objects.get()
    kept_colour = colour if _is_hex_colour(colour) else ""
    assert (stored.program_id, stored.program_name, stored.program_colour) == (
        7,
        name,
        kept_colour,
    )
    (message,) = mail.outbox
    assert f"\n--\n{name} · Tandem\n" in message.body
    ((html, _),) = message.alternatives
    assert f"background:{kept_colour or TANDEM_BLUE}" in html
    assert html_escape(name) in html


def test_a_message_without_a_programme_is_dressed_as_tandem(db):
    # given
    person = UserFactory()
    _enqueue(person, key="k")
    # when
    outbox_deliver_batch(worker_id="w1")
    # then
    stored = OutboxMessage.objects.get()
    assert (stored.program_id, stored.program_name, stored.program_colour) == (None, "", "")
    (message,) = mail.outbox
    assert "\n--\nTandem\n" in message.body
    ((html, _),) = message.alternatives
    assert f"background:{TANDEM_BLUE}" in html


def test_notification_send_emails_through_the_outbox_once_per_call(
    db, django_capture_on_commit_callbacks
):
    # given
    from tandem.notifications.services import notification_send

    person = UserFactory()
    # when: the same news twice is two messages (each call has its own keys)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[person], category="goals", subject="Goal", body="B")
        notification_send(recipients=[person], category="goals", subject="Goal", body="B")
    # then
    assert [message.subject for message in mail.outbox] == ["Goal", "Goal"]
    assert list(OutboxMessage.objects.values_list("rule", "status")) == [
        ("send", "sent"),
        ("send", "sent"),
    ]


# --- Claiming and retries --------------------------------------------------------------


def test_rows_not_yet_due_or_in_quiet_hours_or_leased_wait(db):
    # given
    person = UserFactory()
    later = timezone.now() + datetime.timedelta(hours=1)
    _due(1, person, prefix="quiet", not_before=later)
    _due(1, person, prefix="later", next_attempt_at=later)
    _due(1, person, prefix="leased", claimed_by="other", claimed_until=later)
    _due(1, person, prefix="failed", status="failed")
    _due(1, person, prefix="sent", status="sent", sent_at=timezone.now())
    _due(1, person)
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then
    assert (report.claimed, report.sent) == (1, 1)
    assert dict(OutboxMessage.objects.values_list("key", "status")) == {
        "quiet:0": "pending",
        "later:0": "pending",
        "leased:0": "pending",
        "failed:0": "failed",
        "sent:0": "sent",
        "test:0": "sent",
    }
    assert len(mail.outbox) == 1


def test_claiming_is_exclusive_sequentially_and_an_expired_lease_is_taken_over(db):
    # given
    person = UserFactory()
    _due(5, person)
    # when
    first = outbox_deliver_batch(worker_id="a", limit=3)
    OutboxMessage.objects.filter(key="test:3").update(
        claimed_by="dead",
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
        status="sending",
        attempts=1,
    )
    second = outbox_deliver_batch(worker_id="b", limit=3)
    third = outbox_deliver_batch(worker_id="c", limit=3)
    # then
    assert [(r.claimed, r.sent) for r in (first, second, third)] == [(3, 3), (2, 2), (0, 0)]
    assert sorted(OutboxMessage.objects.values_list("key", "claimed_by", "attempts")) == [
        ("test:0", "a", 1),
        ("test:1", "a", 1),
        ("test:2", "a", 1),
        ("test:3", "b", 2),
        ("test:4", "b", 1),
    ]
    assert len(mail.outbox) == 5


@pytest.mark.django_db(transaction=True)
def test_two_workers_in_threads_never_claim_the_same_row():
    # given
    person = UserFactory()
    rows = _due(60, person)
    start = threading.Barrier(2)
    errors = []

    def work(worker_id):
        try:
            start.wait()
            while outbox_deliver_batch(worker_id=worker_id, limit=4).claimed:
                pass
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert errors == []
    sent_ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert sorted(sent_ids) == sorted(row.message_id for row in rows)
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == 60
    assert set(OutboxMessage.objects.values_list("claimed_by", flat=True)) <= {"a", "b"}


@override_settings(EMAIL_BACKEND="tandem.notifications.tests.test_outbox.FailingBackend")
def test_failures_retry_with_backoff_then_fail_visibly(db):
    # given
    person = UserFactory()
    _due(1, person, max_attempts=3)
    waits = []
    # when: three attempts, each as soon as it is due again
    reports = []
    for _ in range(3):
        with freeze_time(NOW):
            OutboxMessage.objects.update(next_attempt_at=NOW)
            reports.append(outbox_deliver_batch(worker_id="w1"))
            row = OutboxMessage.objects.get()
            waits.append(row.next_attempt_at - NOW)
    # then
    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert waits[:2] == [datetime.timedelta(minutes=1), datetime.timedelta(minutes=5)]
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.claimed_by, row.sent_at) == ("failed", 3, "", None)
    assert row.last_error == "OSError('Connection refused')"
    # a failed row is not claimed again, until an admin retries it
    assert outbox_deliver_batch(worker_id="w1").claimed == 0
    assert outbox_retry(message_ids=[row.pk]) == 1
    assert OutboxMessage.objects.values_list("status", "attempts").get() == ("pending", 0)


# --- Real SMTP --------------------------------------------------------------------------


@pytest.fixture
def smtp():
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


def test_emails_reach_a_real_smtp_server_and_read_back(db, smtp):
    # given
    person = UserFactory(email="ada@northwind.test")
    row = _enqueue(
        person,
        program=LEADERSHIP,
        attachments=[Attachment("invite.ics", ICS, "text/calendar")],
    )
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then
    assert report.sent == 1
    (received,) = smtp.inbox.messages
    parsed = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    assert smtp.inbox.envelopes == [("tandem@localhost", ["ada@northwind.test"])]
    assert parsed["Message-ID"] == row.message_id
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        parsed["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/notifications/unsub")
    )
    assert parsed.get_body(("plain",)).get_content().startswith("Your meeting with Ada")
    assert "Leadership cohort" in parsed.get_body(("html",)).get_content()
    (ics,) = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert ics.get_payload(decode=True).decode().splitlines() == ICS.splitlines()


def test_a_refusal_at_the_final_dot_is_retried_not_lost(db, smtp):
    # given
    person = UserFactory()
    _due(2, person)
    smtp.inbox.refuse_next = 1
    # when
    report = outbox_deliver_batch(worker_id="w1")
    # then: the refused one goes back to pending; the next message still goes through
    assert (report.sent, report.retrying) == (1, 1)
    assert list(OutboxMessage.objects.order_by("id").values_list("status", "attempts")) == [
        ("pending", 1),
        ("sent", 1),
    ]
    assert "451" in OutboxMessage.objects.get(key="test:0").last_error
    assert len(smtp.inbox) == 1


def test_a_session_whose_commit_says_no_never_completes_the_message(db, smtp):
    # given
    from django.core.mail import EmailMessage, get_connection

    session = SmtpSession(get_connection())
    message = EmailMessage(subject="S", body="B", to=["ada@northwind.test"])
    # when
    refused = session.send(message, commit=lambda: False)
    accepted = session.send(message, commit=lambda: True)
    session.close()
    # then
    assert (refused, accepted) == (False, True)
    assert len(smtp.inbox) == 1
