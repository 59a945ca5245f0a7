"""Deliver the outbox: `python manage.py deliver_outbox [--once] [--batch N] [--watch]`."""

from tandem.core.delivery import DeliveryCommand, DeliveryReport
from tandem.notifications import services


class Command(DeliveryCommand):
    help = (
        "Deliver due outbox emails in batches while any are due (--once: one batch; --watch: "
        "keep polling). Safe to run on several hosts at once: rows are claimed under a lease."
    )
    default_batch = 100
    default_lease = services.LEASE_SECONDS

    def deliver_batch(self, *, worker_id: str, limit: int, lease_seconds: int) -> DeliveryReport:
        return services.outbox_deliver_batch(
            worker_id=worker_id, limit=limit, lease_seconds=lease_seconds
        )

    def due_count(self) -> int:
        return services.outbox_due_count()
