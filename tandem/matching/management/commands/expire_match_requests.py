"""`manage.py expire_match_requests`: close the match requests past their expiry.

Runs the expiry now, or with --enqueue hands it to the task backend (the db_worker or RQ),
so cron or any scheduler can call it either way.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.matching.requests.services import match_request_expire_lapsed
from tandem.matching.requests.tasks import match_requests_expire_task


class Command(BaseCommand):
    help = "Mark every open match request past its expiry as expired."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the expiry as a background task instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = match_requests_expire_task.enqueue()
            self.stdout.write(f"Enqueued the expiry task ({result.id}).")
            return
        expired = match_request_expire_lapsed()
        self.stdout.write(f"Expired {expired} match request{'' if expired == 1 else 's'}.")
