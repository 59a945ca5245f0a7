import pytest
from django.core import mail

from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import FieldError, InvalidInput
from tandem.notifications.models import Notification, NotificationPreference, OutboxMessage
from tandem.notifications.services import (
    Attachment,
    notification_mark_read,
    notification_preferences_update,
    notification_send,
)
from tandem.notifications.tests.factories import NotificationFactory


def _prefs() -> list[tuple[int, str, str]]:
    return list(
        NotificationPreference.objects.order_by("pk").values_list("user_id", "category", "channel")
    )


@pytest.mark.parametrize(
    ("channel", "emailed", "in_app"),
    [(None, True, True), ("email", True, True), ("in_app", False, True), ("off", False, False)],
)
def test_send_respects_the_preference(
    db, django_capture_on_commit_callbacks, channel, emailed, in_app
):
    # given
    person = UserFactory(email="person@northwind.test")
    if channel is not None:
        notification_preferences_update(actor=person, channels={"meetings": channel})
    # when: the send writes the outbox; on commit the delivery task (run inline in tests)
    # delivers it
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[person],
            category="meetings",
            subject="Meeting on Tuesday",
            body="See you then.",
            url="/relationships/1/meetings/",
            attachments=[Attachment("invite.ics", "BEGIN:VCALENDAR", "text/calendar")],
        )
    # then
    assert list(OutboxMessage.objects.values_list("recipient_id", "status")) == [
        (person.pk, "sent" if emailed else "skipped")
    ]
    assert [message.to for message in mail.outbox] == (
        [["person@northwind.test"]] if emailed else []
    )
    assert list(Notification.objects.values_list("user_id", "title")) == (
        [(person.pk, "Meeting on Tuesday")] if in_app else []
    )
    if emailed:
        message = mail.outbox[0]
        assert message.subject == "Meeting on Tuesday"
        assert "http://" in message.body or "https://" in message.body
        assert "/notifications/preferences/" in message.body
        assert message.attachments[0][0] == "invite.ics"


def test_a_preference_applies_to_its_category_only(db, django_capture_on_commit_callbacks):
    # given
    person = UserFactory()
    notification_preferences_update(actor=person, channels={"messages": "off"})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[person], category="messages", subject="Hi", body="")
        notification_send(recipients=[person], category="goals", subject="Goal", body="")
    # then
    assert list(Notification.objects.values_list("category", flat=True)) == ["goals"]
    assert [message.subject for message in mail.outbox] == ["Goal"]


def test_each_recipient_gets_their_own_channel_and_own_email(
    db, django_capture_on_commit_callbacks
):
    # given
    loud, quiet = UserFactory(email="loud@x.test"), UserFactory(email="quiet@x.test")
    notification_preferences_update(actor=quiet, channels={"feedback": "in_app"})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[loud, quiet], category="feedback", subject="F", body="")
    # then
    assert [message.to for message in mail.outbox] == [["loud@x.test"]]
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(
        [loud.pk, quiet.pk]
    )


def test_no_email_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    # given
    person = UserFactory()
    # when: the callbacks are captured but never run (a rollback discards them)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(recipients=[person], category="goals", subject="G", body="")
    # then: the only callback kicks delivery; until it runs nothing leaves the outbox
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["pending"]


def test_invalid_preference_names_the_field_and_changes_nothing(db):
    # given
    person = UserFactory()
    notification_preferences_update(actor=person, channels={"goals": "in_app"})
    before = _prefs()
    # when
    with pytest.raises(InvalidInput) as raised:
        notification_preferences_update(
            actor=person, channels={"goals": "off", "meetings": "pigeon", "gossip": "email"}
        )
    # then
    assert raised.value.errors == [
        FieldError("gossip", "'gossip' is not a notification category."),
        FieldError("meetings", "'pigeon' is not a channel (email, in_app or off)."),
    ]
    assert _prefs() == before


def test_update_preferences_upserts(db):
    # given
    person = UserFactory()
    notification_preferences_update(actor=person, channels={"goals": "in_app"})
    # when
    notification_preferences_update(actor=person, channels={"goals": "off", "messages": "email"})
    # then
    assert sorted(_prefs()) == sorted(
        [(person.pk, "goals", "off"), (person.pk, "messages", "email")]
    )


def test_mark_read_touches_only_the_callers_notifications(db):
    # given
    me, someone = UserFactory(), UserFactory()
    mine = NotificationFactory(user=me)
    theirs = NotificationFactory(user=someone)
    # when
    marked = notification_mark_read(actor=me, notification_ids=[mine.pk, theirs.pk])
    # then
    assert marked == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=mine.pk).read_at is not None
