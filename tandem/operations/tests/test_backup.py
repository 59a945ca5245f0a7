"""`manage.py backup` and `manage.py restore`, on the database the suite runs on (SQLite or
PostgreSQL): everything comes back in an empty database, and private text stays readable with the
configured keys only."""

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from conftest import Pair
from tandem.core.encryption import decrypt_text
from tandem.journals.models import JournalEntry
from tandem.journals.services import journal_entry_create
from tandem.operations.backup import BackupError, Target, backup, restore

PRIVATE = "I worry the promotion panel will see me as too quiet."


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


class Database:
    """A raw connection to a database, outside Django (the restored copy)."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.target.vendor == "sqlite":
            with sqlite3.connect(self.target.name) as database:
                return database.execute(sql).fetchall()
        settings = self.target.settings
        with psycopg.connect(
            dbname=self.target.name,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
        ) as database:
            return database.execute(sql).fetchall()  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        # Table names from our own models, not input.
        return {
            table: self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608
            for table in _tables()
        }


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Target]:
    """A new, empty database of the suite's kind: a fresh SQLite file, or a PostgreSQL database
    just created (and dropped afterwards)."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        yield Target(settings={**settings, "NAME": str(tmp_path / "restored.sqlite3")})
        return
    name = f"tandem_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(settings={**settings, "NAME": name})
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _source_counts() -> dict[str, int]:
    return Database(Target(settings=connection.settings_dict)).counts()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_the_journal_readable_by_its_keys(
    pair: Pair, tmp_path: Path, empty_database: Target
) -> None:
    # given an organisation at work, with a private journal entry
    entry = journal_entry_create(
        actor=pair.cast.mentee,
        relationship_id=pair.relationship.pk,
        text=PRIVATE,
        mood="stuck",
        tags=["promotion"],
    )
    before = _source_counts()
    assert before[JournalEntry._meta.db_table] == 1
    # when it is backed up, and the backup restored into an empty database
    output = tmp_path / "tandem.backup"
    call_command("backup", output=str(output))
    restore(target=empty_database, source=output)
    # then every table holds the same rows
    restored = Database(empty_database)
    assert restored.counts() == before
    mentee_email = f"SELECT email FROM accounts_user WHERE id = {int(pair.cast.mentee.pk)}"  # noqa: S608
    assert restored.rows(mentee_email) == [("mentee@northwind.test",)]
    # and the journal is still ciphertext, readable with the configured keys
    [(stored_text, stored_mood)] = restored.rows(
        f"SELECT text, mood FROM journals_journalentry WHERE id = {int(entry.pk)}"  # noqa: S608
    )
    assert PRIVATE not in stored_text
    assert decrypt_text(stored_text) == PRIVATE
    assert decrypt_text(stored_mood) == "stuck"
    # and with any other key, not at all
    with (
        override_settings(JOURNAL_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(ImproperlyConfigured),
    ):
        decrypt_text(stored_text)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    pair: Pair, tmp_path: Path
) -> None:
    # given a backup, and the live database with its data
    output = tmp_path / "tandem.backup"
    call_command("backup", output=str(output))
    before = _source_counts()
    # when it is restored over the live database
    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables, e\.g\. "):
        call_command("restore", str(output))
    # then nothing changed
    assert _source_counts() == before


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    output = tmp_path / "existing.backup"
    output.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(output))
    assert output.read_bytes() == b"yesterday's backup"
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("backup", output=str(tmp_path / "missing" / "tandem.backup"))


def _other_kind(tmp_path: Path, vendor: str) -> Path:
    """A backup of the other kind than the suite's database."""
    path = tmp_path / "other-kind.backup"
    if vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        with sqlite3.connect(path) as database:
            database.execute("CREATE TABLE django_migrations (id INTEGER)")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither an SQLite database nor a pg_dump archive"),
        (b"id,email\n1,a@b.test\n", "neither an SQLite database nor a pg_dump archive"),
        (b"-- PostgreSQL database dump\nCREATE TABLE x ();\n", "neither an SQLite database"),
        ("other kind", "a backup of the same kind"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_restore_names_a_file_of_the_wrong_kind_and_writes_nothing(
    tmp_path: Path, empty_database: Target, content: bytes | str, message: str
) -> None:
    if content == "other kind":
        source = _other_kind(tmp_path, connection.vendor)
    else:
        source = tmp_path / "not-a-backup"
        source.write_bytes(content)  # type: ignore[arg-type]
    with pytest.raises(BackupError, match=message) as raised:
        restore(target=empty_database, source=source)
    assert str(source) in str(raised.value)
    assert _is_empty(empty_database)


def _is_empty(target: Target) -> bool:
    if target.vendor == "sqlite":
        return not Path(target.name).exists()
    return Database(target).rows(
        "SELECT COUNT(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    ) == [(0,)]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_file_that_is_not_tandems(
    tmp_path: Path, empty_database: Target
) -> None:
    # given a backup of some other database (on PostgreSQL: a dump of an empty one)
    source = tmp_path / "someone-else.backup"
    if connection.vendor == "sqlite":
        with sqlite3.connect(source) as database:
            database.execute("CREATE TABLE invoices (id INTEGER)")
    else:
        backup(target=empty_database, output=source)
    with pytest.raises(BackupError, match="not a backup of Tandem"):
        restore(target=empty_database, source=source)
    assert _is_empty(empty_database)


def test_restore_needs_a_file(tmp_path: Path) -> None:
    target = Target(settings={"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    with pytest.raises(BackupError, match=r"is not a file"):
        restore(target=target, source=tmp_path / "nowhere.backup")
    with pytest.raises(BackupError, match=r"not django\.db\.backends\.mysql"):
        _ = Target(settings={"ENGINE": "django.db.backends.mysql", "NAME": "x"}).vendor
