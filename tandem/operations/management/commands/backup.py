"""`python manage.py backup --output FILE`: a consistent copy of the whole database while Tandem
runs (PostgreSQL: pg_dump's custom format; SQLite: the online backup API). The file holds
everything but JOURNAL_ENCRYPTION_KEYS: keep the keys elsewhere (tandem/operations/backup.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from tandem.operations.backup import BackupError, Target, backup


class Command(BaseCommand):
    help = "Back up the whole database to a file (not the journal encryption keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="the file to write (must not exist)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias")

    def handle(self, *args: Any, output: str, database: str, **options: Any) -> None:
        target = Target(settings=connections[database].settings_dict)
        try:
            written = backup(target=target, output=Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the {target.vendor} database {target.name} to {written} "
            f"({written.stat().st_size} bytes). It does not contain JOURNAL_ENCRYPTION_KEYS."
        )
