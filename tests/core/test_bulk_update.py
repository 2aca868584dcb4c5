"""``core.bulk_update.objects_update``: each row its own values (instants in any zone,
nulls, foreign keys) read back as the ORM wrote them, in batches under the database's
parameter limit, other rows and columns untouched."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.core import bulk_update
from panorama.service.models import Case, Queue
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def _case(n: int, queue: Queue | None) -> Case:
    return Case.objects.create(
        customer=CustomerFactory(),
        subject=f"Avería {n}",
        channel="phone",
        queue=queue,
        status="open",
        priority="normal",
        reference=f"C-9{n:05}",
    )


def test_each_row_gets_its_values_and_nothing_else_moves(monkeypatch):
    first, second = Queue.objects.create(name="Uno"), Queue.objects.create(name="Dos")
    cases = [_case(n, first) for n in range(7)]
    untouched = _case(99, first)
    # Instants in Madrid across the spring clock change, written as naive UTC on SQLite.
    start = datetime.datetime(2026, 3, 28, 23, 30, tzinfo=datetime.UTC)

    def due(n: int) -> datetime.datetime | None:
        return (start + datetime.timedelta(hours=n)).astimezone(MADRID) if n % 3 else None

    for n, case in enumerate(cases):
        case.queue = second if n % 2 else None
        case.resolution_due = due(n)
        case.subject = "not written"
    monkeypatch.setattr(bulk_update, "ROWS", 3)  # 7 rows: three statements
    with CaptureQueriesContext(connection) as queries:
        assert bulk_update.objects_update(cases, ["queue", "resolution_due"]) == 7
    assert sum('UPDATE "service_case"' in q["sql"] for q in queries.captured_queries) == 3
    for n, case in enumerate(cases):
        row = Case.objects.get(pk=case.pk)
        assert row.queue_id == (second.pk if n % 2 else None)
        assert row.resolution_due == due(n)
        assert row.subject == f"Avería {n}"
    assert Case.objects.get(pk=untouched.pk).queue_id == first.pk
    assert bulk_update.objects_update([], ["queue"]) == 0
