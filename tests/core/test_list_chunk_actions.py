"""Chunk actions (``BulkAction.run_many``) refuse row by row: when the chunk's service
refuses some rows and says which (``ChunkResult``), the others are done in its one write;
when it can only refuse the whole call, each row is tried on its own, so one bad row
never costs the good ones, in the request (up to ``BULK_INLINE`` rows) as in a
background job. A permission refusal stops the chunk at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.lists import actions, jobs
from panorama.core.lists.actions import BulkAction, ChunkResult
from panorama.customers.models import Customer
from tests.factories import CustomerFactory

from ..lists import list_bulk

pytestmark = pytest.mark.django_db
CALLS: list[int] = []


def _mark(user, rows, _value):
    """A chunk service that can only refuse the whole call (like one validating its
    input first): any "Malo" among its rows refuses them all; else one UPDATE."""
    CALLS.append(len(rows))
    bad = [r for r in rows if r.last_name == "Malo"]
    if bad:
        raise ValidationFailed(f"{bad[0].first_name} Malo is not wanted.")
    Customer.objects.filter(pk__in=[r.pk for r in rows]).update(notes="Hecho")


def _mark_telling(user, rows, _value):
    """The same, but saying which rows it refused: the others done in one UPDATE."""
    CALLS.append(len(rows))
    refused = {r.pk: "Malo is not wanted." for r in rows if r.last_name == "Malo"}
    Customer.objects.filter(pk__in=[r.pk for r in rows if r.pk not in refused]).update(
        notes="Hecho"
    )
    return ChunkResult(refused=refused)


def _denied(user, rows, _value):
    CALLS.append(len(rows))
    raise PermissionDenied("Not yours.")


@pytest.fixture
def action(monkeypatch):
    def offer(run_many):
        CALLS.clear()
        monkeypatch.setitem(
            actions.EXTRA_ACTIONS, "customers", [BulkAction("mark", "Mark", run_many=run_many)]
        )

    return offer


def _crowd(good: int, bad: int) -> list[int]:
    rows = [CustomerFactory(last_name="Bueno").pk for _ in range(good)]
    rows += [CustomerFactory(first_name=f"B{i}", last_name="Malo").pk for i in range(bad)]
    return rows


def _marked() -> int:
    return Customer.objects.filter(notes="Hecho").count()


@pytest.mark.parametrize("run_many", [_mark, _mark_telling])
def test_one_bad_row_is_refused_with_why_and_the_good_ones_are_done(
    client, admin_user, action, run_many
):
    action(run_many)
    ids = _crowd(5, 1)
    client.force_login(admin_user)
    report = list_bulk(client, "customers", action="mark", ids=ids).context["list"].report
    assert report.done == 5 and _marked() == 5
    assert [reason for _row, reason in report.refused] == [
        "B0 Malo is not wanted." if run_many is _mark else "Malo is not wanted."
    ]
    # Telling: one call. Not telling: the failed call, then each row on its own.
    calls = [6] if run_many is _mark_telling else [6, 1, 1, 1, 1, 1, 1]
    assert calls == CALLS


@pytest.mark.parametrize("run_many", [_mark, _mark_telling])
def test_in_a_background_job_each_chunk_refuses_only_its_bad_rows(
    client, admin_user, action, run_many, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(actions, "BULK_INLINE", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 4)
    action(run_many)
    ids = _crowd(10, 2)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = list_bulk(client, "customers", action="mark", all="1")
    job = response.context["list"].bulk_job
    assert (job.status, job.total) == ("queued", len(ids))
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert (job.status, job.done, len(job.refused)) == ("done", 10, 2)
    assert _marked() == 10
    report = client.get(f"/ui/lists/bulk-jobs/{job.pk}/").content.decode()
    assert "10 rows changed." in report and "2 rows refused:" in report


def test_a_permission_refusal_stops_the_chunk_at_once(client, admin_user, action):
    action(_denied)
    ids = _crowd(4, 0)
    client.force_login(admin_user)
    report = list_bulk(client, "customers", action="mark", ids=ids).context["list"].report
    assert report.done == 0 and {r for _n, r in report.refused} == {"Not yours."}
    assert CALLS == [4]


def test_a_telling_chunk_costs_the_same_queries_for_5_rows_or_40(client, admin_user, action):
    action(_mark_telling)
    client.force_login(admin_user)

    def cost(good: int) -> int:
        Customer.objects.update(notes="")
        ids = _crowd(good, 1)
        with CaptureQueriesContext(connection) as queries:
            report = list_bulk(client, "customers", action="mark", ids=ids).context["list"].report
        assert (report.done, len(report.refused)) == (good, 1)
        Customer.objects.filter(pk__in=ids).delete()
        return len(queries)

    assert cost(5) == cost(40)
