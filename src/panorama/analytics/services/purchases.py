"""``import orders``: a company's order history from a CSV file.

Header ``customer_id,date,amount`` and optionally ``order_id,product,quantity`` (any
order, any case; comma, semicolon or tab). Rows sharing an ``order_id`` are the lines of
one order (same customer and date); without ``order_id`` each row is one order. Dates are
ISO (``2024-03-31``). ``customer_id`` is the other system's id: it is looked up as an
external-id identity, and an unknown one creates a customer carrying it (so ``identify``
finds him). A re-run of the same file finds every order again by its key and leaves it
as it is. Every bad row is reported with all its reasons; good rows are kept.

An import writes tens of thousands of rows at once, so it uses ``core.bulk`` (one
prepared INSERT per table); ordinary writes elsewhere do not.
"""

import csv
import io
import json
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core import bulk
from panorama.core.exceptions import ValidationFailed
from panorama.customers import identifiers
from panorama.customers.models import Customer, Identity
from panorama.customers.services.export import csv_cell_safe

from ..models import Purchase, PurchaseImport, PurchaseLine
from .purchase_rows import (  # noqa: F401 (columns_check, text_decode: the task's too)
    columns_check,
    columns_find,
    orders_read,
    rows_read,
    text_decode,
)

_CHUNK = 5000
ZERO = Decimal(0)
_JSON_ROWS = 50_000


def _text(fh: IO[bytes]) -> str:
    data = fh.read()
    if isinstance(data, str):
        return data
    return text_decode(data)


def _as_is(field) -> None:
    return None


class _Writer(bulk.TableWriter):
    """``core.bulk.TableWriter`` with no converter (the values are ready), and on SQLite
    the rows sent as one JSON array per ``_JSON_ROWS`` that ``json_each`` unpacks inside
    the INSERT: binding each value from Python costs twice SQLite's own work for these
    narrow rows (200,000 lines: 1.5 s of CPU by ``executemany``, 0.95 s this way). A
    JSON string stays text and a number a number, as the bound values were; a Decimal
    goes as its text, as Django's SQLite adapter sends it."""

    def __init__(self, model, columns: list[str]):
        super().__init__(model, columns, converters=_as_is)
        meta, quote = model._meta, connection.ops.quote_name
        names = ", ".join(quote(meta.get_field(c).column) for c in columns)
        picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
        self.json_sql = (
            f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608 - names from the model
            f"SELECT {picks} FROM json_each(%s)"
        )

    def flush(self, cursor) -> int:
        if connection.vendor != "sqlite":
            return super().flush(cursor)
        for part in _chunks(self.rows, _JSON_ROWS):
            # Flat rows of plain values: no cycle to look for (half the encoding time).
            text = json.dumps(part, default=str, separators=(",", ":"), check_circular=False)
            cursor.execute(self.json_sql, [text])
        count = len(self.rows)
        self.written += count
        self.rows = []
        return count


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _customers_resolve(
    ids: set[str], *, by: User | None, job: PurchaseImport
) -> tuple[dict[str, int], int]:
    """Customer pk per external id; unknown ids become new customers."""
    found: dict[str, int] = {}
    wanted = sorted(ids)
    for part in _chunks(wanted):
        for value, customer_id, merged in Identity.objects.filter(
            kind=Identity.Kind.EXTERNAL, value__in=part
        ).values_list("value", "customer_id", "customer__merged_into_id"):
            if value not in found or merged is None:
                found[value] = merged or customer_id
    new = [v for v in wanted if v not in found]
    if not new:
        return found, 0
    team = by.teams.order_by("id").first() if by is not None else None
    customers = []
    template = _("Customer %(id)s")
    notes = _("Created by the order history import %(file)s.") % {"file": job.file_name}
    for value in new:
        name = (template % {"id": value})[:255]
        customers.append(
            bulk.model_new(
                Customer,
                kind=Customer.Kind.PERSON,
                display_name=name,
                search_name=identifiers.fold(name),
                owner=by,
                team=team,
                notes=notes,
            )
        )
    bulk.objects_insert(customers)
    label = _("order history")
    identities = [
        bulk.model_new(
            Identity,
            customer=customer,
            kind=Identity.Kind.EXTERNAL,
            value=value,
            label=label,
            is_primary=True,
        )
        for value, customer in zip(new, customers, strict=True)
    ]
    bulk.objects_insert(identities)
    for value, customer in zip(new, customers, strict=True):
        found[value] = customer.pk
    return found, len(new)


def _keys_existing(keys: list[str]) -> set[str]:
    """The keys already imported: a plain chunked ``IN`` (the ORM's per-value lookup
    preparation costs more than the query for tens of thousands of keys)."""
    found: set[str] = set()
    if not keys or not Purchase.objects.exists():
        return found
    table = connection.ops.quote_name(Purchase._meta.db_table)
    with connection.cursor() as cursor:
        for part in _chunks(keys, 900):
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT external_id FROM {table} WHERE external_id IN ({marks})",  # noqa: S608
                part,
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def size_check(size: int) -> None:
    limit = settings.PANORAMA_MAX_IMPORT_BYTES
    if size > limit:
        raise ValidationFailed(
            _("The file is too large; the largest import accepted is %(limit)s bytes.")
            % {"limit": limit},
            field="file",
        )


def purchases_import(
    *, source: str | Path | IO[bytes], by: User | None, file_name: str = ""
) -> PurchaseImport:
    """Import an order history file (a path or an uploaded file object) now."""
    ensure_can(by, "analytics.import_orders")
    started = time.perf_counter()
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ValidationFailed(_("There is no file %(path)s.") % {"path": path}, field="file")
        size = path.stat().st_size
        file_name = file_name or path.name
        handle: IO[bytes] = path.open("rb")
    else:
        size = getattr(source, "size", 0) or 0
        handle = source
        file_name = file_name or Path(getattr(source, "name", "") or "orders.csv").name
    size_check(size)
    with handle:
        text = _text(handle)
    job = PurchaseImport(file_name=file_name[:255], started_by=by)
    return purchases_import_text(job=job, text=text, by=by, started=started)


def purchases_import_text(
    *,
    job: PurchaseImport,
    text: str,
    by: User | None,
    started: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> PurchaseImport:
    """Import the file's text into ``job`` (new, or the task's queued one); ``progress``
    is told the rows read every ``PROGRESS_ROWS``."""
    started = started if started is not None else time.perf_counter()
    reader = rows_read(text)
    header = next(reader, None)
    if not header:
        raise ValidationFailed(_("The file is empty."), field="file")
    at = columns_find(header)
    job.headers = header
    has_product = "product" in at
    rows, orders, errors = orders_read(reader, at, width=len(header), progress=progress)
    job.processed_rows = rows
    job.rows = rows
    job.rejected = len(errors)
    job.errors = errors

    with transaction.atomic():
        job.save()
        keys = list(orders)
        existing = _keys_existing(keys)
        new_keys = [k for k in keys if k not in existing]
        customer_of, created_customers = _customers_resolve(
            {orders[k][0] for k in new_keys}, by=by, job=job
        )
        # Plain rows, one INSERT of JSON rows per 50,000 on SQLite (COPY on PostgreSQL):
        # the amounts are already Decimals and the dates ISO text (one per distinct day),
        # so no value goes through a converter.
        purchase_ids = bulk.ids_reserve(Purchase, len(new_keys))
        purchases = _Writer(
            Purchase,
            ["id", "customer", "external_id", "ordered_on", "amount", "quantity", "import_job"],
        )
        lines = _Writer(PurchaseLine, ["id", "purchase", "product", "quantity", "amount"])
        iso: dict = {}
        line_count = sum(len(orders[k][2]) for k in new_keys) if has_product else 0
        line_ids = iter(bulk.ids_reserve(PurchaseLine, line_count))
        add_purchase, add_line = purchases.rows.append, lines.rows.append  # once per row
        quantity_of, amount_of = itemgetter(1), itemgetter(2)
        for key, purchase_id in zip(new_keys, purchase_ids, strict=True):
            customer, day, order_lines, _row = orders[key]
            if len(order_lines) == 1:
                total, items = order_lines[0][2], order_lines[0][1]
            else:
                total = sum(map(amount_of, order_lines), ZERO)
                items = sum(map(quantity_of, order_lines), ZERO)
            text_day = iso.get(day) or iso.setdefault(day, day.isoformat())
            add_purchase((purchase_id, customer_of[customer], key, text_day, total, items, job.pk))
            if has_product:
                for product, quantity, amount in order_lines:
                    add_line((next(line_ids), purchase_id, product, quantity, amount))
        with connection.cursor() as cursor:
            purchases.flush(cursor)
            lines.flush(cursor)
        job.orders_created = len(new_keys)
        job.orders_unchanged = len(existing)
        job.customers_created = created_customers
        job.seconds = time.perf_counter() - started
        job.save()
    return job


def purchase_import_rejected_csv(*, job: PurchaseImport) -> str:
    """The rejected rows as a CSV to fix and import again: every column of the row as it
    was read, then its row number, the columns at fault and all its reasons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headers = list(job.headers)
    width = len(headers)
    writer.writerow(csv_cell_safe(h) for h in [*headers, _("Row"), _("Column"), _("Problems")])
    for error in job.errors:
        cells = (list(error["cells"]) + [""] * width)[:width]
        problems = error["problems"]
        writer.writerow(
            csv_cell_safe(c)
            for c in [
                *cells,
                error["row"],
                "; ".join(dict.fromkeys(p["field"] for p in problems)),
                "; ".join(p["message"] for p in problems),
            ]
        )
    return "\ufeff" + buffer.getvalue()
