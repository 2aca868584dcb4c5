"""The same jobs on Spark and on DuckDB give the same rows, on a seeded Parquet data
set shaped like the warehouse's export (a local[2] Spark, one session for the run)."""

import csv
import datetime
import io
import json
import random
from decimal import Decimal

import duckdb
import pytest
from django.core.management import call_command

from panorama.analytics.warehouse import jobs, marts, parquet, schema, spark

pytestmark = pytest.mark.spark

TODAY = datetime.date.today()


def _day(rng, span=400):
    return TODAY - datetime.timedelta(days=rng.randint(0, span))


def _at(day, rng):
    return datetime.datetime.combine(day, datetime.time(rng.randint(0, 23), rng.randint(0, 59)))


def seeded_export(folder, *, seed=13, customers=300):
    """Write every warehouse table as Parquet: random but reproducible history."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in schema.TABLES:
        con.execute(f"CREATE TABLE {table.name} ({table.columns})")

    def put(table, columns, rows):
        """Through a CSV file: one bulk insert (DuckDB's executemany is row by row)."""
        path = folder.parent / f"{table}.csv"
        with open(path, "w", newline="") as out:
            csv.writer(out).writerows(
                ["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row]
                for row in rows
            )
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM "
            f"read_csv('{path}', header = false, all_varchar = true, nullstr = '')"
        )
        path.unlink()

    put(
        "dim_customer",
        [
            "customer_key",
            "customer_id",
            "valid_from",
            "valid_to",
            "is_current",
            "status",
            "owner_id",
            "team_id",
        ],
        [
            (
                c,
                c,
                datetime.datetime(2020, 1, 1),
                datetime.datetime(9999, 12, 31),
                True,
                "active",
                1 + c % 5,
                1 + c % 2,
            )
            for c in range(1, customers + 1)
        ],
    )
    orders, lines, line_id = [], [], 0
    for order_id in range(1, customers * 4):
        day = _day(rng)
        status = rng.choice(["delivered", "delivered", "confirmed", "cancelled", "draft"])
        total = Decimal(rng.randint(100, 90000)) / 100
        expected = day + datetime.timedelta(days=5)
        delivered = _at(day + datetime.timedelta(days=rng.randint(1, 9)), rng)
        orders.append(
            (
                order_id,
                rng.randint(1, customers),
                status,
                total,
                _at(day, rng),
                day,
                expected,
                delivered if status == "delivered" else None,
                rng.randint(1, 9) if status == "delivered" else None,
                delivered.date() <= expected if status == "delivered" else None,
            )
        )
        for product in rng.sample(range(1, 13), rng.randint(1, 4)):
            line_id += 1
            lines.append(
                (line_id, order_id, product, f"SKU-{product}", Decimal(rng.randint(1, 3)), total)
            )
    put(
        "fact_order",
        [
            "order_id",
            "customer_id",
            "status",
            "total",
            "created_at",
            "date_key",
            "expected_delivery",
            "delivered_at",
            "delivery_days",
            "delivered_on_time",
        ],
        orders,
    )
    put(
        "fact_order_line",
        ["line_id", "order_id", "product_id", "sku", "quantity", "total"],
        lines,
    )
    # The imported order history: purchases of the same customers, over a longer past,
    # with lines naming the other system's products (some lines without one).
    purchases, purchase_lines = [], []
    for purchase_id in range(1, customers * 3):
        day = _day(rng, 900)
        amount = Decimal(rng.randint(100, 50000)) / 100
        purchases.append((purchase_id, rng.randint(1, customers), day, amount))
        for product in rng.sample(["Bread", "Milk", "Eggs", "Tea", "SKU-3", ""], 3):
            line_id += 1
            purchase_lines.append((line_id, purchase_id, product or None, 1, amount / 3, day))
    put("fact_purchase", ["purchase_id", "customer_id", "date_key", "amount"], purchases)
    put(
        "fact_purchase_line",
        ["line_id", "purchase_id", "product", "quantity", "amount", "date_key"],
        purchase_lines,
    )
    put(
        "fact_opportunity",
        [
            "opportunity_id",
            "customer_id",
            "pipeline",
            "stage_id",
            "stage",
            "stage_position",
            "status",
            "amount_base",
            "weighted_base",
            "expected_close",
            "closed_at",
        ],
        [
            (
                o,
                rng.randint(1, customers),
                "New",
                s,
                f"Stage {s}",
                s,
                st,
                Decimal(rng.randint(1, 5000)),
                Decimal(rng.randint(1, 2000)),
                _day(rng, 60),
                None if st == "open" else _at(_day(rng), rng),
            )
            for o in range(1, 400)
            for s, st in [(rng.randint(1, 4), rng.choice(["open", "won", "lost"]))]
        ],
    )
    put(
        "fact_interaction",
        [
            "interaction_id",
            "customer_id",
            "channel",
            "direction",
            "occurred_at",
            "duration_seconds",
        ],
        [
            (
                i,
                rng.randint(1, customers),
                rng.choice(schema.CHANNELS),
                rng.choice(["inbound", "outbound"]),
                _at(_day(rng), rng),
                rng.randint(0, 900),
            )
            for i in range(1, 3000)
        ],
    )
    put(
        "fact_case",
        [
            "case_id",
            "customer_id",
            "priority",
            "queue_id",
            "status",
            "created_at",
            "resolved_at",
            "response_breached",
            "resolution_breached",
            "resolution_hours",
            "is_open",
            "csat_score",
        ],
        [
            (
                k,
                rng.randint(1, customers),
                rng.choice(["low", "normal", "high"]),
                rng.randint(1, 3),
                "resolved" if done else "open",
                _at(_day(rng), rng),
                _at(TODAY, rng) if done else None,
                rng.random() < 0.2,
                rng.random() < 0.3,
                rng.randint(1, 300) / 4 if done else None,
                not done,
                rng.randint(1, 5) if done and rng.random() < 0.5 else None,
            )
            for k in range(1, 500)
            for done in [rng.random() < 0.7]
        ],
    )
    put(
        "fact_quote",
        ["quote_id", "customer_id", "status", "total", "created_at", "sent_at"],
        [
            (
                q,
                rng.randint(1, customers),
                rng.choice(["sent", "accepted", "rejected", "draft"]),
                Decimal(rng.randint(100, 50000)) / 100,
                _at(_day(rng), rng),
                _at(_day(rng), rng) if rng.random() < 0.6 else None,
            )
            for q in range(1, 300)
        ],
    )
    put(
        "fact_holding",
        ["holding_id", "customer_id", "status", "price"],
        [
            (
                h,
                rng.randint(1, customers),
                rng.choice(["active", "ended"]),
                Decimal(rng.randint(0, 9000)) / 100,
            )
            for h in range(1, 400)
        ],
    )
    put(
        "fact_billing_incident",
        ["incident_id", "customer_id", "kind", "amount", "due_date", "status"],
        [
            (
                b,
                rng.randint(1, customers),
                rng.choice(["unpaid_invoice", "dispute"]),
                Decimal(rng.randint(100, 30000)) / 100,
                _day(rng),
                rng.choice(["open", "resolved"]),
            )
            for b in range(1, 150)
        ],
    )
    put(
        "dim_campaign",
        ["campaign_id", "name", "channel", "status"],
        [(k, f"Campaign {k}", "email", "sent") for k in range(1, 7)],
    )
    put(
        "fact_campaign_response",
        [
            "recipient_id",
            "campaign_id",
            "customer_id",
            "target_group",
            "status",
            "sent_at",
            "date_key",
            "delivered",
            "bounced",
            "opened_at",
            "clicked_at",
            "unsubscribed_at",
            "converted_at",
            "revenue",
        ],
        [
            (
                r,
                1 + r % 6,
                rng.randint(1, customers),
                "control" if held else "target",
                "held" if held else "bounced" if bounced else "sent",
                None if held else at,
                day,
                not held and not bounced,
                bounced,
                at if opened else None,
                at if opened and rng.random() < 0.4 else None,
                at if rng.random() < 0.05 else None,
                at if opened and rng.random() < 0.1 else None,
                Decimal(rng.randint(0, 9000)) / 100 if opened else Decimal(0),
            )
            for r in range(1, 900)
            for day in [_day(rng, 200)]
            for at in [_at(day, rng)]
            for held in [rng.random() < 0.1]
            for bounced in [not held and rng.random() < 0.08]
            for opened in [not held and not bounced and rng.random() < 0.5]
        ],
    )
    put(
        "fact_web_event",
        ["web_event_id", "site_id", "customer_id", "visitor_key", "name", "page", "occurred_at"],
        [
            (
                e,
                1 + e % 2,
                None if rng.random() < 0.3 else rng.randint(1, customers),
                rng.randint(1, 500),
                rng.choice(["page_view", "page_view", "simulation"]),
                rng.choice(["/", "/mortgage", "/cards", "/contact"]),
                _at(_day(rng), rng),
            )
            for e in range(1, 1500)
        ],
    )
    put(
        "fact_journey_enrolment",
        ["enrolment_id", "journey_id", "journey", "customer_id", "status", "entered_at"],
        [
            (
                n,
                j,
                f"Journey {j}",
                rng.randint(1, customers),
                rng.choice(["active", "done", "exited"]),
                _at(_day(rng), rng),
            )
            for n in range(1, 300)
            for j in [rng.randint(1, 3)]
        ],
    )
    put(
        "fact_loyalty_movement",
        [
            "movement_id",
            "membership_id",
            "programme_id",
            "programme",
            "customer_id",
            "kind",
            "points",
            "occurred_at",
        ],
        [
            (
                v,
                m,
                1 + m % 2,
                f"Club {1 + m % 2}",
                m,
                kind,
                rng.randint(1, 500) * (-1 if kind in ("redeem", "expire") else 1),
                _at(_day(rng), rng),
            )
            for v in range(1, 600)
            for m in [rng.randint(1, customers)]
            for kind in [rng.choice(["earn", "earn", "redeem", "expire", "adjust"])]
        ],
    )
    segment_keys = [f"{kind}:{n}" for kind in ("dynamic", "static") for n in range(1, 4)]
    put(
        "dim_segment",
        ["segment_key", "segment_id", "kind", "name"],
        [(key, key.split(":")[1], key.split(":")[0], f"Segment {key}") for key in segment_keys],
    )
    put(
        "fact_segment_membership",
        ["customer_key", "customer_id", "segment_key", "as_of"],
        [
            (c, c, key, TODAY)
            for key in segment_keys
            for c in sorted(rng.sample(range(1, customers + 1), rng.randint(10, 80)))
        ],
    )
    marts.marts_build(con, scores={})
    put(
        "fact_score",
        ["customer_id", "churn_probability", "clv", "rfm_segment"],
        [
            (c, rng.random(), Decimal(rng.randint(0, 99999)) / 100, "champions")
            for c in range(1, customers, 7)
        ],
    )
    for name in parquet.table_names():
        con.execute(f"COPY {name} TO '{folder / (name + '.parquet')}' (FORMAT parquet)")
    con.close()
    return folder


@pytest.fixture(scope="session")
def spark_session():
    session = spark.session()
    small_data(session)
    yield session
    spark.session_stop()


def small_data(session):
    """Small data: one shuffle partition, no adaptive planning, no code generation (it
    costs more than it saves on a few thousand rows)."""
    for key, value in {
        "spark.sql.shuffle.partitions": "1",
        "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false",
    }.items():
        session.conf.set(key, value)


def test_spark_and_duckdb_give_the_same_marts_rfm_basket_counts_and_model_features(
    spark_session, tmp_path, settings, monkeypatch
):
    settings.WAREHOUSE_PATH = tmp_path  # the export is its parquet/ folder
    folder = seeded_export(tmp_path / "parquet")
    con = jobs.over_parquet(folder)
    as_of = jobs.as_of_default(con)
    on_duckdb = jobs.duckdb_jobs(con, as_of=as_of)
    con.close()
    # The command an operator runs (``warehouse spark --check``) runs the Spark jobs, once
    # for the test: what they return is kept on the way (Spark's queries, not the data,
    # are most of the time, so a second run doubled it).
    ran = []

    def kept(*args, **kwargs):
        ran.append(spark_jobs(*args, **kwargs))
        return ran[-1]

    spark_jobs = spark.spark_jobs
    monkeypatch.setattr(spark, "spark_jobs", kept)
    out = io.StringIO()
    call_command("warehouse", "spark", "--check", stdout=out)
    report = json.loads(out.getvalue())
    (on_spark,) = ran

    for name, rows in on_duckdb.items():
        assert rows, f"{name} has no rows on the seeded data"
        assert jobs.normalised(rows) == jobs.normalised(on_spark[name]), name
    # Both engines see every RFM customer once, scored 1 to 5.
    scores = {row[4] for row in on_spark["rfm"]}
    assert scores == {1, 2, 3, 4, 5}
    # The model features: one row per customer with sales, ten columns on both.
    assert len(on_spark["features"]) == len(on_duckdb["rfm"])
    assert {len(row) for row in on_spark["features"]} == {10}

    # The command says the same, job by job.
    assert report["equal"] == {name: True for name in on_duckdb}
    assert report["rows"]["basket"] == len(on_duckdb["basket"])
