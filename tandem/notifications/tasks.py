"""Background delivery of the outbox. Each task takes ids and calls one service."""

from django_tasks import task

from tandem.notifications import services


@task()
def outbox_deliver_task(worker_id: str, message_ids: list[int] | None = None) -> int:
    """Deliver due outbox rows in batches until none is left to claim (only `message_ids` when
    given: the kick after an enqueue). Idempotent: a row is claimed under a lease and marked
    sent once; rows that fail wait for their backoff, so the loop ends. Returns how many were
    sent."""
    sent = 0
    while True:
        report = services.outbox_deliver_batch(worker_id=worker_id, message_ids=message_ids)
        sent += report.sent
        # A batch that sent nothing (empty, or every row put back for a later retry) ends the
        # loop: otherwise rows that keep failing within one clock tick are reclaimed forever.
        if not report.claimed or not report.sent:
            return sent
