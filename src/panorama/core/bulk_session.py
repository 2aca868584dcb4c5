"""The database held for bulk work (the seeder, an import): SQLite without fsync or
foreign-key checks while seeding, the cyclic collector run rarely, PostgreSQL's
sequences moved past explicit ids, the planner's statistics refreshed afterwards.
The rows themselves are written by ``core.bulk``."""

import contextlib
import gc
from collections.abc import Iterator, Sequence

from django.core.management.color import no_style
from django.db import connection, models


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """After explicit ids, move PostgreSQL sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load. Without them SQLite guesses
    how selective each index is, and a wrong guess (it once read every unmerged
    customer through an index and sorted them for each page, instead of walking the
    (search_name, id) index) is 100x slower on 100k customers."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Bulk work allocates millions of short-lived objects beside a large live heap
    (Django, the batch in hand). With CPython's default thresholds the cyclic collector
    walks that heap again and again: a third of an import's time. Collect rarely while
    the work runs (reference counting still frees nearly everything at once)."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


BULK_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def sqlite_page_cache(kib: int) -> Iterator[None]:
    """SQLite: the connection's page cache raised to ``kib`` KiB while a large write runs
    (then put back as it was): with the default 64 MB, a write touching more pages than
    that (a 300k-case table is 88 MB) spills them to the WAL mid-transaction and writes
    them again at the commit. A cache only fills as pages are used. Other databases:
    nothing changes."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextlib.contextmanager
def bulk_mode() -> Iterator[None]:
    """SQLite: no fsync while seeding (a crash means re-seeding, nothing else is lost).

    Inside an outer transaction (the tests) SQLite refuses both pragmas: nothing changes.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with few_collections():
            yield
        return
    # Foreign keys hold by construction (parents are written first, ids come from this
    # process), so SQLite need not check each row.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA foreign_keys=OFF")
    try:
        with sqlite_page_cache(BULK_CACHE_KIB), few_collections():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
