"""Delete audit entries older than their organisation's retention (run it daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit entries older than each organisation's retention (default 400 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = audit_purge()
        self.stdout.write(f"Deleted {deleted} audit entr{'y' if deleted == 1 else 'ies'}.")
