"""Background delivery of the outbox. Each task takes ids and calls one service."""

from django_tasks import task

from tandem.notifications import services


@task()
def outbox_deliver_task(worker_id: str, message_ids: list[int] | None = None) -> int:
    """Deliver one batch of due outbox rows (only `message_ids` when given: the kick after an
    enqueue). Idempotent: a row is claimed under a lease and marked sent once. Returns how many
    were sent."""
    return services.outbox_deliver_batch(worker_id=worker_id, message_ids=message_ids).sent
