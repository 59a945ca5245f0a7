"""The fault test: a worker delivering 1,000 due emails over real SMTP is killed (SIGKILL) in the
middle of a batch and restarted; every email arrives exactly once."""

import collections
import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import OutboxMessage, OutboxStatus, outbox_message_id
from tandem.notifications.tests.smtp import SmtpServer

TOTAL = 1000
LEASE_SECONDS = 2


def _database_url() -> str:
    """The test database, as the subprocess's DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _worker(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "deliver_outbox",
            "--batch",
            "100",
            "--lease",
            str(LEASE_SECONDS),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _due_rows() -> None:
    people = [UserFactory(email=f"person{index}@northwind.test") for index in range(20)]
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"fault:meeting:{index}:2030-01-01",
            rule="fault",
            category="reminders",
            recipient=people[index % len(people)],
            subject=f"Reminder {index}",
            text_body=f"Reminder number {index}.",
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
            not_before=now,
            message_id=outbox_message_id(f"fault:meeting:{index}:2030-01-01", "tandem.test"),
        )
        for index in range(TOTAL)
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_never_sends_twice_and_a_restart_sends_the_rest():
    # given: 1,000 due emails and a real SMTP server
    _due_rows()
    expected = set(OutboxMessage.objects.values_list("message_id", flat=True))
    with SmtpServer() as server:
        # when: a worker is killed in the middle of a batch (after some emails arrived)...
        worker = _worker(server.port)
        deadline = time.monotonic() + 30
        while len(server.inbox) < 150 and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        arrived_before_kill = len(server.inbox)
        # ... and restarted until nothing is owed (its leased rows come back after the lease)
        deadline = time.monotonic() + 45
        runs = []
        while time.monotonic() < deadline:
            if not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists():
                break
            restarted = _worker(server.port)
            out, err = restarted.communicate(timeout=60)
            runs.append((restarted.returncode, out.decode(), err.decode()[-2000:]))
            time.sleep(0.3)
        time.sleep(0.2)  # let the server finish handing over the last message
        received = server.inbox.message_ids()
    # then: the kill happened mid-run, and every email arrived exactly once
    assert worker.returncode == -signal.SIGKILL
    assert 0 < arrived_before_kill < TOTAL, runs
    assert all(code == 0 for code, _, _ in runs), runs
    counts = collections.Counter(received)
    assert [message_id for message_id, count in counts.items() if count > 1] == []
    assert len(received) == TOTAL
    assert set(received) == expected
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == TOTAL
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
