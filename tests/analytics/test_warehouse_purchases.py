"""The imported order history in the warehouse: ``import orders`` then a build puts the
purchases and their lines in ``fact_purchase``/``fact_purchase_line``; the commercial
results, profitability and prioritisation marts, the revenue drill-down, the report
builder and the RFM and basket jobs count them beside the CRM's orders; a refresh
appends new imports, follows a merge and forgets an erased customer."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from panorama.analytics.models import Purchase
from panorama.analytics.reports import selectors as reports
from panorama.analytics.warehouse import engine, jobs, load
from panorama.analytics.warehouse.selectors import Filters, drill_rows
from panorama.customers.models import Customer

HISTORY = """order_id,customer_id,date,amount,product,quantity
A1,ext-1,2025-01-10,30.00,Bread,1
A1,ext-1,2025-01-10,20.00,Milk,2
A2,ext-2,2025-02-03,100.00,Bread,1
A2,ext-2,2025-02-03,5.00,Milk,1
A3,ext-1,2025-03-01,70.00,Tea,1
"""
# Sold CRM orders of the shop: Laura 55 + 255 and Marta 55 (Ana's), Pedro 200 (Bruno's).
CRM_REVENUE = 565

REVENUE = {
    "name": "Revenue",
    "source": "mart_commercial_results",
    "dimensions": [],
    "measures": [{"column": "revenue", "agg": "sum"}, {"column": "orders", "agg": "sum"}],
    "filters": [],
    "chart": "table",
    "shared_roles": [],
}


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def import_orders(tmp_path, text, user, name="history.csv"):
    path = tmp_path / name
    path.write_text(text)
    call_command("import_orders", str(path), "--user", user.username, stdout=StringIO())


def customer(external_id: str) -> Customer:
    return Customer.objects.get(identities__value=external_id)


@pytest.fixture
def imported(shop, tmp_path):
    import_orders(tmp_path, HISTORY, shop["ana"])  # new customers: Ana's, team North
    return {"ext1": customer("ext-1"), "ext2": customer("ext-2")}


def test_the_build_counts_the_imported_history_in_the_marts(imported, shop):
    result = load.warehouse_build()
    assert result.rows["fact_purchase"] == 3 and result.rows["fact_purchase_line"] == 5
    ext1, ext2 = imported["ext1"].pk, imported["ext2"].pk

    results = rows(
        "SELECT month, SUM(orders), SUM(revenue) FROM mart_commercial_results GROUP BY 1"
    )
    by_month = {month: (orders, float(revenue)) for month, orders, revenue in results}
    assert by_month[datetime.date(2025, 1, 1)] == (1, 50.0)
    assert by_month[datetime.date(2025, 2, 1)] == (1, 105.0)
    assert sum(revenue for _, revenue in by_month.values()) == CRM_REVENUE + 225

    profit = dict(
        (c, (o, float(r)))
        for c, o, r in rows("SELECT customer_id, orders, revenue FROM mart_finance_profitability")
    )
    assert profit[ext1] == (2, 120.0) and profit[ext2] == (1, 105.0)
    priority = dict(
        rows(
            "SELECT customer_id, frequency FROM mart_marketing_priority "
            "WHERE customer_id IN (?, ?)",
            [ext1, ext2],
        )
    )
    assert priority == {ext1: 2, ext2: 1}

    # Record-level access: Ana's report counts her imported customers, Bruno's does not.
    assert float(reports.report_run(user=shop["ana"], definition=REVENUE).rows[0][0]) == 590.0
    assert float(reports.report_run(user=shop["bruno"], definition=REVENUE).rows[0][0]) == 200.0
    # The revenue bar of January 2025 drills down to the customer who bought then.
    _widget, drilled = drill_rows(
        user=shop["analyst"],
        department="commercial",
        key="revenue",
        label="2025-01",
        filters=Filters(),
    )
    assert [(r[0], float(r[2])) for r in drilled] == [(ext1, 50.0)]

    # The RFM and basket jobs (the ones Spark repeats) read the history too.
    con = engine.connect(read_only=True)
    try:
        done = jobs.duckdb_jobs(con)
    finally:
        con.close()
    rfm = {row[0]: (row[2], float(row[3])) for row in done["rfm"]}
    assert rfm[ext1] == (2, 120.0) and rfm[ext2] == (1, 105.0)
    pairs = {(a, b): n for a, b, n, _support in done["basket"]}
    assert pairs[("Bread", "Milk")] == 2
    assert ("FIBRE", "TV") in pairs  # the CRM's lines, by SKU, beside them


def test_a_refresh_appends_imports_follows_a_merge_and_forgets_an_erasure(imported, shop, tmp_path):
    load.warehouse_build()
    import_orders(
        tmp_path, "customer_id,date,amount\next-3,2025-04-01,40.00\n", shop["ana"], "more.csv"
    )
    # A merge moves ext-1's purchases to Marta (the survivor).
    Purchase.objects.filter(customer=imported["ext1"]).update(customer=shop["marta"])

    result = load.warehouse_refresh()

    assert result.changed["fact_purchase"] >= 1
    profit = dict(
        (c, float(r))
        for c, r in rows("SELECT customer_id, revenue FROM mart_finance_profitability")
    )
    assert profit[shop["marta"].pk] == 55.0 + 120.0
    assert profit[customer("ext-3").pk] == 40.0
    assert imported["ext1"].pk not in profit
    assert rows("SELECT DISTINCT customer_id FROM fact_purchase_line WHERE product = 'Tea'") == [
        (shop["marta"].pk,)
    ]

    Customer.objects.filter(pk=imported["ext2"].pk).delete()  # erasure: his purchases cascade
    result = load.warehouse_refresh()
    assert result.deleted["fact_purchase"] == 1 and result.deleted["fact_purchase_line"] == 2
    assert rows(
        "SELECT count(*) FROM fact_purchase WHERE customer_id = ?", [imported["ext2"].pk]
    ) == [(0,)]
    total = rows("SELECT SUM(revenue) FROM mart_commercial_results")[0][0]
    assert float(total) == CRM_REVENUE + 120 + 40
