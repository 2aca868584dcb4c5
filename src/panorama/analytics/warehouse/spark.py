"""The warehouse jobs on Spark, over the Parquet export: for when one machine is not
enough. The marts run the very statements DuckDB runs (``marts``, Spark dialect); RFM
and basket counts are written with the DataFrame API. ``spark_run(check=True)`` compares
each job with DuckDB's answer on the same files.

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


def rfm(spark, as_of: datetime.date):
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    orders = spark.table("fact_order").where(~F.col("status").isin("draft", "cancelled"))
    scored = (
        orders.groupBy("customer_id")
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
    from pyspark.sql import functions as F  # noqa: N812

    items = (
        spark.table("fact_order_line")
        .where(F.col("product_id").isNotNull())
        .select("order_id", "product_id")
        .distinct()
    )
    baskets = items.select("order_id").distinct().count()
    a, b = items.alias("a"), items.alias("b")
    pairs = a.join(
        b,
        (F.col("a.order_id") == F.col("b.order_id"))
        & (F.col("a.product_id") < F.col("b.product_id")),
    )
    return (
        pairs.groupBy(
            F.col("a.product_id").alias("product_a"), F.col("b.product_id").alias("product_b")
        )
        .agg(F.countDistinct("a.order_id").alias("orders"))
        .withColumn("support", F.col("orders") / F.lit(baskets))
    )


def spark_jobs(spark, folder: Path, *, as_of: datetime.date) -> dict[str, list[tuple]]:
    register(spark, folder)
    out: dict[str, list[tuple]] = {}
    for mart in marts.MARTS:
        out[mart.name] = [tuple(r) for r in spark.sql(mart.sql(SPARK)).collect()]
    out["rfm"] = [tuple(r) for r in rfm(spark, as_of).collect()]
    out["basket"] = [tuple(r) for r in basket(spark).collect()]
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
