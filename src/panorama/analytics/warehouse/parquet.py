"""Every warehouse table exported as Parquet (one file per table), the format the Spark
jobs read when one machine is not enough."""

import shutil
from pathlib import Path

from . import engine, marts, schema


def table_names() -> list[str]:
    return [t.name for t in schema.TABLES] + [marts.SCORE_TABLE, *marts.MART_NAMES]


def exists() -> bool:
    return engine.parquet_dir().exists()


def export_all(*, folder: Path | None = None) -> Path:
    """Write every table to ``folder`` (default ``parquet/`` beside the warehouse),
    replacing the previous export whole, so nothing erased lingers in an old file."""
    target = folder or engine.parquet_dir()
    fresh = target.with_name(target.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    con = engine.connect(read_only=True)
    try:
        for name in table_names():
            out = str(fresh / f"{name}.parquet").replace("'", "''")
            con.execute(f"COPY {name} TO '{out}' (FORMAT parquet)")
    finally:
        con.close()
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target
