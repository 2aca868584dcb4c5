"""Every warehouse table exported as Parquet (one file per table), the format the Spark
jobs read when one machine is not enough."""

import os
import shutil
from pathlib import Path

from . import engine, marts, schema


def table_names() -> list[str]:
    return [t.name for t in schema.TABLES] + [marts.SCORE_TABLE, *marts.MART_NAMES]


def exists() -> bool:
    return engine.parquet_dir().exists()


def export_all(*, folder: Path | None = None, unchanged: frozenset[str] = frozenset()) -> Path:
    """Write every table to ``folder`` (default ``parquet/`` beside the warehouse) as a
    new folder swapped in whole, so nothing erased lingers in an old file.

    ``unchanged``: tables the load did not touch (no row loaded or deleted, see
    ``load.unchanged_tables``); their previous file is carried over (a hard link, else a
    copy) instead of written again. Returns the folder."""
    target = folder or engine.parquet_dir()
    fresh = target.with_name(target.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    con = engine.connect(read_only=True)
    try:
        for name in table_names():
            previous = target / f"{name}.parquet"
            if name in unchanged and previous.exists():
                try:
                    os.link(previous, fresh / previous.name)
                except OSError:
                    shutil.copy2(previous, fresh / previous.name)
                continue
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
