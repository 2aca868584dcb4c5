"""Data a test module makes once and every one of its tests reads.

A module of two thousand parametrized tests that each made the same fifty objects spent
most of its time making them. ``made_once`` opens a transaction for the module that is
rolled back when the module ends; pytest-django runs each test inside it in a savepoint
(as a ``TestCase``'s tests run inside its ``setUpTestData``), so what a test changes is
undone before the next one and nothing outlives the module. Only for modules without
transactional tests (their flush would empty the tables under the open transaction).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def made_once(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
