"""Bulk UPDATE of saved instances, each row its own values, on SQLite and PostgreSQL.

``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``,
building and compiling one expression per row and field in Python: for the SLA sweep's
15,000 recounted cases that was 45 of its 58 seconds (profiled), the database's share a
fraction of a second. Here the values travel as one ``VALUES`` list joined on the
primary key (``WITH v(…) AS (VALUES …) UPDATE … FROM v``: PostgreSQL, SQLite ≥ 3.33),
the SQL text built once per batch size and the values adapted like ``objects_insert``'s
(``core/bulk.py``). No signals, like ``bulk_update``."""

import datetime
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

from .bulk import _concrete, _object_converter

# Rows per statement at most (the parameter limit may allow fewer).
ROWS = 1000
# PostgreSQL's wire protocol counts parameters in 16 bits.
PG_PARAMS = 65535


# The statement's text per (vendor, table, columns), by rows: built once, not per call
# (a campaign's ledger is written 25 rows at a time, thousands of times).
_statements: dict[tuple[str, str, tuple[str, ...]], dict[int, str]] = {}


def _params_limit() -> int:
    if connection.vendor == "postgresql":
        return PG_PARAMS
    connection.ensure_connection()
    raw = connection.connection
    if hasattr(raw, "getlimit"):  # Python ≥ 3.11
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 999  # the old compile-time default


def _sqlite_moment(value: datetime.datetime) -> str:
    """What Django's SQLite adapter stores for an aware instant (naive UTC text), the
    zone converted once by ``astimezone`` (its path costs a microsecond per step)."""
    if value.tzinfo is None:
        return str(value)
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    if (
        connection.vendor == "sqlite"
        and isinstance(field, models.DateTimeField)
        and connection.timezone_name == "UTC"
    ):
        return _sqlite_moment
    return _object_converter(field)


def objects_update(objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objs`` (saved instances of one model), each row its own
    values, in as few statements as the database's parameter limit allows. Returns
    how many instances were written."""
    if not objs:
        return 0
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None
    columns = [pk, *(_concrete(meta.get_field(name)) for name in fields)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = [quote(f.column) for f in columns]
    if connection.vendor == "postgresql":  # VALUES of bare parameters have no type
        marks = [f"CAST(%s AS {f.db_type(connection)})" for f in columns]
    else:
        marks = ["%s"] * len(columns)
    row_sql = f"({', '.join(marks)})"
    sets = ", ".join(f"{name} = v.{name}" for name in names[1:])
    converters = [(i, c) for i, f in enumerate(columns) if (c := _adapter(f))]
    attnames = [f.attname for f in columns]
    per = max(1, min(ROWS, _params_limit() // len(columns)))
    sqls = _statements.setdefault((connection.vendor, table, tuple(names)), {})
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per):
            params: list = []
            chunk = objs[start : start + per]
            for obj in chunk:
                values = [getattr(obj, name) for name in attnames]
                for i, convert in converters:
                    if values[i] is not None:
                        values[i] = convert(values[i])
                params += values
            sql = sqls.get(len(chunk))
            if sql is None:
                rows = ", ".join([row_sql] * len(chunk))
                sql = sqls[len(chunk)] = (  # names from the model, values as parameters
                    f"WITH v ({', '.join(names)}) AS (VALUES {rows}) "  # noqa: S608
                    f"UPDATE {table} SET {sets} FROM v WHERE {table}.{names[0]} = v.{names[0]}"
                )
            cursor.execute(sql, params)
    return len(objs)
