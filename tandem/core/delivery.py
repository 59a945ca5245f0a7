"""What the outboxes share (the email outbox in notifications, the webhook outbox in webhooks):
the report of a delivery batch and the worker command that runs batches. Each outbox keeps its
own claiming, sending and retry rules; this knows no domain."""

import os
import socket
import time
import uuid
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandParser


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Rows another worker took over (their lease had expired) before this one committed.
    lost_lease: int = 0

    def add(self, other: "DeliveryReport") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


class DeliveryCommand(BaseCommand):
    """`--once` / `--batch N` / `--lease S` / `--watch S` over one outbox's batch function.
    Safe on several hosts at once: each outbox claims its rows under a lease."""

    default_batch: ClassVar[int] = 100
    default_lease: ClassVar[int] = 300

    def deliver_batch(self, *, worker_id: str, limit: int, lease_seconds: int) -> DeliveryReport:
        raise NotImplementedError

    def due_count(self) -> int:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver one batch and stop")
        parser.add_argument(
            "--batch", type=int, default=self.default_batch, help="Rows claimed per batch"
        )
        parser.add_argument(
            "--lease",
            type=int,
            default=self.default_lease,
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
        total = DeliveryReport()
        while True:
            report = self.deliver_batch(
                worker_id=worker_id, limit=options["batch"], lease_seconds=options["lease"]
            )
            total.add(report)
            if options["once"]:
                break
            if report.claimed == 0 and not self.due_count():
                if not options["watch"]:
                    break
                time.sleep(options["watch"])
        self.stdout.write(
            f"sent {total.sent}, retrying {total.retrying}, failed {total.failed}, "
            f"taken over {total.lost_lease}"
        )
