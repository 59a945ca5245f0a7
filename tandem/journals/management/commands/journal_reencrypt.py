"""Rewrite every journal entry's text with the first key of JOURNAL_ENCRYPTION_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.journals.services import journal_reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt all journal text with the first key in JOURNAL_ENCRYPTION_KEYS "
        "(after putting a new key first); then the old keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = journal_reencrypt_all()
        self.stdout.write(f"Re-encrypted {count} journal entries.")
