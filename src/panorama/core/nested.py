"""A record's small child lists fetched inside the record's own query, as JSON.

The ficha needs a customer and four short lists (identities, addresses, holdings,
billing incidents). Four more round trips cost more than the rows themselves, so
``JSONRows`` turns a correlated queryset into one JSON array column of the parent's
row (``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL) and ``rows_from_json``
turns it back into model instances, with every field converted as Django would.

Use it for lists that are short by nature; ordering is applied in Python by the
caller, since neither database promises the order of an aggregate's input.
"""

import datetime
import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class JSONRows(Subquery):
    """All concrete fields of the rows of ``queryset`` as a JSON array (text)."""

    def __init__(self, queryset: models.QuerySet):
        self.fields = list(queryset.model._meta.concrete_fields)
        super().__init__(
            queryset.values(*[f.attname for f in self.fields]), output_field=models.TextField()
        )

    def _value_sql(self, field: models.Field, vendor: str, quote) -> str:
        column = f"_rows.{quote(field.attname)}"
        if isinstance(field, models.DecimalField):
            # As text: a JSON number would come back as a float.
            return f"CAST({column} AS TEXT)" if vendor == "sqlite" else f"{column}::text"
        if isinstance(field, models.JSONField) and vendor == "sqlite":
            return f"json({column})"  # embedded as JSON, not as a string of JSON
        return column

    def as_sql(self, compiler, connection, template=None, **extra_context):
        vendor, quote = connection.vendor, connection.ops.quote_name
        pairs = ", ".join(
            f"'{f.attname}', {self._value_sql(f, vendor, quote)}" for f in self.fields
        )
        if vendor == "postgresql":
            aggregate = f"COALESCE(json_agg(json_build_object({pairs})), '[]')::text"
        elif vendor == "sqlite":
            aggregate = f"json_group_array(json_object({pairs}))"
        else:  # pragma: no cover - the project supports SQLite and PostgreSQL
            raise NotImplementedError(f"JSONRows does not support {vendor}.")
        # Column names come from the model, never from input.
        template = f"(SELECT {aggregate} FROM (%(subquery)s) _rows)"  # noqa: S608
        return super().as_sql(compiler, connection, template=template, **extra_context)


def _converter(field: models.Field):
    if isinstance(field, models.DateTimeField):

        def convert(value: Any) -> datetime.datetime | None:
            if value is None:
                return None
            parsed = parse_datetime(value)
            if parsed is not None and timezone.is_naive(parsed):  # SQLite stores UTC
                parsed = parsed.replace(tzinfo=datetime.UTC)
            return parsed

        return convert
    if isinstance(field, models.JSONField):
        return lambda value: value
    return field.to_python


def rows_from_json(
    model: type[models.Model], text: str | None, **related: models.Model
) -> list[models.Model]:
    """Instances of ``model`` from a ``JSONRows`` column, as loaded from the database.

    ``related``: parent instances to attach (``customer=customer``), so reading the
    relation does not query again.
    """
    fields = list(model._meta.concrete_fields)
    converters = [(f.attname, _converter(f)) for f in fields]
    names = [f.attname for f in fields]
    objects = []
    for row in json.loads(text or "[]"):
        instance = model.from_db(
            DEFAULT_DB_ALIAS, names, [convert(row[name]) for name, convert in converters]
        )
        for name, parent in related.items():
            setattr(instance, name, parent)
        objects.append(instance)
    return objects
