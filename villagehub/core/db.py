"""Database expressions the query planners need help with, and bulk inserts."""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import DateTimeField, F, Field, Func, JSONField, Model
from pydantic_core import to_json


class Unindexed(Func):
    """A column that SQLite will not look up in an index (`+column`).

    For a condition that most rows meet, on a list read in the order of another index: the
    planner, which has no statistics on ranges, would otherwise read the condition's index
    and sort every match. Other databases get the column as it is (they have statistics).
    """

    template = "%(expressions)s"

    def __init__(self, column: str, **extra):
        super().__init__(F(column), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


# Up to this many rows, PostgreSQL gets one INSERT rather than COPY.
FEW_ROWS = 20


def rows_insert(
    model: type[Model], columns: Sequence[str], rows: Iterable[Sequence], *, ids: bool = False
) -> list[int]:
    """Insert rows of plain values (in the order of `columns`, the fields' attnames) in one go,
    without a model instance per row; with `ids`, answer the new rows' ids in order.

    For writes of thousands of small rows at once: Django's bulk_create prepares and quotes
    each value in Python (and on PostgreSQL sends arrays of them), which costs more than the
    database's own work. PostgreSQL gets COPY (ids drawn from the table's sequence first),
    or for a few rows one INSERT (COPY takes two round trips to the server, an INSERT one);
    SQLite an executemany, or one INSERT per row when the ids are wanted (in process, cheap).
    JSON columns take Python values; date-times aware ones.
    """
    fields = [cast(Field, model._meta.get_field(name)) for name in columns]
    table = model._meta.db_table
    vendor = connection.vendor
    prepared = _prepared(fields, vendor, rows)
    if not prepared:
        return []
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    with connection.cursor() as cursor:
        if vendor == "postgresql" and len(prepared) <= FEW_ROWS:
            one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - the model's names
                + ", ".join([one_row] * len(prepared))
                + (" RETURNING id" if ids else ""),
                [value for values in prepared for value in values],
            )
            return [found[0] for found in cursor.fetchall()] if ids else []
        if vendor == "postgresql":
            new_ids: list[int] = []
            if ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(prepared)],
                )
                new_ids = [row[0] for row in cursor.fetchall()]
                names = "id, " + names
                prepared = [(pk, *row) for pk, row in zip(new_ids, prepared, strict=True)]
            # The driver's own cursor: its errors become Django's (IntegrityError, ...) here.
            statement = f"COPY {table} ({names}) FROM STDIN"
            started = time.monotonic()
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                for row in prepared:
                    copy.write_row(row)
            if connection.queries_logged:
                # Logged as Django logs its own statements, so that counts of queries
                # (tests, the debug toolbar) include it.
                connection.queries_log.append(
                    {"sql": statement, "time": f"{time.monotonic() - started:.3f}"}
                )
            return new_ids
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - model's names
        if not ids:
            cursor.executemany(sql, prepared)
            return []
        new_ids = []
        for row in prepared:
            cursor.execute(sql, row)
            new_ids.append(cursor.lastrowid)
        return new_ids


def _prepared(fields: list[Field], vendor: str, rows: Iterable[Sequence]) -> list[Sequence]:
    """The rows with the values of the columns that need it prepared (the others, most of
    them, as they are: a call per value would cost more than writing it)."""
    preparers = [(n, p) for n, p in enumerate(_preparer(f, vendor) for f in fields) if p]
    if not preparers:
        return list(rows)
    prepared: list[Sequence] = []
    for row in rows:
        values = list(row)
        for n, prepare in preparers:
            values[n] = prepare(values[n])
        prepared.append(values)
    return prepared


def _preparer(field: Field, vendor: str) -> Callable[[Any], Any] | None:
    if isinstance(field, JSONField):
        if field.encoder is None:
            # pydantic's Rust encoder (installed with django-ninja): the same JSON as
            # json.dumps, compact and in UTF-8, several times faster on these small values.
            return lambda value: to_json(value).decode()
        return lambda value: json.dumps(value, cls=field.encoder)
    if isinstance(field, DateTimeField) and vendor != "postgresql":
        return _datetimes_adapted()
    return None


def _datetimes_adapted() -> Callable[[Any], Any]:
    """SQLite's text of each date-time, made once per value: the rows of one write mostly
    share the moment of the write."""
    made: dict[Any, Any] = {}

    def adapt(value: Any) -> Any:
        if value not in made:
            made[value] = connection.ops.adapt_datetimefield_value(value)
        return made[value]

    return adapt


def rows_delete(model: type[Model], column: str, values: Sequence) -> None:
    """Delete the rows whose `column` (an attname) is one of `values`, 500 at a time, with a
    written-out statement: the ORM's delete compiles the list value by value, which cost more
    than the deletion itself. For tables that nothing refers to."""
    name = connection.ops.quote_name(str(cast(Field, model._meta.get_field(column)).column))
    with connection.cursor() as cursor:
        for start in range(0, len(values), 500):
            chunk = list(values[start : start + 500])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {name} IN ({placeholders})",  # noqa: S608
                chunk,
            )


def rows_update(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Update rows by id with plain values: each row gives the values of `columns`, then the
    id. One executemany (pipelined by psycopg) instead of bulk_update's CASE per column."""
    fields = [cast(Field, model._meta.get_field(name)) for name in columns]
    rows = list(rows)
    values = _prepared(fields, connection.vendor, [row[:-1] for row in rows])
    prepared = [(*changed, row[-1]) for changed, row in zip(values, rows, strict=True)]
    if not prepared:
        return
    assignments = ", ".join(
        f"{connection.ops.quote_name(str(field.column))} = %s" for field in fields
    )
    sql = f"UPDATE {model._meta.db_table} SET {assignments} WHERE id = %s"  # noqa: S608 - model's names
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
