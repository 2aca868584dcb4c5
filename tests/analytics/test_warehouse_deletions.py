"""The refresh reads only what changed for holdings and interactions: holdings by their
``updated_at``, deletions of both from the source's deletion log (written by triggers),
never by reading every source id."""

import duckdb
import pytest
from django.db import connection

from panorama.analytics.models import DeletedRow
from panorama.analytics.warehouse import engine, load, triggers
from panorama.channels.models import Interaction
from panorama.customers.models import Customer, Holding
from tests.factories import HoldingFactory, InteractionFactory


@pytest.fixture(autouse=True)
def no_trigger_lost_before(transactional_db):
    # A transactional test's flush deletes rows with the triggers on (SQLite's DELETE
    # logs each, in whichever order the tables are flushed) and ends with post_migrate,
    # which recreates a trigger an earlier test dropped and marks its table to be checked
    # whole once (the behaviour the last test here checks): each test starts with an
    # empty log, so the entries it counts are its own.
    DeletedRow.objects.all().delete()


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_a_changed_and_a_deleted_holding_and_a_deleted_interaction_reach_the_warehouse(shop):
    laura, pedro = shop["laura"], shop["pedro"]
    kept = HoldingFactory(customer=pedro, product_code="TV", status="active")
    load.warehouse_build()
    fibre = Holding.objects.get(customer=laura, product_code="FIBRE")
    gone = Interaction.objects.filter(customer=pedro).first()

    fibre.status = "ended"
    fibre.save()
    kept.delete()
    gone.delete()
    result = load.warehouse_refresh()

    assert rows("SELECT status FROM fact_holding WHERE holding_id = ?", [fibre.pk]) == [("ended",)]
    assert rows("SELECT count(*) FROM fact_holding WHERE holding_id = ?", [kept.pk]) == [(0,)]
    assert rows("SELECT count(*) FROM fact_interaction WHERE interaction_id = ?", [gone.pk]) == [
        (0,)
    ]
    assert result.deleted["fact_holding"] == 1
    assert result.deleted["fact_interaction"] == 1
    # Only the changed holding and the two log entries were read, not every id.
    assert result.changed["fact_holding"] == 1
    assert result.source_rows["fact_holding"] == 2
    assert result.source_rows["fact_interaction"] == 1
    assert result.rows["fact_interaction"] == Interaction.objects.count() > 1
    # Each entry is read by two refreshes (a late commit on PostgreSQL), then pruned.
    assert DeletedRow.objects.count() == 2
    again = load.warehouse_refresh()
    assert "fact_holding" not in again.deleted
    assert not DeletedRow.objects.exists()


def test_an_erasure_cascade_and_a_bulk_update_are_seen_without_a_save(shop):
    laura = shop["laura"]
    load.warehouse_build()
    fibre = Holding.objects.get(customer=laura, product_code="FIBRE")
    # A bulk move (as a merge does) never calls save(): the trigger stamps updated_at.
    Holding.objects.filter(pk=fibre.pk).update(price=55)
    first = load.warehouse_refresh()
    assert rows("SELECT price FROM fact_holding WHERE holding_id = ?", [fibre.pk]) == [(55,)]
    assert first.changed["fact_holding"] == 1

    interactions = Interaction.objects.filter(customer=laura).count()
    Customer.objects.filter(pk=laura.pk).delete()  # erasure: holdings, interactions cascade
    result = load.warehouse_refresh()

    assert result.deleted["fact_holding"] == 1
    assert result.deleted["fact_interaction"] == interactions
    assert result.source_rows["fact_interaction"] == interactions
    assert rows("SELECT count(*) FROM fact_interaction WHERE customer_id = ?", [laura.pk]) == [(0,)]


def test_a_trigger_lost_by_a_table_rebuild_makes_the_next_refresh_check_the_table_whole(
    shop,
):
    pedro = shop["pedro"]
    load.warehouse_build()
    with connection.cursor() as cursor:
        on = " ON channels_interaction" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER analytics_logdel_channels_interaction{on}")
    # Deleted while the trigger is missing: the log does not know it.
    gone = InteractionFactory(customer=pedro)
    load.warehouse_refresh()
    Interaction.objects.filter(pk=gone.pk).delete()

    assert triggers.triggers_ensure() == ["analytics_logdel_channels_interaction"]
    result = load.warehouse_refresh()

    assert rows("SELECT count(*) FROM fact_interaction WHERE interaction_id = ?", [gone.pk]) == [
        (0,)
    ]
    assert result.deleted["fact_interaction"] == 1
    assert "fact_interaction" not in result.source_rows  # checked whole this time
    InteractionFactory(customer=pedro).delete()
    assert load.warehouse_refresh().source_rows["fact_interaction"] == 1  # the log again


def test_the_parquet_export_rewrites_only_the_tables_a_refresh_changed(shop):
    load.warehouse_build()
    folder = engine.parquet_dir()
    before = {f.name: f.stat().st_ino for f in folder.glob("*.parquet")}
    fibre = Holding.objects.get(customer=shop["laura"], product_code="FIBRE")
    fibre.status = "ended"
    fibre.save()

    load.warehouse_refresh()

    after = {f.name: f.stat().st_ino for f in folder.glob("*.parquet")}
    assert after.keys() == before.keys()
    rewritten = {name for name in after if after[name] != before[name]}
    assert "fact_holding.parquet" in rewritten
    assert "fact_order.parquet" not in rewritten  # carried over, not written again
    assert "fact_interaction.parquet" not in rewritten
    # The marts are rebuilt on every load and always exported.
    assert "mart_finance_profitability.parquet" in rewritten
    statuses = duckdb.sql(
        f"SELECT status FROM read_parquet('{folder / 'fact_holding.parquet'}')"
    ).fetchall()
    assert statuses == [("ended",)]
