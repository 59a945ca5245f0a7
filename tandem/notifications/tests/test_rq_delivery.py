"""Delivery through RQ when REDIS_URL is set: the kick after an enqueue is an RQ job in Redis,
and an RQ worker (`manage.py rqworker --burst`) claims, sends and marks the rows.

Both sides run as subprocesses with the production settings module (the test settings run
tasks inline), against the test database and the machine's Redis."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from redis import Redis
from rq import Queue

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import OutboxMessage, OutboxStatus
from tandem.notifications.tests.smtp import SmtpServer
from tandem.notifications.tests.test_fault import _database_url

# A database of its own on the local Redis (one of eight, by process: two suites at once keep
# apart), emptied first.
REDIS_URL = f"redis://127.0.0.1:6379/{8 + os.getpid() % 8}"

ENQUEUE = """
from django.db import transaction
from tandem.accounts.models import User
from tandem.notifications.services import notification_send
with transaction.atomic():
    notification_send(
        recipients=User.objects.filter(email__endswith="@rq.test"),
        category="reminders",
        subject="Delivered by an RQ worker",
        body="Your meeting is tomorrow.",
    )
"""


def _manage(*arguments: str, smtp_port: int) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_kick_is_an_rq_job_and_an_rq_worker_delivers(django_db_setup):
    # given three people and an empty Redis database
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    people = [UserFactory(email=f"person{index}@rq.test") for index in range(3)]
    assert connection.vendor in {"sqlite", "postgresql"}
    with SmtpServer() as server:
        # when a service tells them something (in a process configured with REDIS_URL)
        enqueued = _manage("shell", "-c", ENQUEUE, smtp_port=server.port)
        # then the emails wait in the outbox and their delivery waits in Redis as an RQ job
        assert enqueued.returncode == 0, enqueued.stderr
        assert Queue("default", connection=redis).count == 1
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
        assert len(server.inbox) == 0
        # when an RQ worker runs until the queue is empty (with django-tasks-rq's job class,
        # as the README's production command starts it)
        worked = _manage(
            "rqworker",
            "default",
            "--job-class",
            "django_tasks_rq.Job",
            "--burst",
            smtp_port=server.port,
        )
        # then each email was sent once and marked sent
        assert worked.returncode == 0, worked.stderr
        received = sorted(rcpt for _, rcpts in server.inbox.envelopes for rcpt in rcpts)
    assert received == sorted(person.email for person in people)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert Queue("default", connection=redis).count == 0
    redis.flushdb()
