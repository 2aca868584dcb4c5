"""GDPR: an erasure and a correction reach the warehouse (and its Parquet copy) on the
next refresh."""

import duckdb

from panorama.analytics.warehouse import engine, load, parquet
from panorama.customers.models import Customer
from panorama.customers.services.customer import customer_update


def everything_about(customer_id: int | None, name: str) -> list[str]:
    """Every warehouse table and Parquet file that still holds the customer's id (unless
    None) or his name."""
    found = []
    con = engine.connect(read_only=True)
    try:
        for table in parquet.table_names():
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            text = " || ' ' || ".join(f"COALESCE(CAST({c} AS VARCHAR), '')" for c in columns)
            by_id = customer_id is not None and "customer_id" in columns
            hits = con.execute(
                f"SELECT count(*) FROM {table} WHERE "
                + ("customer_id = ? OR " if by_id else "")
                + f"contains({text}, ?)",
                ([customer_id] if by_id else []) + [name],
            ).fetchone()[0]
            if hits:
                found.append(table)
    finally:
        con.close()
    for file in engine.parquet_dir().glob("*.parquet"):
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{file}')").fetchall()
        if any(name in str(row) for row in rows):
            found.append(file.name)
    return found


def test_an_erased_customer_leaves_the_warehouse_on_the_next_refresh(shop):
    laura = shop["laura"]
    load.warehouse_build()
    assert "fact_order" in everything_about(laura.pk, "Gómez")

    # Erasure: the customer record goes, and everything of his cascades with it.
    Customer.objects.filter(pk=laura.pk).delete()
    result = load.warehouse_refresh()

    assert everything_about(laura.pk, "Gómez") == []
    assert result.deleted["dim_customer"] == 1
    assert result.deleted["fact_order"] == 2
    assert result.rows["dim_customer"] == 2  # the others stay


def test_a_corrected_name_replaces_the_old_one_in_every_version(shop):
    pedro = shop["pedro"]
    load.warehouse_build()
    customer_update(customer=pedro, by=None, changes={"last_name": "Ruíz-Ortega"})
    customer_update(customer=pedro, by=None, changes={"status": "inactive"})

    load.warehouse_refresh()

    con = engine.connect(read_only=True)
    names = con.execute(
        "SELECT last_name, status FROM dim_customer WHERE customer_id = ? ORDER BY valid_from",
        [pedro.pk],
    ).fetchall()
    con.close()
    # Two versions (the status changed), the corrected name in both.
    assert names == [("Ruíz-Ortega", "active"), ("Ruíz-Ortega", "inactive")]
    assert everything_about(None, "Pedro Ruiz") == []
