"""Backing up and restoring the whole database, PostgreSQL or SQLite.

PostgreSQL: `pg_dump --format=custom` (consistent while Tandem runs), restored with
`pg_restore --single-transaction --exit-on-error` into an empty database. SQLite: the online
backup API (a consistent copy while Tandem runs), restored the same way into an empty file.

Neither contains JOURNAL_ENCRYPTION_KEYS: private text (journals, self-assessment notes, survey
free text) is restored as ciphertext, readable only with the keys of the instance that wrote it.
Restore refuses a database that already has tables, and a file of the wrong kind, and then
changes nothing.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import psycopg.conninfo

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


@dataclass(frozen=True)
class Target:
    """The database a backup is read from or a restore written to (a Django settings dict)."""

    settings: dict[str, Any]

    @property
    def vendor(self) -> str:
        engine = str(self.settings["ENGINE"])
        if engine.endswith("sqlite3"):
            return "sqlite"
        if engine.endswith("postgresql"):
            return "postgresql"
        raise BackupError(f"Backups are written for PostgreSQL and SQLite, not {engine}.")

    @property
    def name(self) -> str:
        return str(self.settings["NAME"])


def backup(*, target: Target, output: Path) -> Path:
    """Write a consistent copy of `target` to `output` (which must not exist yet)."""
    if output.exists():
        raise BackupError(f"{output} exists already: choose another file or remove it first.")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory.")
    partial = output.with_name(f".{output.name}.partial")
    try:
        if target.vendor == "sqlite":
            _sqlite_backup(target, partial)
        else:
            _pg_dump(target, partial)
        partial.chmod(0o600)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def restore(*, target: Target, source: Path) -> None:
    """Load the backup `source` into `target`, which must be empty (no table at all)."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    with source.open("rb") as file:
        header = file.read(16)
    if target.vendor == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError(_wrong_kind(source, header, expected="an SQLite database"))
        _sqlite_restore(target, source)
    else:
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(
                _wrong_kind(source, header, expected="a pg_dump custom-format archive")
            )
        _pg_restore(target, source)


def _wrong_kind(source: Path, header: bytes, *, expected: str) -> str:
    found = (
        "an SQLite database"
        if header.startswith(SQLITE_HEADER)
        else "a pg_dump archive"
        if header.startswith(PG_CUSTOM_HEADER)
        else "neither an SQLite database nor a pg_dump archive"
    )
    return f"{source} is {found}; this database needs {expected} (a backup of the same kind)."


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_backup(target: Target, output: Path) -> None:
    if not Path(target.name).is_file():
        raise BackupError(f"The SQLite database {target.name} does not exist.")
    source = sqlite3.connect(f"file:{target.name}?mode=ro", uri=True)
    copy = sqlite3.connect(output)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_restore(target: Target, source: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            tables = _sqlite_tables(backup_db)
            checked = backup_db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} cannot be read as an SQLite database: {error}") from error
        if checked != ("ok",):
            raise BackupError(f"{source} is damaged: SQLite's quick check says {checked[0]}.")
        if "django_migrations" not in tables:
            raise BackupError(f"{source} is not a backup of Tandem (no django_migrations table).")
        existed = Path(target.name).exists()
        database = sqlite3.connect(target.name)
        try:
            present = _sqlite_tables(database)
            if present:
                raise BackupError(_not_empty(target, present))
            backup_db.backup(database)
        except BaseException:
            database.close()
            if not existed:
                Path(target.name).unlink(missing_ok=True)
            raise
        database.close()
    finally:
        backup_db.close()


def _not_empty(target: Target, tables: list[str]) -> str:
    return (
        f"The database {target.name} is not empty ({len(tables)} tables, e.g. "
        f"{', '.join(sorted(tables)[:3])}): restore into a new, empty database."
    )


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_environment(target: Target) -> dict[str, str]:
    """libpq's variables, so the password never appears in a process list."""
    settings = target.settings
    environment = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    options = settings.get("OPTIONS") or {}
    for variable, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert")):
        if options.get(key):
            environment[variable] = str(options[key])
    environment["PGDATABASE"] = target.name
    return environment


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client tools "
            f"(the same major version as the server, or newer)."
        )
    return found


def _run(command: list[str], target: Target) -> None:
    result = subprocess.run(  # noqa: S603 - PostgreSQL's own client, arguments we built
        command, env=_pg_environment(target), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}"
        )


def _pg_dump(target: Target, output: Path) -> None:
    _run(
        [
            _client("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={output}",
        ],
        target,
    )


def _pg_tables(target: Target) -> list[str]:
    settings = target.settings
    options = settings.get("OPTIONS") or {}
    parameters = {
        "dbname": target.name,
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
        "user": settings.get("USER"),
        "password": settings.get("PASSWORD"),
        "sslmode": options.get("sslmode"),
    }
    conninfo = psycopg.conninfo.make_conninfo(
        **{key: str(value) for key, value in parameters.items() if value}
    )
    try:
        with psycopg.connect(conninfo) as connection:
            rows = connection.execute(
                "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to the database {target.name} (create it, empty, first): {error}"
        ) from error
    return [name for (name,) in rows]


def _pg_restore(target: Target, source: Path) -> None:
    listed = subprocess.run(  # noqa: S603 - PostgreSQL's own client, arguments we built
        [_client("pg_restore"), "--list", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        raise BackupError(f"{source} cannot be read by pg_restore: {listed.stderr.strip()}")
    if "TABLE public django_migrations" not in listed.stdout:
        raise BackupError(f"{source} is not a backup of Tandem (no django_migrations table).")
    present = _pg_tables(target)
    if present:
        raise BackupError(_not_empty(target, present))
    _run(
        [
            _client("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.name}",
            str(source),
        ],
        target,
    )
