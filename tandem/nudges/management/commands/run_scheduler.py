"""`python manage.py run_scheduler [--once] [--interval 60]`: evaluate the nudge rules every
minute and write what is due to the outbox, and enqueue the periodic jobs that are due.

Safe on several hosts at once. The outbox's unique key is the guarantee (a message already
written is never written again), and so is each periodic job's run row (a job is enqueued once
per period, `tandem.core.periodic`); the scheduler's lease only spares the other hosts the work.
The periodic jobs (health, the analytics summaries, the monthly report) run on a worker, never
here, so a tick stays far shorter than the lease.
"""

import os
import socket
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tandem.core.periodic import periodic_jobs_enqueue_due
from tandem.journeys.services import journeys_ensure_for_active_programs
from tandem.nudges.services import (
    EvaluationReport,
    nudges_deliver_pending,
    nudges_evaluate,
    scheduler_lease_release,
    scheduler_lease_take,
)
from tandem.webhooks.delivery import webhook_kick_if_due


class Command(BaseCommand):
    help = "Evaluate the nudge rules every minute and enqueue what is due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="evaluate once and stop")
        parser.add_argument("--interval", type=int, default=60, help="seconds between runs")

    def handle(self, *args: Any, once: bool = False, interval: int = 60, **options: Any) -> None:
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        try:
            while True:
                self.tick(holder=holder, interval=interval)
                if once:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            return
        finally:
            scheduler_lease_release(holder=holder, now=timezone.now())

    def tick(self, *, holder: str, interval: int) -> None:
        now = timezone.now()
        # The lease outlives one interval so the holder keeps it from run to run.
        if not scheduler_lease_take(holder=holder, now=now, seconds=interval * 2):
            self.stdout.write(
                f"{now:%H:%M:%S} another scheduler holds the lease; this one waits its turn"
            )
            return
        # Reads never store a journey: the journey nudges see a programme's journey once it is
        # stored, so store the default of every programme with active pairs first (one query
        # when there is nothing to do).
        journeys_ensure_for_active_programs()
        report = nudges_evaluate(now=now, overlap=True)
        # Each job due this period once, to a worker (the health refresh the digest and the
        # escalation read is one of them; one query when nothing is due).
        jobs = periodic_jobs_enqueue_due(now=now)
        kicked = nudges_deliver_pending(now=timezone.now())
        # Webhook calls whose retry is due (the emit kicks the first attempt itself).
        webhook_kick_if_due(now=timezone.now())
        self.stdout.write(tick_summary(now=now, report=report, kicked=kicked, jobs=jobs))


def tick_summary(*, now: Any, report: EvaluationReport, kicked: bool, jobs: list[str]) -> str:
    """One console line a person can read: how many reminders are due, how many of those are
    new (each is written once; the rest went out on an earlier tick), which rules wrote them,
    whether delivery was started, and which periodic jobs were handed to a worker."""
    new = report.total_enqueued
    earlier = report.total_due - new
    line = (
        f"{now:%H:%M:%S} reminders: {report.total_due} due, {new} new to send"
        f" ({earlier} sent on an earlier run)"
    )
    if new:
        by_rule = ", ".join(
            f"{rule} {count}" for rule, count in sorted(report.enqueued.items()) if count
        )
        line += f" [{by_rule}]"
    line += f"; delivery {'started' if kicked else 'idle: nothing waiting'}"
    line += f"; {report.seconds:.2f} s"
    if jobs:
        line += f"; periodic jobs handed to a worker: {', '.join(jobs)}"
    return line
