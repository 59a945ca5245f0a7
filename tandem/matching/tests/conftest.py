"""Fixtures of the matching tests that run real threads against the real database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections


@pytest.fixture
def database_with_real_locking(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, run the test on a file copy of the test database.

    Django's in-memory SQLite test database is shared between threads through SQLite's
    shared cache, where a writer that finds the table locked fails at once ("database table
    is locked") instead of waiting out the busy timeout. Tandem runs SQLite on a file, where
    IMMEDIATE transactions and the 20 s timeout make writers queue; so the threads get that
    here. PostgreSQL (and a file-based SQLite test database) is used as it is.
    """
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    with original.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    in_memory_settings = connections.settings["default"]
    connections.settings["default"] = {**in_memory_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = in_memory_settings
        connections["default"] = original
