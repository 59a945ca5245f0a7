"""`python manage.py run_scheduler [--once] [--interval 60]`: evaluate the nudge rules every
minute and write what is due to the outbox.

Safe on several hosts at once. The outbox's unique key is the guarantee (a message already
written is never written again); the scheduler's lease only spares the other hosts the work.
"""

import os
import socket
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tandem.health.services import health_refresh_if_stale
from tandem.journeys.services import journeys_ensure_for_active_programs
from tandem.nudges.services import (
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
            self.stdout.write(f"{now:%H:%M:%S} another scheduler holds the lease; skipped")
            return
        # Reads never store a journey: the journey nudges see a programme's journey once it is
        # stored, so store the default of every programme with active pairs first (one query
        # when there is nothing to do).
        journeys_ensure_for_active_programs()
        # The digest and the escalation read the stored health: refresh it when it is older than
        # an hour (one query when it is fresh).
        health_refresh_if_stale(now=now)
        report = nudges_evaluate(now=now, overlap=True)
        kicked = nudges_deliver_pending(now=timezone.now())
        # Webhook calls whose retry is due (the emit kicks the first attempt itself).
        webhook_kick_if_due(now=timezone.now())
        self.stdout.write(
            f"{now:%H:%M:%S} due {report.total_due}, enqueued {report.total_enqueued}, "
            f"delivery {'kicked' if kicked else 'idle'} in {report.seconds:.2f}s"
        )
