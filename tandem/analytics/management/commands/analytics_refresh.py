"""`manage.py analytics_refresh`: rewrite the dashboards' summaries (funnel, weekly activity).

Runs the refresh now, or with --enqueue hands it to the task backend (the db_worker or RQ). The
scheduler already enqueues it every hour (the periodic job `analytics_refresh`); this is for
an operator who wants the figures now (the page shows when the funnel was refreshed).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.analytics.services import analytics_refresh
from tandem.analytics.tasks import analytics_refresh_task


class Command(BaseCommand):
    help = "Refresh the analytics summaries of every programme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the refresh as a background task instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = analytics_refresh_task.enqueue()
            self.stdout.write(f"Enqueued the funnel refresh ({result.id}).")
            return
        people = analytics_refresh()
        self.stdout.write(
            f"Refreshed the funnel of {people} participant{'' if people == 1 else 's'}."
        )
