"""Delivery through a real HTTP receiver on loopback that verifies signatures with the
standardwebhooks library: signing and rotation, retries with backoff and jitter, failing
visibly, automatic disabling, the SSRF guard, and never twice (leases, threads)."""

import datetime
import random
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.accounts.tests.factories import UserFactory
from tandem.core import outbound as transport
from tandem.notifications.models import OutboxMessage
from tandem.webhooks import delivery
from tandem.webhooks.delivery import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, backoff
from tandem.webhooks.events import PersonDeactivatedData, PersonRef
from tandem.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tandem.webhooks.services import (
    person_deactivated_emit,
    webhook_emit,
    webhook_endpoint_rotate_secret,
)
from tandem.webhooks.tests.factories import endpoint_for
from tandem.webhooks.tests.receiver import Receiver


def _emit(organization_id: int, person_id: int = 7) -> int:
    return person_deactivated_emit(
        organization_id=organization_id,
        person_id=person_id,
        email=f"person{person_id}@northwind.test",
        deactivated_at=timezone.now(),
    )


def _make_due() -> None:
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_real_receiver_verifies_the_signed_call_and_the_log_shows_its_answer(cast):
    with Receiver() as receiver:
        # given
        endpoint, secret = endpoint_for(cast.admin, receiver.url, ["person.deactivated"])
        receiver.secrets = [secret, "whsec_" + "A" * 44]
        assert _emit(cast.org.pk) == 1
        # when
        report = delivery.webhook_deliver_batch(worker_id="w")
    # then
    assert (report.claimed, report.sent) == (1, 1)
    [call] = receiver.calls
    row = WebhookDelivery.objects.get()
    assert call.verified_by == [secret]
    assert call.headers["webhook-id"] == row.event_id
    assert call.headers["content-type"] == "application/json"
    assert call.body == row.body.encode()
    event = call.event
    assert event["type"] == "person.deactivated"
    assert event["version"] == 1
    assert event["organization_id"] == cast.org.pk
    assert event["data"]["person"] == {"id": 7, "email": "person7@northwind.test"}
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 1, 204)
    assert list(WebhookAttempt.objects.values_list("status_code", "error")) == [(204, "")]
    assert WebhookEndpoint.objects.get().consecutive_failures == 0
    assert endpoint.pk == row.endpoint_id


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(cast):
    with Receiver() as receiver:
        # given
        endpoint, old = endpoint_for(cast.admin, receiver.url)
        endpoint, new = webhook_endpoint_rotate_secret(actor=cast.admin, endpoint_id=endpoint.pk)
        receiver.secrets = [old, new]
        # when: within the overlap
        _emit(cast.org.pk, 1)
        delivery.webhook_deliver_batch(worker_id="w")
        # and after it
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_until=timezone.now() - datetime.timedelta(seconds=1)
        )
        _emit(cast.org.pk, 2)
        delivery.webhook_deliver_batch(worker_id="w")
    # then: two signatures, each verified by its secret; then the new one alone
    first, second = receiver.calls
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert first.verified_by == [old, new]
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    assert second.verified_by == [new]
    assert old != new


def test_a_second_rotation_drops_the_oldest_secret_at_once(cast):
    with Receiver() as receiver:
        # given
        endpoint, first = endpoint_for(cast.admin, receiver.url)
        _, second = webhook_endpoint_rotate_secret(actor=cast.admin, endpoint_id=endpoint.pk)
        _, third = webhook_endpoint_rotate_secret(actor=cast.admin, endpoint_id=endpoint.pk)
        receiver.secrets = [first, second, third]
        # when
        _emit(cast.org.pk)
        delivery.webhook_deliver_batch(worker_id="w")
    # then
    assert receiver.calls[0].verified_by == [second, third]


@pytest.mark.parametrize("failures", [1, 2, 4])
def test_a_receiver_that_fails_n_times_is_retried_with_backoff_then_delivered(cast, failures):
    with Receiver(fail_first=failures) as receiver:
        # given
        _, secret = endpoint_for(cast.admin, receiver.url)
        receiver.secrets = [secret]
        _emit(cast.org.pk)
        waits = []
        # when: each attempt, then the clock moved past the backoff
        for attempt in range(1, failures + 2):
            before = timezone.now()
            report = delivery.webhook_deliver_batch(worker_id=f"w{attempt}")
            row = WebhookDelivery.objects.get()
            if attempt <= failures:
                assert (report.retrying, row.status, row.attempts) == (1, "pending", attempt)
                waits.append(((row.next_attempt_at - before).total_seconds(), attempt))
                # not due before its time
                assert delivery.webhook_deliver_batch(worker_id="early").claimed == 0
                _make_due()
    # then: delivered once it answered 2xx, every wait within its jittered window
    assert (row.status, row.attempts, row.last_status_code) == ("sent", failures + 1, 204)
    for seconds, attempt in waits:
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        assert ceiling / 2 - 1 <= seconds <= ceiling + 1
    assert len(set(receiver.ids())) == 1
    assert len(receiver.calls) == failures + 1
    assert all(call.verified_by == [secret] for call in receiver.calls)
    assert list(WebhookAttempt.objects.order_by("id").values_list("status_code", flat=True)) == [
        503
    ] * failures + [204]
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


@given(attempts=st.integers(min_value=1, max_value=40), seed=st.integers())
def test_backoff_is_exponential_capped_and_jittered_within_half_its_ceiling(attempts, seed):
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    wait = backoff(attempts, rng=random.Random(seed)).total_seconds()
    assert ceiling / 2 <= wait <= ceiling


def test_jitter_spreads_endpoints_that_fail_together():
    waits = {backoff(3, rng=random.Random(seed)).total_seconds() for seed in range(50)}
    assert len(waits) == 50


@override_settings(WEBHOOKS_MAX_ATTEMPTS=3, WEBHOOKS_DISABLE_AFTER_FAILURES=100)
def test_after_its_last_attempt_a_delivery_fails_visibly_with_the_code(cast):
    with Receiver(fail_first=10, fail_status=500) as receiver:
        # given
        endpoint_for(cast.admin, receiver.url)
        _emit(cast.org.pk)
        # when
        for attempt in range(3):
            delivery.webhook_deliver_batch(worker_id=f"w{attempt}")
            _make_due()
        report = delivery.webhook_deliver_batch(worker_id="after")
    # then
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, 500)
    assert row.last_error == "HTTP 500"
    assert report.claimed == 0
    assert len(receiver.calls) == 3


@override_settings(WEBHOOKS_DISABLE_AFTER_FAILURES=3)
def test_repeated_failures_disable_the_endpoint_and_email_its_admins_once(cast):
    second_admin = UserFactory(organization=cast.org, role="org_admin")
    with Receiver(fail_first=100) as receiver:
        # given
        endpoint, _ = endpoint_for(cast.admin, receiver.url)
        for person in range(3):
            _emit(cast.org.pk, person)
        # when: three failed attempts in a row, then more owed
        delivery.webhook_deliver_batch(worker_id="w")
        _make_due()
        _emit(cast.org.pk, 99)
        report = delivery.webhook_deliver_batch(worker_id="w2")
    # then
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert endpoint.disabled_reason == "Disabled automatically after 3 failed attempts in a row."
    assert len(receiver.calls) == 3
    assert report.claimed == 0
    assert _emit(cast.org.pk, 100) == 0  # a disabled endpoint is owed nothing new
    emails = OutboxMessage.objects.filter(rule="webhook_disabled")
    assert sorted(emails.values_list("recipient_id", flat=True)) == sorted(
        [cast.admin.pk, second_admin.pk]
    )
    assert all(endpoint.url in row.text_body for row in emails)
    assert mail.outbox == []  # delivered by the email outbox, after commit


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address the guard must refuse
        "::1",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
    ],
)
def test_the_ssrf_guard_refuses_a_host_resolving_to_a_private_address(
    cast, settings, monkeypatch, address
):
    # given: an endpoint on a public name that resolves (also) to a private address
    endpoint, _ = endpoint_for(cast.admin, "https://hooks.example.com/tandem")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(transport, "resolve", lambda host, port: ["93.184.216.34", address])
    connected = []
    monkeypatch.setattr(
        transport.socket, "create_connection", lambda *args, **kwargs: connected.append(args)
    )
    _emit(cast.org.pk)
    # when
    report = delivery.webhook_deliver_batch(worker_id="w")
    # then: never connected; the log says why
    assert connected == []
    assert report.retrying == 1
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused: hooks.example.com resolves to an address")
    assert endpoint.url == "https://hooks.example.com/tandem"


def test_a_public_host_is_called_at_the_address_that_was_checked(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(transport, "resolve", lambda host, port: ["93.184.216.34"])
    assert transport.checked_address("https://hooks.example.com:8443/x") == (
        "hooks.example.com",
        8443,
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    ("url", "allowed_in_production", "allowed_in_development"),
    [
        ("https://hooks.example.com/tandem", True, True),
        ("https://hooks.example.com:8443/tandem?key=1", True, True),
        ("http://hooks.example.com/tandem", False, False),
        ("http://127.0.0.1:8080/hook", False, True),
        ("http://localhost:8080/hook", False, True),
        ("https://localhost/hook", False, True),
        ("https://10.0.0.8/hook", False, True),
        ("https://169.254.169.254/latest/meta-data", False, False),
        ("https://[::1]/hook", False, True),
        ("https://user:pass@hooks.example.com/", False, False),
        ("https://hooks.example.com/#frag", False, False),
        ("ftp://hooks.example.com/", False, False),
        ("hooks.example.com/tandem", False, False),
        ("https://", False, False),
        ("https://hooks.example.com:99999/", False, False),
        ("https://hooks.example.com/a b", False, False),
        ("https://hooks.example.com/\r\nX-Evil: 1", False, False),
        ("https://" + "a" * 500 + ".com/", False, False),
    ],
)
def test_url_rules_in_production_and_in_development(
    settings, url, allowed_in_production, allowed_in_development
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert (transport.url_errors(url) == []) is allowed_in_production
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    errors = transport.url_errors(url)
    assert (errors == []) is allowed_in_development
    assert all(error.field == "url" and error.message for error in errors)


def test_a_call_whose_commit_says_no_never_reaches_the_receiver_complete():
    with Receiver() as receiver:
        # when: the lease is lost at the commit
        answer = transport.post(
            url=receiver.url, body=b'{"a":1}', headers={}, commit=lambda: False, timeout=5
        )
    # then
    assert answer is None
    assert receiver.calls == []


def test_a_receiver_that_never_answers_leaves_the_delivery_sent_not_repeated(cast, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    with Receiver(delay=2.5) as receiver:
        # given
        endpoint_for(cast.admin, receiver.url)
        _emit(cast.org.pk)
        # when
        report = delivery.webhook_deliver_batch(worker_id="w")
        _make_due()
        again = delivery.webhook_deliver_batch(worker_id="w2")
    # then: at most once: the outcome is unknown, so it is not sent again
    row = WebhookDelivery.objects.get()
    assert (report.sent, again.claimed) == (1, 0)
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 1, None)
    assert WebhookAttempt.objects.get().error.startswith("No answer")
    assert len(receiver.calls) == 1


def test_a_receiver_that_is_down_is_retried(cast):
    # given: nothing listens on the port any more
    with Receiver() as receiver:
        url = receiver.url
    endpoint_for(cast.admin, url)
    _emit(cast.org.pk)
    # when
    report = delivery.webhook_deliver_batch(worker_id="w")
    # then
    row = WebhookDelivery.objects.get()
    assert (report.retrying, row.status, row.last_status_code) == (1, "pending", None)
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error


def test_emit_writes_one_row_per_subscribed_enabled_endpoint_of_the_organisation(cast):
    # given
    subscribed, _ = endpoint_for(cast.admin, "https://a.example.com/", ["person.deactivated"])
    endpoint_for(cast.admin, "https://b.example.com/", ["person.enrolled"])
    disabled, _ = endpoint_for(cast.admin, "https://c.example.com/", ["person.deactivated"])
    WebhookEndpoint.objects.filter(pk=disabled.pk).update(
        is_enabled=False, disabled_at=timezone.now()
    )
    endpoint_for(cast.outsider, "https://d.example.com/", ["person.deactivated"])
    # when
    written = _emit(cast.org.pk)
    # then
    assert written == 1
    assert list(WebhookDelivery.objects.values_list("endpoint_id", "event_type")) == [
        (subscribed.pk, "person.deactivated")
    ]


def test_an_event_rolled_back_with_its_change_is_owed_to_nobody(cast):
    endpoint_for(cast.admin, "https://a.example.com/")

    def change_that_fails() -> None:
        with transaction.atomic():
            _emit(cast.org.pk)
            raise RuntimeError("the change failed")

    # when
    with pytest.raises(RuntimeError):
        change_that_fails()
    # then
    assert WebhookDelivery.objects.count() == 0


def test_emit_refuses_an_unknown_type_or_the_wrong_schema(cast):
    endpoint_for(cast.admin, "https://a.example.com/")
    data = PersonDeactivatedData(
        person=PersonRef(id=1, email="a@b.c"), deactivated_at=timezone.now()
    )
    with pytest.raises(ValueError, match="not a webhook event type"):
        webhook_emit(organization_id=cast.org.pk, event_type="journal.written", data=data)
    with pytest.raises(TypeError, match="takes PersonEnrolledData"):
        webhook_emit(organization_id=cast.org.pk, event_type="person.enrolled", data=data)
    assert WebhookDelivery.objects.count() == 0


def test_an_organisation_without_webhooks_pays_one_query_per_event(cast, django_assert_num_queries):
    built = []
    with django_assert_num_queries(1):
        webhook_emit(
            organization_id=cast.org.pk,
            event_type="person.deactivated",
            data=lambda: (
                built.append(1)
                or PersonDeactivatedData(  # type: ignore[func-returns-value]
                    person=PersonRef(id=1, email="a@b.c"), deactivated_at=timezone.now()
                )
            ),
        )
    assert built == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_in_threads_never_call_twice():
    from tandem.accounts.models import Role
    from tandem.accounts.tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ORG_ADMIN)
    with Receiver() as receiver:
        # given
        _, secret = endpoint_for(admin, receiver.url)
        receiver.secrets = [secret]
        for person in range(40):
            _emit(organization.pk, person)
        start = threading.Barrier(3)
        errors = []

        def work(worker_id):
            try:
                start.wait()
                while delivery.webhook_deliver_batch(worker_id=worker_id, limit=3).claimed:
                    pass
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b", "c")]
        # when
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    # then
    assert errors == []
    assert receiver.duplicates() == []
    assert sorted(receiver.ids()) == sorted(
        WebhookDelivery.objects.values_list("event_id", flat=True)
    )
    assert WebhookDelivery.objects.filter(status="sent", attempts=1).count() == 40
    assert all(call.verified_by == [secret] for call in receiver.calls)


def test_the_deploy_check_warns_when_private_targets_are_allowed(settings):
    from tandem.webhooks.checks import webhook_targets_check

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert [message.id for message in webhook_targets_check(None)] == ["tandem.webhooks.W001"]
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert webhook_targets_check(None) == []
