"""The warehouse jobs on Spark, over the Parquet export: for when one machine is not
enough. The marts run the very statements DuckDB runs (``marts``, Spark dialect); RFM,
basket counts and the models' features are written with the DataFrame API.
``spark_run(check=True)`` compares each job with DuckDB's answer on the same files.

The session: a Spark Connect server when ``SPARK_REMOTE`` is set (``sc://host:15002``),
otherwise a local Spark (``SPARK_MASTER``, ``local[2]``) in this process, on the
machine's Java 17. One session per process, reused."""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from . import engine, jobs, marts, parquet
from .marts.base import SPARK

_session: dict[str, Any] = {}


def session():
    """The process's Spark session (created on first use)."""
    if "spark" in _session:
        return _session["spark"]
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("panorama-warehouse")
    if settings.SPARK_REMOTE:
        builder = builder.remote(settings.SPARK_REMOTE)
    else:
        builder = (
            builder.master(settings.SPARK_MASTER)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.memory", "1g")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
        )
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    _session["spark"] = spark
    return spark


def session_stop() -> None:
    spark = _session.pop("spark", None)
    if spark is not None:
        spark.stop()


def register(spark, folder: Path) -> None:
    for name in parquet.table_names():
        spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)


def sales(spark):
    """``marts.base.SALES`` as a DataFrame: sold CRM orders and imported purchases."""
    from pyspark.sql import functions as F  # noqa: N812

    orders = spark.table("fact_order").where(~F.col("status").isin("draft", "cancelled"))
    purchases = spark.table("fact_purchase")
    return orders.select("customer_id", "date_key", "total").unionByName(
        purchases.select("customer_id", "date_key", F.col("amount").alias("total"))
    )


def rfm(spark, as_of: datetime.date):
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    scored = (
        sales(spark)
        .groupBy("customer_id")
        .agg(
            F.max("date_key").alias("last_order"),
            F.count(F.lit(1)).alias("frequency"),
            F.sum("total").cast("decimal(18,2)").alias("monetary"),
        )
        .withColumn("recency_days", F.datediff(F.lit(as_of), F.col("last_order")))
    )
    by_recency = Window.orderBy(F.col("recency_days").desc(), F.col("customer_id"))
    by_frequency = Window.orderBy(F.col("frequency"), F.col("customer_id"))
    by_monetary = Window.orderBy(F.col("monetary"), F.col("customer_id"))
    return scored.select(
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
        F.ntile(5).over(by_recency).alias("r_score"),
        F.ntile(5).over(by_frequency).alias("f_score"),
        F.ntile(5).over(by_monetary).alias("m_score"),
    )


def basket(spark):
    """``jobs.BASKET_SQL``: CRM order lines by SKU, imported purchase lines by product."""
    from pyspark.sql import functions as F  # noqa: N812

    crm = (
        spark.table("fact_order_line")
        .where(F.col("sku").isNotNull() & (F.col("sku") != ""))
        .select(
            F.concat(F.lit("order:"), F.col("order_id").cast("string")).alias("basket"),
            F.col("sku").alias("item"),
        )
    )
    imported = (
        spark.table("fact_purchase_line")
        .where(F.col("product").isNotNull())
        .select(
            F.concat(F.lit("purchase:"), F.col("purchase_id").cast("string")).alias("basket"),
            F.col("product").alias("item"),
        )
    )
    items = crm.unionByName(imported).distinct()
    baskets = items.select("basket").distinct().count()
    a, b = items.alias("a"), items.alias("b")
    pairs = a.join(
        b,
        (F.col("a.basket") == F.col("b.basket")) & (F.col("a.item") < F.col("b.item")),
    )
    return (
        pairs.groupBy(F.col("a.item").alias("product_a"), F.col("b.item").alias("product_b"))
        .agg(F.countDistinct("a.basket").alias("orders"))
        .withColumn("support", F.col("orders") / F.lit(baskets))
    )


def features(spark, as_of: datetime.date):
    """``jobs.features_sql``: the churn and CLV models' per-customer features."""
    from pyspark.sql import functions as F  # noqa: N812

    end = F.lit(as_of)
    daily = (
        sales(spark)
        .where(F.col("date_key") <= end)
        .groupBy("customer_id", F.col("date_key").alias("day"))
        .agg(F.sum("total").alias("amount"))
    )
    recent_from = F.lit(as_of - datetime.timedelta(days=90))
    per = daily.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("days"),
        F.datediff(end, F.max("day")).alias("recency"),
        F.datediff(end, F.min("day")).alias("tenure"),
        F.datediff(F.max("day"), F.min("day")).alias("span"),
        F.sum("amount").cast("double").alias("spend"),
        F.min_by("amount", "day").cast("double").alias("first_amount"),
        F.sum(F.when(F.col("day") > recent_from, 1).otherwise(0)).alias("recent"),
    )
    several = F.col("days") > 1
    gap = F.when(several, F.col("span").cast("double") / (F.col("days") - 1)).otherwise(
        (F.col("tenure") + 1).cast("double")
    )
    spend = F.greatest(F.col("spend"), F.lit(0.0))
    return per.withColumn("gap", gap).select(
        "customer_id",
        F.col("recency").alias("recency_days"),
        F.col("days").alias("frequency"),
        spend.alias("monetary"),
        (spend / F.col("days")).alias("average_order"),
        F.col("tenure").alias("tenure_days"),
        F.col("gap").alias("mean_gap_days"),
        F.col("recent").alias("recent_90_days"),
        F.least(F.col("recency") / F.greatest(F.col("gap"), F.lit(1.0)), F.lit(50.0)).alias(
            "overdue_ratio"
        ),
        F.when(several, (F.col("spend") - F.col("first_amount")) / (F.col("days") - 1))
        .otherwise(F.lit(0.0))
        .alias("repeat_monetary"),
    )


def spark_jobs(spark, folder: Path, *, as_of: datetime.date) -> dict[str, list[tuple]]:
    register(spark, folder)
    out: dict[str, list[tuple]] = {}
    for mart in marts.MARTS:
        out[mart.name] = [tuple(r) for r in spark.sql(mart.sql(SPARK)).collect()]
    out["rfm"] = [tuple(r) for r in rfm(spark, as_of).collect()]
    out["basket"] = [tuple(r) for r in basket(spark).collect()]
    out["features"] = [tuple(r) for r in features(spark, as_of).collect()]
    return out


def spark_run(*, check: bool = False, folder: Path | None = None) -> dict[str, Any]:
    """Run every job on Spark over the Parquet export; with ``check``, say per job
    whether DuckDB gives the same rows."""
    folder = folder or engine.parquet_dir()
    con = jobs.over_parquet(folder)
    try:
        as_of = jobs.as_of_default(con)
        on_duckdb = jobs.duckdb_jobs(con, as_of=as_of) if check else None
    finally:
        con.close()
    on_spark = spark_jobs(session(), folder, as_of=as_of)
    report: dict[str, Any] = {"rows": {name: len(rows) for name, rows in on_spark.items()}}
    if on_duckdb is not None:
        report["equal"] = jobs.results_equal(on_duckdb, on_spark)
    return report
