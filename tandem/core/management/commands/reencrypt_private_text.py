"""Rewrite every encrypted column (journal text, mood and tags, self-assessment notes, and any
later one) with the first key of JOURNAL_ENCRYPTION_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.core.encryption import reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt all private text with the first key in JOURNAL_ENCRYPTION_KEYS "
        "(after putting a new key first); then the old keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for label, count in reencrypt_all().items():
            self.stdout.write(f"Re-encrypted {count} rows of {label}.")
