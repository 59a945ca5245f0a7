"""Background delivery of the webhook outbox. Each task takes ids and calls one service."""

from django_tasks import task

from tandem.webhooks import delivery


@task()
def webhook_deliver_task(worker_id: str, delivery_ids: list[int] | None = None) -> int:
    """Deliver due webhook calls in batches until none is left to claim (only `delivery_ids`
    when given: the kick after an emit). Idempotent: a row is claimed under a lease and sent
    once; failures wait for their backoff, so the loop ends. Returns how many were sent."""
    sent = 0
    while True:
        report = delivery.webhook_deliver_batch(worker_id=worker_id, delivery_ids=delivery_ids)
        sent += report.sent
        if not report.claimed or not report.sent:
            return sent
