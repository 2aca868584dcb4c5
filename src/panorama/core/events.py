"""The domain event bus: one place where the apps tell each other what happened.

``emit`` is called by services; subscribers run after the surrounding transaction
commits, so nobody reacts to a write that was rolled back. Subscribers that do slow
work enqueue a background task themselves.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    """Register ``handler`` for ``event`` ("*" receives every event)."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def unsubscribe(event: str, handler: Handler) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def emit(event: str, **payload: Any) -> None:
    def dispatch() -> None:
        for handler in [*_subscribers.get(event, []), *_subscribers.get("*", [])]:
            try:
                handler(event, payload)
            except Exception:  # one broken subscriber must not break the others
                logger.exception("event subscriber failed", extra={"event": event})

    transaction.on_commit(dispatch)
