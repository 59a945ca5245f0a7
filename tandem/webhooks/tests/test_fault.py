"""The fault test: a worker delivering 400 due webhook calls to a real receiver is killed
(SIGKILL) in the middle of a batch and restarted; every call arrives exactly once, each
signature verified by the receiver."""

import collections
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.notifications.tests.test_fault import _database_url
from tandem.webhooks.models import WebhookDelivery, WebhookDeliveryStatus
from tandem.webhooks.tests.factories import endpoint_for
from tandem.webhooks.tests.receiver import Receiver

TOTAL = 400
LEASE_SECONDS = 2


def _worker() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "deliver_webhooks",
            "--batch",
            "50",
            "--lease",
            str(LEASE_SECONDS),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _due_rows(endpoint_id: int) -> None:
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint_id,
            event_id=f"msg_fault{index:05d}",
            event_type="person.deactivated",
            body=json.dumps({"type": "person.deactivated", "data": {"index": index}}),
            next_attempt_at=now,
        )
        for index in range(TOTAL)
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_never_calls_twice_and_a_restart_calls_the_rest():
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ORG_ADMIN)
    with Receiver() as receiver:
        # given: 400 due calls to a real receiver that verifies each signature
        endpoint, secret = endpoint_for(admin, receiver.url)
        receiver.secrets = [secret]
        _due_rows(endpoint.pk)
        expected = set(WebhookDelivery.objects.values_list("event_id", flat=True))
        # when: a worker is killed in the middle of a batch (after some calls arrived)...
        worker = _worker()
        deadline = time.monotonic() + 60
        while len(receiver.ids()) < 60 and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        arrived_before_kill = len(receiver.ids())
        # ... and restarted until nothing is owed (its leased rows come back after the lease)
        deadline = time.monotonic() + 90
        runs = []
        while time.monotonic() < deadline:
            if not WebhookDelivery.objects.exclude(status=WebhookDeliveryStatus.SENT).exists():
                break
            restarted = _worker()
            out, err = restarted.communicate(timeout=120)
            runs.append((restarted.returncode, out.decode(), err.decode()[-2000:]))
            time.sleep(0.3)
        time.sleep(0.2)
        received = receiver.ids()
        verified = [call.verified_by == [secret] for call in receiver.calls]
    # then: the kill happened mid-run, and every call arrived exactly once, verified
    assert worker.returncode == -signal.SIGKILL
    assert 0 < arrived_before_kill < TOTAL, runs
    assert all(code == 0 for code, _, _ in runs), runs
    counts = collections.Counter(received)
    assert [event_id for event_id, count in counts.items() if count > 1] == []
    assert set(received) == expected
    assert len(received) == TOTAL
    assert all(verified)
    assert WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.SENT).count() == TOTAL
