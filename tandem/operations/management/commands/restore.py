"""`python manage.py restore FILE`: load a backup made by `manage.py backup` into the configured
database, which must be empty (a new SQLite file; on PostgreSQL a database just created). Private
text stays readable only with the JOURNAL_ENCRYPTION_KEYS of the instance that wrote it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from tandem.operations.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file written by `manage.py backup`")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias")

    def handle(self, *args: Any, file: str, database: str, **options: Any) -> None:
        connection = connections[database]
        target = Target(settings=connection.settings_dict)
        # Nothing of ours may hold the database (SQLite) while the file is replaced.
        connection.close()
        try:
            restore(target=target, source=Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {file} into the {target.vendor} database {target.name}. Run "
            "`python manage.py migrate` if this version of Tandem is newer than the backup's."
        )
