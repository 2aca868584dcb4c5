"""The yardstick of the import: the same rows written raw, in the same run.

Absolute rows/s swing by 2x on this shared machine from one run to the next, so the
import is judged against what the database itself takes to store what it wrote:
``import_raw_ratio`` = import rows/s ÷ raw rows/s. The raw write copies the customers an
import just created, with their identities and addresses, under new ids: the same
values, the same tables and indexes, transactions of the import's batch size, written
with nothing but ``COPY`` (PostgreSQL) or one prepared ``INSERT`` with ``executemany``
(SQLite). No validation, no matching, no model, no conversion: what is left is the
database's share.
"""

from __future__ import annotations

import time

from django.db import connection, models, transaction

from panorama.core.bulk import ids_reserve
from panorama.customers.models import Address, Customer, Identity


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _select(model: type[models.Model], where: str, params: list) -> list[list]:
    """The rows as the database driver hands them back (JSON as its text)."""
    quote = connection.ops.quote_name
    names = []
    for field in _columns(model):
        column = quote(field.column)
        if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
            column += "::text"  # COPY takes JSON as text
        names.append(column)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"SELECT {', '.join(names)} FROM {table} WHERE {where} ORDER BY {pk}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


def _renumber(model: type[models.Model], rows: list[list], **links: dict[int, int]) -> dict:
    """New primary keys for ``rows`` (and their links through ``links``: attname → old
    id → new id); returns old id → new id."""
    attnames = [f.attname for f in _columns(model)]
    pk = attnames.index(model._meta.pk.attname)
    with transaction.atomic():
        ids = ids_reserve(model, len(rows))
    renumbered = {}
    for row, new in zip(rows, ids, strict=True):
        renumbered[row[pk]] = new
        row[pk] = new
        for attname, mapping in links.items():
            position = attnames.index(attname)
            row[position] = mapping[row[position]]
    return renumbered


def _write(cursor, model: type[models.Model], rows: list[list]) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in _columns(model))
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(_columns(model)))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def raw_rate(*, job_id: int, batch_size: int) -> float:
    """Rows per second of writing raw, again, what import job ``job_id`` created: one
    row of the file = a customer with its identities and addresses."""
    customers = _select(Customer, "import_job_id = %s", [job_id])
    if not customers:
        raise RuntimeError(f"Import job {job_id} created no customer to copy.")
    table = connection.ops.quote_name(Customer._meta.db_table)
    children = f"customer_id IN (SELECT id FROM {table} WHERE import_job_id = %s)"  # noqa: S608
    identities = _select(Identity, children, [job_id])
    addresses = _select(Address, children, [job_id])
    new_ids = _renumber(Customer, customers)
    _renumber(Identity, identities, customer_id=new_ids)
    _renumber(Address, addresses, customer_id=new_ids)
    # The batches the import committed: a batch's customers and their children.
    pk = [f.attname for f in _columns(Customer)].index("id")
    identity_link = [f.attname for f in _columns(Identity)].index("customer_id")
    address_link = [f.attname for f in _columns(Address)].index("customer_id")
    batches = []
    for start in range(0, len(customers), batch_size):
        chunk = customers[start : start + batch_size]
        first, last = chunk[0][pk], chunk[-1][pk]
        batches.append(
            (
                chunk,
                [r for r in identities if first <= r[identity_link] <= last],
                [r for r in addresses if first <= r[address_link] <= last],
            )
        )
    started = time.perf_counter()
    for chunk, chunk_identities, chunk_addresses in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            _write(cursor, Customer, chunk)
            _write(cursor, Identity, chunk_identities)
            _write(cursor, Address, chunk_addresses)
    seconds = time.perf_counter() - started
    return len(customers) / seconds
