"""The kick after an enqueue only hurries delivery: when the queue cannot take it (Redis down),
the caller's write stands, its emails wait in the outbox, and the scheduler's next kick sends
them. Found by the soak (bench/soak.py): a message answered 500 although it was stored."""

import pytest
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications import tasks
from tandem.notifications.models import OutboxMessage, OutboxStatus
from tandem.notifications.services import notification_send


class QueueDown:
    def __init__(self) -> None:
        self.attempts = 0

    def enqueue(self, **kwargs: object) -> None:
        self.attempts += 1
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("people", [1, 3])
def test_a_queue_that_is_down_neither_fails_the_write_nor_loses_its_emails(monkeypatch, people):
    # given people who get email, and a task queue that refuses every job
    recipients = [UserFactory(email=f"person{index}@kick.test") for index in range(people)]
    down = QueueDown()
    monkeypatch.setattr(tasks, "outbox_deliver_task", down)
    # when a write that tells them something commits
    with transaction.atomic():
        notification_send(
            recipients=recipients, category="reminders", subject="Tomorrow", body="Your meeting."
        )
    # then the commit went through (no exception reached the caller), the kick was tried, and
    # every email waits, due, in the outbox
    assert down.attempts == 1
    rows = OutboxMessage.objects.filter(recipient__in=recipients)
    assert rows.count() == people
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    # and once the queue is back, the delivery the scheduler's next kick enqueues (the nudges
    # app's `nudges_deliver_pending`, every interval) sends them
    monkeypatch.undo()
    assert tasks.outbox_deliver_task.call(worker_id="scheduler-kick") == people
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.SENT}
