"""Deliver the webhook outbox: `python manage.py deliver_webhooks [--once] [--batch N]
[--lease S] [--watch S]`."""

import os
import socket
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.webhooks import delivery


class Command(BaseCommand):
    help = (
        "Deliver due webhook calls in batches while any are due (--once: one batch; --watch: "
        "keep polling). Safe to run on several hosts at once: rows are claimed under a lease."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver one batch and stop")
        parser.add_argument("--batch", type=int, default=50, help="Rows claimed per batch")
        parser.add_argument(
            "--lease",
            type=int,
            default=delivery.LEASE_SECONDS,
            help="Seconds a claim lasts before another worker may take the rows over",
        )
        parser.add_argument(
            "--watch",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Never stop: when nothing is due, poll again after SECONDS",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        total = delivery.DeliveryReport()
        while True:
            report = delivery.webhook_deliver_batch(
                worker_id=worker_id, limit=options["batch"], lease_seconds=options["lease"]
            )
            for name in ("claimed", "sent", "retrying", "failed", "lost_lease"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if options["once"]:
                break
            if report.claimed == 0 and not delivery.webhook_due_count():
                if not options["watch"]:
                    break
                time.sleep(options["watch"])
        self.stdout.write(
            f"sent {total.sent}, retrying {total.retrying}, failed {total.failed}, "
            f"taken over {total.lost_lease}"
        )
