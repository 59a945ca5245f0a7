"""The kick after an emit only hurries the first call: when the queue cannot take it (Redis
restarting), the caller's write stands, the call waits in the delivery outbox, and the
scheduler's `webhook_kick_if_due` (every minute) finds it. The same rule as the email
outbox's kick, which the soak found answering 500 (bench/soak.py)."""

import pytest
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from tandem.webhooks import delivery, tasks
from tandem.webhooks.models import WebhookDelivery
from tandem.webhooks.services import person_deactivated_emit
from tandem.webhooks.tests.factories import endpoint_for


class QueueDown:
    def __init__(self) -> None:
        self.attempts = 0

    def enqueue(self, **kwargs: object) -> None:
        self.attempts += 1
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("endpoints", [1, 3])
def test_a_queue_that_is_down_neither_fails_the_emit_nor_loses_the_call(
    monkeypatch, cast, endpoints
):
    from django.utils import timezone

    # given endpoints subscribed to the event, and a task queue that refuses every job
    for index in range(endpoints):
        endpoint_for(cast.admin, f"https://hooks{index}.example/in", ["person.deactivated"])
    down = QueueDown()
    monkeypatch.setattr(tasks, "webhook_deliver_task", down)
    # when the event is emitted in a transaction that commits
    with transaction.atomic():
        person_deactivated_emit(
            organization_id=cast.org.pk,
            person_id=7,
            email="person7@northwind.test",
            deactivated_at=timezone.now(),
        )
    # then no exception reached the caller, the kick was tried once, every call waits
    assert down.attempts == 1
    assert WebhookDelivery.objects.filter(status="pending").count() == endpoints
    # and the scheduler's next look finds them due
    monkeypatch.undo()
    assert delivery.webhook_kick_if_due(now=timezone.now())
