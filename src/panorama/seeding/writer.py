"""Bulk insert of plain tuples with explicit primary keys, on SQLite and PostgreSQL.

``bulk_create`` builds a model instance per row and compiles its SQL per batch; at a
million customers (~17 million rows) that alone takes many minutes. The seeder instead
builds tuples and runs one prepared ``INSERT`` per batch with ``executemany``. Values
go through the same database adapters Django uses (dates, JSON), and ids are assigned
in Python so related rows need no round trip.
"""

import contextlib
import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import DateField, DateTimeField, JSONField

_last_datetime: list = [None, None]


def _sqlite_datetime(value: datetime.datetime) -> str:
    # What Django's adapter stores (naive UTC, str()), without its per-call overhead.
    # Consecutive values repeat (created_at = updated_at, a customer's identities), so
    # a one-slot cache halves the work.
    if value is _last_datetime[0]:
        return _last_datetime[1]
    if value.tzinfo is datetime.UTC:
        text = str(value.replace(tzinfo=None))
    else:
        text = connection.ops.adapt_datetimefield_value(value)
    _last_datetime[0], _last_datetime[1] = value, text
    return text


def _memoised_json(field: JSONField):
    """The seeder reuses a few constant dicts (product conditions, ``{}``): encode each
    once. The memo keeps the object, so its id cannot be reused by another dict."""
    memo: dict[int, tuple[Any, Any]] = {}

    def convert(value):
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        prepared = field.get_db_prep_save(value, connection)
        if len(memo) < 1000:
            memo[id(value)] = (value, prepared)
        return prepared

    return convert


def _converter(field: models.Field):
    ops = connection.ops
    if isinstance(field, DateTimeField):
        return _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return ops.adapt_datefield_value
    if isinstance(field, JSONField):
        return _memoised_json(field)
    return None


class TableWriter:
    """Accumulates rows of one table and writes them with ``executemany``."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
        self.model = model
        self.converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f))]
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        rows = self.rows
        if self.converters:
            converted = []
            for row in rows:
                values = list(row)
                for index, convert in self.converters:
                    if values[index] is not None:
                        values[index] = convert(values[index])
                converted.append(values)
            rows = converted
        cursor.executemany(self.sql, rows)
        count = len(rows)
        self.written += count
        self.rows = []
        return count


def next_id(model: type[models.Model]) -> int:
    last = model.objects.aggregate(m=models.Max("pk"))["m"]
    return (last or 0) + 1


def flush_all(writers: Sequence[TableWriter]) -> int:
    """Write every pending row, parents first (the order of ``writers``), in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        return sum(writer.flush(cursor) for writer in writers)


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """After explicit ids, move PostgreSQL sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyse() -> None:
    """Refresh the planner's statistics. Without them SQLite reads ``merged_into IS NULL``
    through its index and sorts the whole table for every customer page, instead of
    walking the (search_name, id) index: 100x slower on 100k customers."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextlib.contextmanager
def bulk_mode() -> Iterator[None]:
    """SQLite: no fsync while seeding (a crash means re-seeding, nothing else is lost).

    Inside an outer transaction (the tests) SQLite refuses both pragmas: nothing changes.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    # Foreign keys hold by construction (parents are written first, ids come from this
    # process), so SQLite need not check each row.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-64000")
            cursor.execute("PRAGMA foreign_keys=ON")
