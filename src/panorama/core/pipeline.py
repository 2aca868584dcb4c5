"""Write batch N in a background thread while the caller prepares batch N+1.

Bulk work (an import) alternates between Python (parsing, validating) and the
database (inserting, maintaining indexes, committing). The database's share runs
without the GIL (SQLite steps a statement, psycopg waits on the server), so a writer
thread overlaps it with the next batch's Python work.

The writer has its own database connection and one transaction per batch, as the
inline path has; it speaks the caller's language (messages written into rows); it
writes in order; the first error stops it and is raised in the caller. Inside an outer
transaction (a test, a caller's ``atomic``) nothing runs in the background: a second
connection could neither see nor join that transaction.
"""

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, connections
from django.utils import translation

_STOP = object()


class _Writer:
    def __init__(self, write: Callable[[Any], None]):
        self.write = write
        self.error: BaseException | None = None
        self.queue: queue.Queue = queue.Queue(maxsize=1)  # one batch ahead, no more
        self.language = translation.get_language()
        self.thread = threading.Thread(target=self._loop, name="panorama-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        translation.activate(self.language)
        try:
            while (item := self.queue.get()) is not _STOP:
                if self.error is None:
                    try:
                        self.write(item)
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        self.error = exc
        finally:
            connections.close_all()  # this thread's connections only

    def put(self, item: Any) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def finish(self) -> None:
        self.queue.put(_STOP)
        self.thread.join()


@contextlib.contextmanager
def background_writer(write: Callable[[Any], None]) -> Iterator[Callable[[Any], None]]:
    """``with background_writer(write) as put: put(batch)``: every batch is written,
    in order, before the block ends; a writer's error is raised in the caller."""
    if connection.in_atomic_block:
        yield write
        return
    writer = _Writer(write)
    try:
        yield writer.put
    except BaseException:
        writer.finish()
        raise
    writer.finish()
    if writer.error is not None:
        raise writer.error
