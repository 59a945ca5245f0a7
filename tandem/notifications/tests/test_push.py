"""Web push end to end: Tandem encrypts to a subscription whose endpoint is a loopback push
service holding the subscription's private key; the service decrypts (aes128gcm) and checks
the VAPID JWT. Then what happens around it: gone subscriptions, retries and the fallback to
email, the organisation's switch and daily cap, preferences and quiet hours."""

import datetime
import time
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.core.errors import InvalidInput
from tandem.core.links import absolute_url
from tandem.notifications.models import (
    DeliveryChannel,
    Notification,
    NotificationCategory,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    QuietHours,
)
from tandem.notifications.push import vapid_key_pair
from tandem.notifications.selectors import channel_failures_for_org_admin
from tandem.notifications.services import (
    channel_settings_update,
    notification_preferences_update,
    outbox_deliver_batch,
    outbox_enqueue,
    push_subscription_add,
)
from tandem.notifications.tests.push_receiver import PushReceiver

pytestmark = pytest.mark.django_db

SUBJECT = "mailto:ops@tandem.example"


@pytest.fixture
def vapid(settings: object) -> tuple[str, str]:
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY = public  # type: ignore[attr-defined]
    settings.VAPID_PRIVATE_KEY = private  # type: ignore[attr-defined]
    settings.VAPID_SUBJECT = SUBJECT  # type: ignore[attr-defined]
    return public, private


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    service = PushReceiver()
    yield service
    service.close()


def _subscribed(receiver: PushReceiver, *, channel: str = "email", **user: object) -> object:
    person = UserFactory(**user)
    notification_preferences_update(
        actor=person, channels={"messages": channel}, push={"messages": True}
    )
    push_subscription_add(
        actor=person, endpoint=receiver.endpoint(), p256dh=receiver.p256dh, auth=receiver.auth
    )
    return person


def _owe(person: object, key: str = "msg:1") -> None:
    outbox_enqueue(
        key=key,
        rule="message",
        recipient=person,  # type: ignore[arg-type]
        category=NotificationCategory.MESSAGES,
        subject="Sam wrote to you",
        text="See you on Thursday?",
        url="/relationships/7/",
    )


def _push_row(key: str = "msg:1") -> OutboxMessage:
    return OutboxMessage.objects.get(key=f"{key}#push")


def test_push_is_encrypted_to_the_subscription_and_signed_with_vapid(
    vapid: tuple[str, str], receiver: PushReceiver
) -> None:
    person = _subscribed(receiver)
    _owe(person)
    before = time.time()

    report = outbox_deliver_batch(worker_id="w1")

    assert report.sent == 2  # the email and the push
    [got] = receiver.received
    assert got.path == "/push/subscription"
    assert got.payload == {
        "title": "Sam wrote to you",
        "body": "See you on Thursday?",
        "url": absolute_url("/relationships/7/"),
        "tag": "msg:1#push",
    }
    assert got.jwt_valid
    assert got.vapid_key == vapid[0]
    assert got.jwt_claims is not None
    assert got.jwt_claims["aud"] == receiver.origin
    assert got.jwt_claims["sub"] == SUBJECT
    assert before < got.jwt_claims["exp"] <= before + 24 * 3600 + 60
    assert int(got.headers["ttl"]) > 0
    row = _push_row()
    assert (row.status, row.channel, row.attempts) == (OutboxStatus.SENT, "push", 1)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=person).count() == 1


def test_a_signature_by_another_key_is_refused_by_the_check(
    vapid: tuple[str, str], receiver: PushReceiver, settings: object
) -> None:
    # The receiver's check is real: a JWT signed by one key and presented with another fails.
    person = _subscribed(receiver)
    _owe(person)
    settings.VAPID_PUBLIC_KEY = vapid_key_pair()[0]  # type: ignore[attr-defined]
    outbox_deliver_batch(worker_id="w1")
    [got] = receiver.received
    tampered = got.headers["authorization"].replace(got.vapid_key, vapid_key_pair()[0])
    claims, valid, _ = PushReceiver.check_vapid(tampered)
    assert claims is not None
    assert not valid


@pytest.mark.parametrize("answer", [404, 410])
@pytest.mark.parametrize("channel", ["email", "in_app"])
def test_a_gone_subscription_is_deleted_and_the_message_falls_back_to_email_once(
    vapid: tuple[str, str], receiver: PushReceiver, answer: int, channel: str
) -> None:
    receiver.answer = answer
    person = _subscribed(receiver, channel=channel)
    _owe(person)

    outbox_deliver_batch(worker_id="w1")
    outbox_deliver_batch(worker_id="w2")

    assert not PushSubscription.objects.filter(user=person).exists()
    row = _push_row()
    assert row.status == OutboxStatus.FAILED
    emails = OutboxMessage.objects.filter(recipient=person, channel="email").exclude(
        status=OutboxStatus.SKIPPED
    )
    # Who gets email anyway gets exactly that one; who chose in-app gets one fallback email.
    assert emails.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("Sam wrote to you")


def test_a_failing_push_service_is_retried_then_falls_back_to_email(
    vapid: tuple[str, str], receiver: PushReceiver
) -> None:
    receiver.answer = 503
    person = _subscribed(receiver, channel="in_app")
    _owe(person)

    report = outbox_deliver_batch(worker_id="w1")
    assert report.retrying == 1
    row = _push_row()
    assert row.status == OutboxStatus.PENDING
    assert "503" in row.last_error
    assert not OutboxMessage.objects.filter(recipient=person, status=OutboxStatus.PENDING).exclude(
        pk=row.pk
    )
    for attempt in range(row.max_attempts - 1):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox_deliver_batch(worker_id=f"w{attempt + 2}")

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert len(receiver.received) == row.max_attempts
    assert PushSubscription.objects.filter(user=person).exists()  # 503 is not "gone"
    outbox_deliver_batch(worker_id="after")  # the fallback email, due at once
    assert [m.subject for m in mail.outbox] == [mail.outbox[0].subject]
    assert "Sam wrote to you" in mail.outbox[0].subject


def test_without_a_subscribed_browser_the_message_falls_back_to_email(
    vapid: tuple[str, str],
) -> None:
    person = UserFactory()
    notification_preferences_update(
        actor=person, channels={"messages": "in_app"}, push={"messages": True}
    )
    _owe(person)
    outbox_deliver_batch(worker_id="w1")
    assert _push_row().status == OutboxStatus.FAILED
    assert len(mail.outbox) == 1


def test_the_organisation_switch_stops_new_pushes_and_sends_owed_ones_by_email(
    vapid: tuple[str, str], receiver: PushReceiver
) -> None:
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ORG_ADMIN)
    other_admin = UserFactory(role=Role.ORG_ADMIN)
    member = UserFactory(organization=organization)
    person = _subscribed(receiver, channel="in_app", organization=organization)
    _owe(person, "msg:owed")
    channel_settings_update(actor=admin, push_enabled=False)
    _owe(person, "msg:after")

    outbox_deliver_batch(worker_id="w1")

    assert not receiver.received
    assert not OutboxMessage.objects.filter(key="msg:after#push").exists()
    owed = _push_row("msg:owed")
    assert owed.status == OutboxStatus.FAILED
    assert "turned off" in owed.last_error
    assert len(mail.outbox) == 1
    assert [row.pk for row in channel_failures_for_org_admin(actor=admin)] == [owed.pk]
    assert channel_failures_for_org_admin(actor=other_admin) == []
    assert channel_failures_for_org_admin(actor=member) == []


def test_the_daily_cap_keeps_the_rest_in_app(
    vapid: tuple[str, str], receiver: PushReceiver
) -> None:
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ORG_ADMIN)
    channel_settings_update(actor=admin, daily_cap=2)
    person = _subscribed(receiver, channel="in_app", organization=organization)
    for number in range(4):
        _owe(person, f"msg:{number}")

    outbox_deliver_batch(worker_id="w1")

    assert len(receiver.received) == 2
    statuses = sorted(_push_row(f"msg:{n}").status for n in range(4))
    assert statuses == ["sent", "sent", "skipped", "skipped"]
    assert not mail.outbox  # over the cap nothing is emailed: the in-app copies are there
    assert Notification.objects.filter(user=person).count() == 4


@pytest.mark.parametrize("cap", [0, 501])
def test_the_daily_cap_is_bounded_and_only_admins_set_it(cap: int) -> None:
    admin = UserFactory(role=Role.ORG_ADMIN)
    with pytest.raises(InvalidInput):
        channel_settings_update(actor=admin, daily_cap=cap)
    for role in (Role.MEMBER, Role.PROGRAM_MANAGER):
        with pytest.raises(Exception, match="admins"):
            channel_settings_update(actor=UserFactory(role=role), push_enabled=False)


def test_quiet_hours_hold_pushes_too(vapid: tuple[str, str], receiver: PushReceiver) -> None:
    person = _subscribed(receiver, channel="in_app")
    now = timezone.localtime(timezone.now(), datetime.UTC)
    QuietHours.objects.create(
        user=person,
        start=(now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        end=(now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )
    _owe(person)
    outbox_deliver_batch(worker_id="w1")
    assert not receiver.received
    assert _push_row().not_before > timezone.now()


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(channel=st.sampled_from(["email", "in_app", "off"]), push=st.booleans())
def test_each_choice_writes_the_rows_it_promises(
    vapid: tuple[str, str], channel: str, push: bool
) -> None:
    person = UserFactory()
    attempt = notification_preferences_update
    if push and channel == "off":
        with pytest.raises(InvalidInput):
            attempt(actor=person, channels={"messages": channel}, push={"messages": push})
        assert not NotificationPreference.objects.filter(user=person).exists()
        return
    attempt(actor=person, channels={"messages": channel}, push={"messages": push})
    _owe(person, f"msg:{person.pk}")
    rows = dict(OutboxMessage.objects.filter(recipient=person).values_list("channel", "status"))
    assert rows["email"] == ("pending" if channel == "email" else "skipped")
    assert ("push" in rows) == push
    assert Notification.objects.filter(user=person).exists() == (channel != "off")


def test_existing_preferences_keep_their_behaviour() -> None:
    # A preference written before channels became a set has push off: no push row.
    person = UserFactory()
    NotificationPreference.objects.create(user=person, category="messages", channel="in_app")
    _owe(person)
    assert list(
        OutboxMessage.objects.filter(recipient=person).values_list("channel", "status")
    ) == [("email", "skipped")]


def test_turning_a_category_off_turns_its_push_off() -> None:
    person = UserFactory()
    notification_preferences_update(actor=person, channels={}, push={"goals": True})
    notification_preferences_update(actor=person, channels={"goals": "off"})
    assert NotificationPreference.objects.get(user=person, category="goals").push is False


@pytest.mark.parametrize(
    ("endpoint", "allow_private"),
    [
        ("http://push.example.com/x", False),
        ("https://127.0.0.1/x", False),
        ("https://10.0.0.4/x", False),
        ("https://localhost/x", False),
        ("ftp://push.example.com/x", True),
        ("https:///nohost", True),
        ("https://push.example.com/x\nHost: evil", True),
        ("", True),
    ],
)
def test_a_push_endpoint_must_be_a_public_https_url(endpoint: str, allow_private: bool) -> None:
    person = UserFactory()
    with (
        override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=allow_private),
        pytest.raises(InvalidInput) as raised,
    ):
        push_subscription_add(actor=person, endpoint=endpoint, p256dh="BAAA", auth="AAAA")
    assert [error.field for error in raised.value.errors] == ["endpoint"]
    assert not PushSubscription.objects.exists()


def test_subscribing_twice_keeps_one_row_with_the_new_keys() -> None:
    person = UserFactory()
    for auth in ("AAAA", "BBBB"):
        push_subscription_add(
            actor=person, endpoint="https://push.example.com/a", p256dh="BAAA", auth=auth
        )
    assert list(PushSubscription.objects.values_list("auth", flat=True)) == ["BBBB"]


def test_vapid_keys_command_prints_a_usable_pair(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    from py_vapid import Vapid02

    vapid = Vapid02.from_string(lines["VAPID_PRIVATE_KEY"])
    assert vapid.public_key is not None
    assert len(lines["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url without padding
    assert DeliveryChannel.PUSH == "push"


@pytest.mark.parametrize("people", [2, 12])
def test_a_batch_with_pushes_costs_the_same_queries_whatever_its_size(
    people: int, django_assert_max_num_queries: object
) -> None:
    from tandem.notifications.services import OutboxItem, outbox_enqueue_many

    persons = [UserFactory() for _ in range(people)]
    for person in persons[::2]:
        notification_preferences_update(actor=person, channels={}, push={"messages": True})
    items = [
        OutboxItem(
            key=f"batch:{person.pk}",
            rule="message",
            recipient_id=person.pk,
            category=NotificationCategory.MESSAGES,
            subject="Sam wrote to you",
            text="Hello",
        )
        for person in persons
    ]
    # active check, preferences, quiet hours, the switches, one INSERT each for rows and copies
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        outbox_enqueue_many(items)
    assert OutboxMessage.objects.filter(channel="push").count() == len(persons[::2])
