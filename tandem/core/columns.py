"""Reading a large result set as columns, for analyses that hand them to numpy.

The outcomes report reads every HR record of an organisation (300,000 rows at 100,000
relationships). Through a queryset's iterator each row pays Django's per-row machinery
(converters, chunks of 100 rows) and each date becomes a Python `date` before numpy turns it
into a number again; Python's cyclic garbage collector meanwhile walks every tuple built so far,
again and again. Here a date is read as its day number (`EpochDays`), the queryset's own SQL
is fetched in one go (`fetch_columns`) with the collector paused, and the rows are transposed
into columns. bench/README.md ("Outcomes") has the figures.
"""

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, IntegerField, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class EpochDays(Func):
    """`date_column` as whole days since 1970-01-01 (NULL stays NULL); numpy's
    `datetime64[D]` counts from the same day."""

    output_field = IntegerField()
    arity = 1

    @property
    def convert_value(self) -> Any:
        # Both databases return an integer already; Django's int() per row is pure cost.
        return self._convert_value_noop  # type: ignore[attr-defined]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        # date - date is an integer number of days in PostgreSQL.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        # julianday() of a YYYY-MM-DD date is a whole day plus one half; 2440587.5 is 1970-01-01.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while plain rows (no reference cycles) are built;
    it collects as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fetch_columns(queryset: QuerySet[Any, Any], width: int) -> list[tuple[Any, ...]]:
    """The rows of `queryset` (a `values_list` of `width` plain columns: no field that needs a
    Python-side conversion, such as dates, JSON or encrypted text) as `width` column tuples,
    in the database's order. One query, one fetch."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with collector_paused(), connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not rows:
            return [()] * width
        return list(zip(*rows, strict=True))
