"""The domain event bus and its catalogue: one place where the apps tell each other what
happened, in names and payloads that are a contract.

Every event is declared once, by the app that emits it (``<app>/events.py``, imported
from its ``AppConfig.ready()``), as a typed payload class registered under its name::

    @event("group.created")
    class GroupCreated(Payload):
        \"\"\"A group was created.\"\"\"
        group_id: int
        by: int | None

``emit(name, **payload)`` refuses a name that is not in the catalogue and a payload that
does not match its class (a missing, extra or mistyped field), so a subscriber can rely
on what it receives. Durable subscribers (``core.outbox``) get every event at least
once through the transactional outbox, even if the process dies after the commit;
in-process subscribers run after the surrounding transaction commits, best effort, so
nobody reacts to a write that was rolled back. ``docs/events.md`` is generated from the catalogue
(``panorama events``) and a test keeps the two equal.
"""

import contextlib
import contextvars
import functools
import logging
import types
import typing
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from django.db import transaction
from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

logger = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)
# How many rule runs led to the events emitted now (``caused_at_depth``): written into
# the outbox copy of their payload as ``_depth`` so a rule whose action triggers itself
# stops at ``automation``'s depth limit instead of looping forever.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("event_depth", default=0)
DEPTH_KEY = "_depth"


@contextlib.contextmanager
def caused_at_depth(depth: int):
    """Mark the events emitted inside as caused by a chain of ``depth`` rule runs."""
    token = _depth.set(depth)
    try:
        yield
    finally:
        _depth.reset(token)


class Payload(BaseModel):
    """The fields an event carries: plain JSON values (ids, not model instances), so a
    subscriber, a queue or a log can take them as they are."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EventError(TypeError):
    """An event not in the catalogue, or a payload that does not match its schema: a
    programming error, raised at the emit so the test of the service catches it."""


catalogue: dict[str, type[Payload]] = {}
# Batch events: name -> (the event each item stands for, the field listing the items).
batches: dict[str, tuple[str, str]] = {}


def event(
    name: str, *, batch_of: str = "", items: str = ""
) -> Callable[[type[Payload]], type[Payload]]:
    """Register a payload class under the event name ``name`` ("<area>.<what happened>").

    ``batch_of``: the event is a batch of ``batch_of`` events, one per element of its
    field ``items``, each with the batch's other fields (``batch_members``). A set-based
    change (the SLA sweep's escalations) writes one outbox row per batch instead of one
    per element; a subscriber that wants the single events expands it."""

    def register(cls: type[Payload]) -> type[Payload]:
        if name in catalogue and catalogue[name] is not cls:
            raise EventError(f"event {name!r} is declared twice")
        if not (cls.__doc__ or "").strip():
            raise EventError(f"event {name!r} needs a docstring: it is its documentation")
        if batch_of and items not in cls.model_fields:
            raise EventError(f"batch event {name!r} has no field {items!r}")
        catalogue[name] = cls
        if batch_of:
            batches[name] = (batch_of, items)
        return cls

    return register


def subscribe(event: str, handler: Handler) -> None:
    """Register ``handler`` for ``event`` ("*" receives every event)."""
    if event != "*" and event not in catalogue:
        raise EventError(f"no event {event!r} in the catalogue")
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def unsubscribe(event: str, handler: Handler) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def payload_check(event: str, payload: dict[str, Any]) -> None:
    """Raise EventError unless ``payload`` is what the catalogue says ``event`` carries."""
    schema = catalogue.get(event)
    if schema is None:
        raise EventError(f"no event {event!r} in the catalogue")
    try:
        schema.model_validate(payload)
    except PydanticValidationError as exc:
        raise EventError(f"payload of {event!r} does not match its schema: {exc}") from None


def batch_members(event: str, payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The single events a batch event stands for (see ``event(batch_of=...)``), each
    element of its list with the batch's other fields; any other event: itself."""
    spec = batches.get(event)
    if spec is None:
        return [(event, payload)]
    member, items = spec
    common = {k: v for k, v in payload.items() if k != items}
    return [(member, {**common, **item}) for item in payload.get(items) or []]


def emit(event: str, **payload: Any) -> None:
    """Check the event, write it to the outbox for its durable subscribers in the
    current transaction (``core.outbox``), and run the in-process subscribers after the
    commit."""
    emit_many(event, [payload])


def emit_many(event: str, payloads: list[dict[str, Any]]) -> None:
    """``emit`` for a set-based change (a sweep, a bulk action): every payload checked in
    one validation call, the outbox rows written in two bulk INSERTs, one hook after the
    commit that runs the subscribers for each payload in order. 150k escalations cost
    6.5 s one ``emit`` at a time."""
    if not payloads:
        return
    schema = catalogue.get(event)
    if schema is None:
        raise EventError(f"no event {event!r} in the catalogue")
    _validate_many(event, schema, payloads)
    from .outbox import outbox_write_many

    # Caused by a rule's actions: the outbox copy carries the depth (``caused_at_depth``).
    depth = _depth.get()
    outbox_write_many(event, [{**p, DEPTH_KEY: depth} for p in payloads] if depth else payloads)

    def dispatch() -> None:
        handlers = [*_subscribers.get(event, []), *_subscribers.get("*", [])]
        member = batches.get(event, ("", ""))[0]
        singles = _subscribers.get(member, []) if member else []
        for payload in payloads:
            calls = [(event, payload, handlers)]
            if singles:  # the subscribers of the single events, one call per element
                calls += [(n, p, singles) for n, p in batch_members(event, payload)]
            for name, data, to in calls:
                for handler in to:
                    try:
                        handler(name, data)
                    except Exception:  # one broken subscriber must not break the others
                        logger.exception("event subscriber failed", extra={"event": name})

    transaction.on_commit(dispatch)


SCALARS = (int, str, float, bool, type(None))


@functools.cache
def _by_shape(schema: type[BaseModel]) -> bool:
    """Whether a payload of ``schema`` is valid exactly when any other of the same
    shape (its keys in order and the exact type of each value) is: every field a plain
    scalar or a union of them, with no constraint (strict mode: the type decides)."""
    for info in schema.model_fields.values():
        annotation = info.annotation
        union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
        kinds = typing.get_args(annotation) if union else (annotation,)
        if info.metadata or not all(kind in SCALARS for kind in kinds):
            return False
    return True


def _shapes(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One payload of each shape (``_by_shape``), the first met. Most lists have a
    single shape: that is checked key by key in C (``map``: as many keys in each, the
    first's keys in each, one type per key), and only a list of several shapes is
    walked payload by payload (a microsecond each: a tenth of the events of an SLA
    sweep over 150k cases)."""
    if not payloads:
        return []
    first = payloads[0]
    try:
        single = len(set(map(len, payloads))) == 1 and all(
            len(set(map(type, map(itemgetter(key), payloads)))) == 1 for key in first
        )
    except KeyError:  # a payload without one of the first's keys
        single = False
    if single:
        return [first]
    seen: dict[tuple, dict[str, Any]] = {}
    for payload in payloads:
        seen.setdefault((tuple(payload), tuple(map(type, payload.values()))), payload)
    return list(seen.values())


def _validate_many(event: str, schema: type[Payload], payloads: list[dict[str, Any]]) -> None:
    """Check ``payloads`` against ``schema``, raising EventError. A set-based change's
    payloads (a sweep's thousands of escalations, a batch event's elements) share a few
    shapes: where the schema's fields are plain scalars, one payload of each shape is
    validated, not each (pydantic building a model per element was most of the SLA
    sweep's events); the same errors as validating them all."""
    spec = batches.get(event)
    checked: list[dict[str, Any]] = payloads
    try:
        if spec is not None:
            items = spec[1]
            item_schema = typing.get_args(schema.model_fields[items].annotation)[0]
            lists: list[Any] = [p.get(items) for p in payloads]
            if _by_shape(item_schema) and all(type(v) is list for v in lists):
                # Each batch without its elements, then one element of each shape.
                outer = [{**p, items: []} for p in payloads]
                _list_adapter(schema).validate_python(outer)
                elements = _shapes([e if type(e) is dict else {"": e} for v in lists for e in v])
                _list_adapter(item_schema).validate_python(elements)
                return
        elif _by_shape(schema):
            checked = _shapes(payloads)
        _list_adapter(schema).validate_python(checked)
    except PydanticValidationError as exc:
        raise EventError(f"payload of {event!r} does not match its schema: {exc}") from None


@functools.cache
def _list_adapter(schema: type[BaseModel]) -> TypeAdapter[list[BaseModel]]:
    return TypeAdapter(list[schema])  # type: ignore[valid-type]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{origin.__name__}[{args}]"
    return "null" if annotation is type(None) else annotation.__name__


def catalogue_markdown() -> str:
    """docs/events.md: every event, what it means and its payload, by name."""
    lines = [
        "# Domain events",
        "",
        "Generated from the catalogue (`panorama events > docs/events.md`); a test keeps",
        "this page equal to it. `core.events.emit(name, **payload)` refuses an event or a",
        "payload that is not described here. Subscribers receive `(name, payload)` after",
        "the writing transaction commits (see docs/architecture.md).",
        "",
    ]
    for name in sorted(catalogue):
        schema = catalogue[name]
        doc = " ".join((schema.__doc__ or "").split())
        lines += [f"## `{name}`", "", doc, "", "| field | type | meaning |", "|---|---|---|"]
        lines += _field_rows(schema)
        if name in batches:
            member, items = batches[name]
            (item,) = typing.get_args(schema.model_fields[items].annotation)
            lines += [
                "",
                f"Each element of `{items}` stands for one `{member}` (with the fields",
                f"above): the subscribers of `{member}` and the rules on it get one per element.",
                "",
                "| field | type | meaning |",
                "|---|---|---|",
                *_field_rows(item),
            ]
        lines.append("")
    return "\n".join(lines)


def _field_rows(schema: type[BaseModel]) -> list[str]:
    return [
        f"| `{field_name}` | `{_type_name(info.annotation)}` | {info.description or ''} |"
        for field_name, info in schema.model_fields.items()
    ]
