"""Reading an order history file: its rows, each checked, grouped into orders.

Every row goes through one validation, ``row_check``, which finds all of a row's
problems. Most rows of a real file are plain (``2024-03-31``, ``12.50``, an id without
blanks): ``plain_reader`` recognises those with a few dictionary lookups (a file has few
distinct dates and quantities, and repeats its amounts) and gives the very values
``row_check`` would; any row it does not recognise goes to ``row_check``, so a bad row is
reported with every reason, as before. ``orders_read`` groups the good rows by order key.
"""

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

REQUIRED = ("customer_id", "date", "amount")
OPTIONAL = ("order_id", "product", "quantity")
PROGRESS_ROWS = 20_000  # the task is told how far it has read every so many rows
_AMOUNT_LIMIT = Decimal("1e12")
_BLANK_OR_NUL = re.compile(r"[\s\x00]").search
# What ``plain_reader`` recognises without ``row_check``: an ISO day, and a plain
# non-negative number under 1e12 with at most two decimals.
_PLAIN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}").fullmatch
_PLAIN_NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,2})?").fullmatch
_CACHE = 200_000  # values remembered per column
ONE = Decimal(1)


def text_decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def columns_find(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValidationFailed(
            _("The file needs the columns %(cols)s; missing: %(missing)s.")
            % {"cols": ", ".join(REQUIRED), "missing": ", ".join(missing)},
            field="file",
        )
    return {c: names.index(c) for c in (*REQUIRED, *OPTIONAL) if c in names}


def columns_check(text: str) -> list[str]:
    """The file's header, refused without the required columns (or when empty)."""
    header = next(rows_read(text.split("\n", 1)[0]), None)
    if not header:
        raise ValidationFailed(_("The file is empty."), field="file")
    columns_find(header)
    return header


def _decimal(raw: str, field: str, problems: list[dict]) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        problems.append({"field": field, "message": _("%(v)s is not a number.") % {"v": raw}})
        return None
    if not value.is_finite() or abs(value) >= _AMOUNT_LIMIT:
        problems.append({"field": field, "message": _("%(v)s is out of range.") % {"v": raw}})
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append(
            {"field": field, "message": _("%(v)s has more than two decimals.") % {"v": raw}}
        )
        return None
    return value


def row_check(cells: list[str], at: dict[str, int]) -> tuple[tuple | None, list[dict]]:
    """(customer, date, amount, order_id, product, quantity) or None, and the problems."""
    problems: list[dict] = []

    width = len(cells)

    def cell(name: str) -> str:
        position = at.get(name)
        return cells[position].strip() if position is not None and position < width else ""

    customer = cell("customer_id")
    if not customer:
        problems.append({"field": "customer_id", "message": _("The customer id is empty.")})
    elif len(customer) > 255 or _BLANK_OR_NUL(customer):
        problems.append(
            {
                "field": "customer_id",
                "message": _("%(v)s is not a valid identifier.") % {"v": customer[:40]},
            }
        )
    raw_date = cell("date")
    day = None
    try:
        day = datetime.date.fromisoformat(raw_date)
    except ValueError:
        problems.append(
            {
                "field": "date",
                "message": _("%(v)s is not an ISO date (YYYY-MM-DD).") % {"v": raw_date[:40]},
            }
        )
    raw_amount = cell("amount")
    amount = None
    if not raw_amount:
        problems.append({"field": "amount", "message": _("The amount is empty.")})
    else:
        amount = _decimal(raw_amount, "amount", problems)
        if amount is not None and amount < 0:
            problems.append({"field": "amount", "message": _("The amount is negative.")})
    quantity = Decimal(1)
    raw_quantity = cell("quantity")
    if raw_quantity:
        q = _decimal(raw_quantity, "quantity", problems)
        if q is not None and q <= 0:
            problems.append({"field": "quantity", "message": _("The quantity must be positive.")})
        elif q is not None:
            quantity = q
    product = cell("product")
    if len(product) > 200:
        problems.append({"field": "product", "message": _("The product name is too long.")})
    order_id = cell("order_id")
    if len(order_id) > 200 or "\x00" in order_id:
        problems.append({"field": "order_id", "message": _("The order id is too long.")})
    if problems:
        return None, problems
    return (customer, day, amount, order_id, product, quantity), problems


def rows_read(text: str) -> Iterator[list[str]]:
    """The file's rows; a file the CSV reader cannot read (a NUL byte, a cell past the
    reader's size limit, an unclosed quote at the end) is refused with its line."""
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(first))
    try:
        yield from reader
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file is not a readable CSV (line %(n)s: %(e)s).")
            % {"n": reader.line_num, "e": exc},
            field="file",
        ) from None


def plain_reader(at: dict[str, int], width: int) -> Callable[[list[str]], tuple | None]:
    """The plain rows' values without ``row_check`` (``None`` for any other row): a
    closure over local names, the cheapest lookups Python has, for a call per row."""
    c_at, d_at, a_at = at["customer_id"], at["date"], at["amount"]
    o_at, p_at, q_at = at.get("order_id"), at.get("product"), at.get("quantity")
    days: dict[str, datetime.date] = {}
    amounts: dict[str, Decimal] = {}
    quantities: dict[str, Decimal] = {"": ONE}
    day_of, amount_of, quantity_of = days.get, amounts.get, quantities.get
    blank_or_nul, plain_day, plain_number = _BLANK_OR_NUL, _PLAIN_DAY, _PLAIN_NUMBER

    def new_day(raw: str) -> datetime.date | None:
        if not plain_day(raw):
            return None
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            return None
        if len(days) < _CACHE:
            days[raw] = day
        return day

    def new_number(raw: str, cache: dict[str, Decimal]) -> Decimal | None:
        if not plain_number(raw):
            return None
        value = Decimal(raw)
        if len(cache) < _CACHE:
            cache[raw] = value
        return value

    def read(cells: list[str]) -> tuple | None:
        if len(cells) != width:
            return None
        customer = cells[c_at]
        if not customer or len(customer) > 255 or blank_or_nul(customer):
            return None
        raw = cells[d_at]
        day = day_of(raw) or new_day(raw)
        if day is None:
            return None
        raw = cells[a_at]
        amount = amount_of(raw)
        if amount is None:
            amount = new_number(raw, amounts)
            if amount is None:
                return None
        quantity: Decimal | None = ONE
        if q_at is not None:
            raw = cells[q_at]
            quantity = quantity_of(raw) or new_number(raw, quantities)
            if not quantity:  # not plain, or zero
                return None
        product = cells[p_at].strip() if p_at is not None else ""
        order_id = cells[o_at].strip() if o_at is not None else ""
        if len(product) > 200 or len(order_id) > 200 or "\x00" in order_id:
            return None
        return customer, day, amount, order_id, product, quantity

    return read


def orders_read(
    reader: Iterator[list[str]],
    at: dict[str, int],
    *,
    width: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, dict[str, list[Any]], list[dict]]:
    """(rows read, order key → [customer, day, [(product, quantity, amount), ...],
    first row number], rejected rows with all their problems)."""
    errors: list[dict] = []
    orders: dict[str, list[Any]] = {}
    occurrences: Counter[tuple] = Counter()
    has_order_id = "order_id" in at
    fast = plain_reader(at, width)
    rows = 0
    for number, cells in enumerate(reader, start=2):
        if progress is not None and not number % PROGRESS_ROWS:
            progress(rows)
        parsed = fast(cells)
        if parsed is None:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            parsed, problems = row_check(cells, at)
            if parsed is None:
                rows += 1
                errors.append({"row": number, "cells": cells, "problems": problems})
                continue
        rows += 1
        customer, day, amount, order_id, product, quantity = parsed
        if has_order_id and order_id:
            order = orders.get(order_id)
            if order is None:
                orders[order_id] = [customer, day, [(product, quantity, amount)], number]
            elif order[0] == customer and order[1] == day:
                order[2].append((product, quantity, amount))
            else:
                message = _("Order %(o)s has customer %(c)s and date %(d)s on row %(r)s.") % {
                    "o": order_id,
                    "c": order[0],
                    "d": order[1],
                    "r": order[3],
                }
                problems = [{"field": "order_id", "message": message}]
                errors.append({"row": number, "cells": cells, "problems": problems})
            continue
        triple = (customer, day, amount)
        occurrences[triple] += 1
        key = f"{customer}|{day.isoformat()}|{amount}|{occurrences[triple]}"
        order = orders.get(key)
        if order is None:
            orders[key] = [customer, day, [(product, quantity, amount)], number]
        else:
            order[2].append((product, quantity, amount))
    return rows, orders, errors
