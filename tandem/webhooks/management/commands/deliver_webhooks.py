"""Deliver the webhook outbox: `python manage.py deliver_webhooks [--once] [--batch N]
[--lease S] [--watch S]`."""

from tandem.core.delivery import DeliveryCommand, DeliveryReport
from tandem.webhooks import delivery


class Command(DeliveryCommand):
    help = (
        "Deliver due webhook calls in batches while any are due (--once: one batch; --watch: "
        "keep polling). Safe to run on several hosts at once: rows are claimed under a lease."
    )
    default_batch = 50
    default_lease = delivery.LEASE_SECONDS

    def deliver_batch(self, *, worker_id: str, limit: int, lease_seconds: int) -> DeliveryReport:
        return delivery.webhook_deliver_batch(
            worker_id=worker_id, limit=limit, lease_seconds=lease_seconds
        )

    def due_count(self) -> int:
        return delivery.webhook_due_count()
