"""Background work for bulk matching. Each task takes ids, loads, and calls one service."""

from django_tasks import task

from tandem.matching.runs import services


@task()
def match_run_execute_task(run_id: int) -> str:
    """Solve a queued run and write its draft (idempotent: a finished run is left alone)."""
    run = services.match_run_execute(run_id=run_id)
    return run.status if run is not None else "missing"


@task()
def match_run_notify_task(run_id: int) -> int:
    """Announce the pairs of a published run through the outbox (once per run). Publishing
    now writes the announcements itself; this stays for tasks queued before it did."""
    return services.match_run_notify(run_id=run_id)
