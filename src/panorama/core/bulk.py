"""Bulk insert with explicit primary keys, on SQLite and PostgreSQL.

``bulk_create`` compiles its SQL value by value: for 20,000 imported customers (80,000
rows with their identities, addresses and undo records) that costs seconds, ten times
what the database needs to store them. Here one prepared ``INSERT`` per table runs with
``executemany``; values go through the same database adapters Django uses (dates,
JSON), and ids are taken up front so related rows need no round trip.

- ``objects_insert``: saves unsaved model instances (the import), taking their ids
  safely beside concurrent writers (``ids_reserve``).
- ``TableWriter``: plain tuples with ids the caller assigns (the seeder, which owns
  the database while it runs).
"""

import datetime
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import DateField, DateTimeField, JSONField, signals
from django.db.models.base import ModelState
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)
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
        text = str(connection.ops.adapt_datetimefield_value(value))
    _last_datetime[0], _last_datetime[1] = value, text
    return text


def _memoised_json(field: JSONField):
    """The seeder reuses a few constant dicts (product conditions, ``{}``): encode each
    once. The memo keeps the object, so its id cannot be reused by another dict."""
    memo: dict[int, tuple[Any, Any]] = {}
    db = connections[DEFAULT_DB_ALIAS]  # not the thread-local proxy: once per value adds up

    empty = field.get_db_prep_save({}, db)  # most rows: no custom fields, no metadata

    def convert(value):
        if value == {}:
            return empty
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        prepared = field.get_db_prep_save(value, db)
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


def seeded_values(field: models.Field):
    """``TableWriter`` converters for seeders whose rows hold what SQLite stores already:
    datetimes as naive UTC (``utc_naive``), dates, ``Decimal`` and JSON as its text.
    SQLite's adapters (Django's, for dates and decimals) take them as they are, so the
    rows go to ``executemany`` untouched; PostgreSQL's ``COPY`` gets the datetimes back
    in UTC."""
    if connection.vendor != "sqlite" and isinstance(field, DateTimeField):
        return _utc
    return None


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.replace(tzinfo=datetime.UTC)


def utc_naive(value: datetime.datetime) -> datetime.datetime:
    """``value`` in UTC without its zone, as ``seeded_values`` rows hold datetimes."""
    return value.astimezone(datetime.UTC).replace(tzinfo=None)


def _concrete(field: Any) -> models.Field:
    """``Options.get_field`` also answers reverse relations: a column is a concrete field."""
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{field!r} is not a column.")
    return field


class TableWriter:
    """Accumulates rows of one table and writes them: ``COPY`` on PostgreSQL (several
    times faster than any INSERT), one prepared ``INSERT`` with ``executemany`` on
    SQLite."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], converters=None):
        meta = model._meta
        fields = [_concrete(meta.get_field(name)) for name in columns]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
        self.copy_sql = (
            f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
            if connection.vendor == "postgresql"
            else ""
        )
        self.model = model
        pick = converters or _converter
        self.converters = [(i, c) for i, f in enumerate(fields) if (c := pick(f))]
        self.rows: list[Sequence[Any]] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        rows = self.rows
        if self.converters:
            converted: list[Sequence[Any]] = []
            for row in rows:
                values = list(row)
                for index, convert in self.converters:
                    if values[index] is not None:
                        values[index] = convert(values[index])
                converted.append(values)
            rows = converted
        if self.copy_sql:
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.sql, rows)
        count = len(rows)
        self.written += count
        self.rows = []
        return count


@dataclass
class _Plan:
    """Where the values of one ``model_new`` call shape (its keyword names) go."""

    positions: list[int]  # each value's place among the model's fields
    related: list[tuple[str, str, models.ForeignKey]]  # given as instances: name, attname, FK
    defaults: dict[str, Any]  # the fields not given, with their constant defaults
    factories: list[tuple[str, Any]]  # the fields not given with a callable default


class _Layout:
    """What ``model_new`` and ``objects_insert`` need to know of one model, worked out
    once per model."""

    def __init__(self, model: type[models.Model]):
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.stamped = [
            f
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.index = {name: i for i, name in enumerate(self.attnames)}
        self.plain = not (
            signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        )
        self.relations: dict[str, models.ForeignKey] = {
            f.name: f for f in self.fields if isinstance(f, models.ForeignKey)
        }
        self.defaults: list[Any] = []
        # (position, callable default): called for each instance
        self.factories: list[tuple[int, Any]] = []
        for position, f in enumerate(self.fields):
            if f.has_default() and callable(f.default):
                self.defaults.append(None)
                self.factories.append((position, f.default))
            else:
                self.defaults.append(f.get_default())
        self.plans: dict[tuple[str, ...], _Plan] = {}

    def plan(self, names: tuple[str, ...]) -> "_Plan":
        """How ``model_new`` places values given under ``names`` (worked out once)."""
        positions, related = [], []
        for name in names:
            relation = self.relations.get(name)
            attname = name
            if relation is not None and relation.attname != name:
                attname = relation.attname
                related.append((name, attname, relation))
            position = self.index.get(attname)
            if position is None:
                raise TypeError(f"{self.fields[0].model.__name__} has no field {name!r}.")
            positions.append(position)
        called = {p for p, _f in self.factories}
        plan = _Plan(
            positions=positions,
            related=related,
            defaults={
                attname: self.defaults[i]
                for i, attname in enumerate(self.attnames)
                if i not in positions and i not in called
            },
            factories=[(self.attnames[p], f) for p, f in self.factories if p not in positions],
        )
        self.plans[names] = plan
        return plan


_layouts: dict[type[models.Model], _Layout] = {}


def _layout(model: type[models.Model]) -> _Layout:
    layout = _layouts.get(model)
    if layout is None:
        layout = _layouts[model] = _Layout(model)
    return layout


def model_new(model: type[_M], /, **values: Any) -> _M:
    """``model(**values)``, several times faster: for code that builds thousands of rows.

    Django's keyword path resolves each field through descriptors; its positional path
    (the one ``from_db`` takes) only assigns attributes. ``values`` use field names or
    attnames; a related instance (``customer=…``) is cached on the new instance, so its
    id is taken when it is saved, as with the keyword path.
    """
    layout = _layout(model)
    plan = layout.plans.get(tuple(values))
    if plan is None:
        plan = layout.plan(tuple(values))
    if layout.plain:
        # What ``Model.__init__`` leaves behind for these values, without its per-field
        # descriptor calls (the model has no init signal receivers to notify).
        instance = model.__new__(model)
        attributes = instance.__dict__
        attributes["_state"] = ModelState()
        attributes.update(plan.defaults)
        for attname, factory in plan.factories:
            attributes[attname] = factory()
        attributes.update(values)  # names are attnames, but for related instances:
        for name, attname, relation in plan.related:
            value = attributes.pop(name)
            attributes[attname] = None if value is None else value.pk
            if value is not None:  # cached, so it is at hand as on Django's path
                relation.set_cached_value(instance, value)
        return instance
    args = list(layout.defaults)
    for position, factory in layout.factories:
        args[position] = factory()
    for position, value in zip(plan.positions, values.values(), strict=True):
        args[position] = value
    for name, _attname, relation in plan.related:
        position = layout.index[relation.attname]
        args[position] = None if values[name] is None else values[name].pk
    instance = model(*args)
    for name, _attname, relation in plan.related:
        if values[name] is not None:
            relation.set_cached_value(instance, values[name])
    return instance


def model_attnames(model: type[models.Model]) -> list[str]:
    """The attribute names of ``model``'s columns, in the order ``rows_insert`` takes."""
    return _layout(model).attnames


def row_defaults(model: type[models.Model]) -> list[Any]:
    """A new row for ``rows_insert``: each column's default (a callable default called),
    None where there is none (the primary key, ``auto_now`` stamps)."""
    layout = _layout(model)
    row = list(layout.defaults)
    for position, factory in layout.factories:
        row[position] = factory()
    return row


_sequences: dict[tuple[str, str, str], str] = {}


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys no other writer will take. Call inside ``atomic``.

    PostgreSQL: drawn from the table's sequence. SQLite: the write lock is held from
    BEGIN IMMEDIATE to COMMIT, so the ids after the table's high-water mark (kept in
    ``sqlite_sequence`` by AUTOINCREMENT, so ids of deleted rows are never reused) are
    this transaction's; inserting them moves the mark.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name once per table: ``pg_get_serial_sequence`` inside the
            # series would be looked up again for every id (8 ms instead of 0.6 for 2,000).
            key = (connection.alias, connection.settings_dict["NAME"], table)
            sequence = _sequences.get(key)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                sequence = _sequences[key] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("ids_reserve() on SQLite needs the transaction's write lock.")
        # The high-water mark and the largest id, in one round trip.
        quote = connection.ops.quote_name
        seq = "(SELECT seq FROM sqlite_sequence WHERE name = %s)"
        top = f"(SELECT MAX({quote(column)}) FROM {quote(table)})"  # noqa: S608 (model names)
        cursor.execute(f"SELECT MAX(COALESCE({seq}, 0), COALESCE({top}, 0))", [table])
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


_SIMPLE_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
)


def _object_converter(field: models.Field):
    if isinstance(field, models.ForeignKey):
        return None
    converter = _converter(field)
    if converter is not None or isinstance(field, _SIMPLE_FIELDS):
        return converter
    db = connections[DEFAULT_DB_ALIAS]
    return lambda value: field.get_db_prep_save(value, db)


def objects_insert(objs: Sequence[models.Model], *, given: Sequence[str] = ()) -> None:
    """INSERT unsaved instances of one model, like ``bulk_create`` without signals.

    Sets each instance's primary key; foreign keys to instances saved just before (an
    identity's customer) are resolved; ``auto_now``/``auto_now_add`` fields are filled,
    but for those named in ``given`` (attnames), whose values are kept (seeded dates).
    """
    if not objs:
        return
    model = type(objs[0])
    layout = _layout(model)
    relations = list(layout.relations.values())
    pk_attname = model._meta.pk.attname
    ids = iter(ids_reserve(model, sum(1 for o in objs if o.__dict__[pk_attname] is None)))
    stamped = {
        layout.attnames[position]: value
        for position, value in _stamps(layout)
        if layout.attnames[position] not in given
    }
    # (foreign key's attname, its cache slot, the related model's key attname)
    links = [(f.attname, f.cache_name, f.target_field.attname) for f in relations]
    alias = connection.alias  # once: the proxy costs a thread-local lookup per access
    for obj in objs:
        values = obj.__dict__
        if values.get(pk_attname) is None:
            values[pk_attname] = next(ids)
        if stamped:
            values.update(stamped)
        state = values["_state"]
        cache = state.fields_cache
        if cache:
            for attname, slot, target in links:
                if values.get(attname) is None:
                    related = cache.get(slot)
                    if related is not None:
                        values[attname] = getattr(related, target)
        state.adding = False
        state.db = alias
    row_of = operator.itemgetter(*layout.attnames)
    _rows_write(model, [row_of(o.__dict__) for o in objs])


def _stamps(layout: _Layout) -> list[tuple[int, Any]]:
    """(position, value) of the ``auto_now``/``auto_now_add`` fields: one instant for the
    whole batch, as one statement would have."""
    now = timezone.now()
    return [
        (layout.index[f.attname], now if isinstance(f, DateTimeField) else now.date())
        for f in layout.stamped
    ]


def _rows_write(model: type[models.Model], rows: list) -> None:
    """Write rows of all the model's columns, in ``model_attnames`` order."""
    fields = [f.name for f in _layout(model).fields]
    writer = TableWriter(model, fields, converters=_object_converter)
    writer.rows = rows
    with connection.cursor() as cursor:
        writer.flush(cursor)


def rows_insert(model: type[models.Model], rows: list[list[Any]], **same: Any) -> list[int]:
    """INSERT rows given as lists of column values (``model_attnames`` order), for code
    that never needs the instances. Like ``objects_insert``: primary keys are reserved
    where missing, ``auto_now`` fields stamped, and ``same`` (attname → value) is set on
    every row. Returns the rows' primary keys."""
    if not rows:
        return []
    layout = _layout(model)
    index = layout.index
    pk = index[model._meta.pk.attname]
    ids = iter(ids_reserve(model, sum(1 for row in rows if row[pk] is None)))
    fixed = [(index[name], value) for name, value in same.items()] + _stamps(layout)
    for row in rows:
        if row[pk] is None:
            row[pk] = next(ids)
        for position, value in fixed:
            row[position] = value
    _rows_write(model, rows)
    return [row[pk] for row in rows]


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.aggregate(m=models.Max("pk"))["m"]
    return (last or 0) + 1


def flush_all(writers: Sequence[TableWriter]) -> int:
    """Write every pending row, parents first (the order of ``writers``), in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        return sum(writer.flush(cursor) for writer in writers)


def objects_update(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """UPDATE ``fields`` of saved instances of one model, each row its own values, in one
    prepared statement run with ``executemany``. ``bulk_update`` builds a ``CASE WHEN``
    per field over the whole batch, whose compilation grows with the batch (a campaign's
    ledger of 25 rows took 150 ms of it)."""
    if not objs:
        return
    meta = type(objs[0])._meta
    columns = [_concrete(meta.get_field(name)) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 (names from the model)
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
