"""The scheduled refresh: the worker's sweep queues one when the last load is old."""

from datetime import UTC, datetime, timedelta

from panorama.analytics.warehouse import load, status, tasks
from panorama.core import jobs
from tests.factories import InteractionFactory


def test_the_worker_refreshes_the_warehouse_when_it_is_due(shop, settings):
    settings.WAREHOUSE_REFRESH_MINUTES = 15
    load.warehouse_build()
    assert not tasks.refresh_due()
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert tasks.refresh_due(now=later)

    InteractionFactory(customer=shop["marta"])
    data = status.read()
    data["finished_at"] = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    status._write(data)
    jobs.worker_mode(True)
    try:
        tasks.warehouse_tick()  # the immediate backend runs the queued task at once
    finally:
        jobs.worker_mode(False)
    after = status.read()
    assert after["kind"] == "refresh" and after["changed"]["fact_interaction"] == 1


def test_no_schedule_when_the_setting_is_zero(settings, tmp_path):
    settings.WAREHOUSE_PATH = tmp_path / "wh"
    settings.WAREHOUSE_REFRESH_MINUTES = 0
    assert not tasks.refresh_due()
