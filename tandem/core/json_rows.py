"""Set-based SQL whose rows travel as one JSON parameter.

The ORM's bulk_create turns every value into a bound parameter (and, with psycopg's client-side
binding, quotes each one in Python): at hundreds of thousands of rows that costs more than the
database's own work, and the statement count grows with the rows (SQLite's parameter limit). Here
the rows are one JSON document, unpacked by the database (`json_each` on SQLite,
`json_array_elements` on PostgreSQL), so one statement writes any number of rows and the Python
side only builds lists.

Only SQLite (3.35 or newer, for RETURNING) and PostgreSQL are supported: the two databases
Tandem runs on.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


def _is_postgresql() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        return False
    raise NotImplementedError(f"JSON row statements are not written for {connection.vendor}.")


def _element(index: int, field: models.Field) -> str:
    """The SQL that reads column `index` of one JSON row as `field`'s database type."""
    if _is_postgresql():
        if isinstance(field, models.JSONField):
            return f"e->{index}"
        return f"(e->>{index})::{field.db_type(connection)}"
    return f"json_extract(value, '$[{index}]')"


def _parameter(field: models.Field) -> str:
    """The SQL of a value every row shares, given once as a parameter."""
    if _is_postgresql():
        return f"CAST(%s AS {field.db_type(connection)})"
    return "%s"


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value of `field` is written into the JSON document (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        if _is_postgresql():
            return lambda value: None if value is None else value.isoformat()
        # SQLite stores the text Django would write (UTC, naive, space-separated).
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    return None


def _document(fields: Sequence[models.Field], rows: Iterable[Sequence[Any]]) -> str:
    converters = [
        (index, convert)
        for index, field in enumerate(fields)
        if (convert := _converter(field)) is not None
    ]
    if not converters:
        return json.dumps([list(row) for row in rows], separators=(",", ":"))
    # Rows written together mostly share their timestamps ("now"): convert each value once.
    seen: dict[Any, Any] = {}
    written = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            value = values[index]
            if value not in seen:
                seen[value] = convert(value)
            values[index] = seen[value]
        written.append(values)
    return json.dumps(written, separators=(",", ":"))


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field


def _source() -> str:
    if _is_postgresql():
        # jsonb: the document is parsed once, not once per column read.
        return "jsonb_array_elements(%s::jsonb) AS e"
    return "json_each(%s)"


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT `rows` (values in the order of `field_names`) into `model`'s table in one
    statement; `same` gives the columns every row shares, sent once instead of in each row.
    With `ignore_conflicts`, rows that would break a unique constraint are left out (ON
    CONFLICT DO NOTHING). Returns the `returning` columns of the rows actually inserted, in no
    guaranteed order. Values are written as the database stores them: give ids for foreign
    keys (`recipient_id`), aware datetimes, and lists or dicts for JSON fields."""
    fields = [_field(model, name) for name in field_names]
    shared = [(_field(model, name), value) for name, value in (same or {}).items()]
    document = _document(fields, rows)
    quote = connection.ops.quote_name
    written = [*fields, *(field for field, _ in shared)]
    columns = ", ".join(quote(str(field.column)) for field in written)
    values = ", ".join(
        [_element(index, field) for index, field in enumerate(fields)]
        + [_parameter(field) for field, _ in shared]
    )
    # Identifiers come from the model's metadata (quoted), values only from the parameter.
    # SQLite needs the WHERE clause to tell an upsert clause from a join constraint.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {values} FROM {_source()} WHERE true"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(
            quote(str(_field(model, name).column)) for name in returning
        )
    parameters = [field.get_db_prep_save(value, connection) for field, value in shared]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parameters, document])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def in_values(values: Iterable[int] | Iterable[str]) -> RawSQL:
    """A subquery of `values`, for `field__in=in_values(...)`: one parameter however many
    values (an IN list of 200,000 ids would need 200,000 parameters)."""
    items = list(values)
    document = json.dumps(items, separators=(",", ":"))
    if _is_postgresql():
        cast = "bigint" if items and isinstance(items[0], int) else "text"
        # The cast is one of two literals; the values travel as the parameter.
        return RawSQL(f"SELECT (json_array_elements_text(%s::json))::{cast}", [document])  # noqa: S611
    return RawSQL("SELECT value FROM json_each(%s)", [document])
