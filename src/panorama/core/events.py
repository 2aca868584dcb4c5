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


def event(name: str) -> Callable[[type[Payload]], type[Payload]]:
    """Register a payload class under the event name ``name`` ("<area>.<what happened>")."""

    def register(cls: type[Payload]) -> type[Payload]:
        if name in catalogue and catalogue[name] is not cls:
            raise EventError(f"event {name!r} is declared twice")
        if not (cls.__doc__ or "").strip():
            raise EventError(f"event {name!r} needs a docstring: it is its documentation")
        catalogue[name] = cls
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
    try:
        _list_adapter(schema).validate_python(payloads)
    except PydanticValidationError as exc:
        raise EventError(f"payload of {event!r} does not match its schema: {exc}") from None
    from .outbox import outbox_write_many

    # Caused by a rule's actions: the outbox copy carries the depth (``caused_at_depth``).
    depth = _depth.get()
    outbox_write_many(event, [{**p, DEPTH_KEY: depth} for p in payloads] if depth else payloads)

    def dispatch() -> None:
        handlers = [*_subscribers.get(event, []), *_subscribers.get("*", [])]
        for payload in payloads:
            for handler in handlers:
                try:
                    handler(event, payload)
                except Exception:  # one broken subscriber must not break the others
                    logger.exception("event subscriber failed", extra={"event": event})

    transaction.on_commit(dispatch)


@functools.cache
def _list_adapter(schema: type[Payload]) -> TypeAdapter[list[Payload]]:
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
        for field_name, info in schema.model_fields.items():
            meaning = info.description or ""
            lines.append(f"| `{field_name}` | `{_type_name(info.annotation)}` | {meaning} |")
        lines.append("")
    return "\n".join(lines)
