"""Keyset pagination: one cursor format and one page shape for every list that pages.

A list ordered by ``(field, id)`` is paged by the last row's values, never by an
offset, so a page costs the same however deep it is and rows written meanwhile do not
shift it. Declare the order once::

    BY_NAME = Keyset("search_name", "id", types=(str, int))
    page = BY_NAME.page(qs, cursor=cursor, limit=limit)   # Page(items, next_cursor)

The cursor is the last row's values as URL-safe base64 JSON: opaque to clients, and a
broken or tampered one is a ``ValidationFailed`` on ``cursor`` (422 in the API, the
message on the page), never a 500. A list with its own query steps (the customer
search) uses ``decode``/``after``/``cut`` one by one.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

T = TypeVar("T")
CursorType = type | tuple[type, ...]  # what isinstance() takes


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def cursor_invalid() -> ValidationFailed:
    return ValidationFailed(_("The page cursor is not valid."), field="cursor")


class Keyset:
    """An order on ``fields`` (a ``-`` prefix for descending; the last one unique, e.g.
    ``id``) and the type each value of a cursor must have."""

    def __init__(self, *fields: str, types: Sequence[CursorType]) -> None:
        if len(fields) != len(types) or len(fields) < 1:
            raise ValueError("A keyset needs one type per field.")
        self.fields = fields
        self.types = tuple(types)

    def encode(self, values: Sequence[Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()

    def decode(self, cursor: str) -> list[Any]:
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise cursor_invalid() from None
        if not isinstance(values, list) or len(values) != len(self.types):
            raise cursor_invalid()
        for value, kind in zip(values, self.types, strict=True):
            # bool is an int to Python, never a page position.
            if isinstance(value, bool) or not isinstance(value, kind):
                raise cursor_invalid()
        return values

    def values_of(self, item: Any) -> list[Any]:
        return [getattr(item, field.lstrip("-")) for field in self.fields]

    def after(self, qs: QuerySet, values: Sequence[Any]) -> QuerySet:
        """The rows that come after ``values`` in this order."""
        condition = Q()
        equal: dict[str, Any] = {}
        for field, value in zip(self.fields, values, strict=True):
            name = field.lstrip("-")
            op = "lt" if field.startswith("-") else "gt"
            condition |= Q(**equal, **{f"{name}__{op}": value})
            equal[name] = value
        return qs.filter(condition)

    def ordered(self, qs: QuerySet) -> QuerySet:
        return qs.order_by(*self.fields)

    def cut(self, items: list[T], limit: int) -> Page[T]:
        """``items`` fetched as ``limit + 1`` rows: the page and the cursor of the next."""
        if len(items) <= limit:
            return Page(items=items, next_cursor=None)
        items = items[:limit]
        return Page(items=items, next_cursor=self.encode(self.values_of(items[-1])))

    def page(self, qs: QuerySet, *, cursor: str = "", limit: int) -> Page:
        """One page of ``qs`` in this order after ``cursor`` (empty: the first page)."""
        if cursor:
            qs = self.after(qs, self.decode(cursor))
        return self.cut(list(self.ordered(qs)[: limit + 1]), limit)


class TimeKeyset(Keyset):
    """A keyset whose first value is a datetime, carried in the cursor as ISO text (the
    agenda's, the board's and the failed messages' orders)."""

    def values_of(self, item: Any) -> list[Any]:
        first, *rest = super().values_of(item)
        return [first.isoformat(), *rest]

    def decode(self, cursor: str) -> list[Any]:
        first, *rest = super().decode(cursor)
        try:
            return [datetime.datetime.fromisoformat(first), *rest]
        except (TypeError, ValueError):
            raise cursor_invalid() from None
