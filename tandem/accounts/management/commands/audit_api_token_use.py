"""Record each API token used since the last run in the audit trail (run it hourly)."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.accounts.services import api_token_use_audit


class Command(BaseCommand):
    help = "Write one audit entry per API token used since the last run (schedule hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = api_token_use_audit()
        self.stdout.write(f"Recorded the use of {count} API token(s).")
