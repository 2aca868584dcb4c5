"""The load's status, in a small JSON file beside the warehouse.

DuckDB lets no other process open the file while a load writes it, so progress cannot
be read from the warehouse itself: the load writes ``status.json`` (atomically) as it
goes, and the status page reads that."""

import json
import os
import tempfile
from datetime import UTC, datetime
from typing import Any

from . import engine


def _path():
    return engine.warehouse_dir() / "status.json"


def read() -> dict[str, Any]:
    try:
        return json.loads(_path().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write(data: dict[str, Any]) -> None:
    folder = engine.warehouse_dir()
    handle, name = tempfile.mkstemp(dir=folder, suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out)
    os.replace(name, _path())


def moment(value: str | None) -> datetime | None:
    """A timestamp of the status file as an aware datetime (templates localise it)."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def write_running(kind: str, done: int, total: int, step: str = "") -> None:
    data = read()
    if data.get("state") != "running" or data.get("kind") != kind:
        data["started_at"] = _now()
    data.update(state="running", kind=kind, done=done, total=total, step=step, error="")
    _write(data)


def write_failed(kind: str, error: str) -> None:
    data = read()
    data.update(state="failed", kind=kind, error=error[:500], finished_at=_now())
    _write(data)


def write_done(result, *, parquet: bool) -> None:
    data = read()
    data.update(
        state="done",
        kind=result.kind,
        error="",
        step="",
        finished_at=_now(),
        seconds=round(result.seconds, 3),
        changed=result.changed,
        deleted=result.deleted,
        rows=result.rows,
        parquet=parquet,
    )
    data[f"last_{result.kind}"] = {"finished_at": data["finished_at"], "seconds": data["seconds"]}
    _write(data)


def write_queued() -> None:
    data = read()
    data.update(state="queued", error="", queued_at=_now())
    _write(data)
