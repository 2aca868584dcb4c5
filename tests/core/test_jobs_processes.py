"""Jobs that stop or run long, with real processes on a database of their own.

An import big enough to last a few seconds is queued with the CLI and run by a real
``panorama worker`` or ``panorama serve``; the tests kill or stop them half-way, start
them again and read the job and the rows from the database. They run on the database
the suite runs on (SQLite file, or a PostgreSQL database of their own).
"""

import contextlib
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest

from panorama.core.management.commands.serve import STOP_TIMEOUT
from tests.database_copy import copy_to_sqlite, postgres_template

from .test_serve import children_of, free_port

ROWS = 40_000  # 20 batches: a few seconds of work, several batches before and after a kill
BATCH = 2000
PANORAMA = [sys.executable, "-m", "panorama.cli"]
RUNNING_TASKS = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"


class Site:
    """A migrated database and the environment the processes run with."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith("postgres")
        if self.postgres:
            parts = urlsplit(url)
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self.name = f"{parts.path.lstrip('/')}_procs_{worker}"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            try:
                self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{postgres_template()}"')
            except psycopg.errors.ObjectInUse:  # someone is on the test database: migrate
                self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.url = f"sqlite:///{tmp / 'jobs.sqlite3'}"
            copy_to_sqlite(tmp / "jobs.sqlite3")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "panorama.config.settings.base",
            "DATABASE_URL": self.url,
            "PANORAMA_VAR": str(tmp),
        }
        subprocess.run([*PANORAMA, "migrate", "-v", "0"], env=self.env, check=True, timeout=120)  # noqa: S603

    def _admin(self, *statements: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def one(self, sql: str) -> tuple:
        if self.postgres:
            with psycopg.connect(self.url, autocommit=True) as conn:
                return conn.execute(sql).fetchone()
        with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as conn:
            return conn.execute(sql).fetchone()

    def job(self, job_id: int) -> dict:
        names = [
            "status",
            "processed_rows",
            "total_rows",
            "created_count",
            "rejected_count",
            "restarts",
            "error",
        ]
        row = self.one(f"SELECT {', '.join(names)} FROM customers_importjob WHERE id = {job_id}")  # noqa: S608
        return dict(zip(names, row, strict=True))

    def customers(self, prefix: str) -> int:
        return self.one(
            "SELECT COUNT(*) FROM customers_customer WHERE first_name LIKE "  # noqa: S608
            f"'{prefix}%'"
        )[0]

    def queue(self, prefix: str, duplicate_of: int | None = None, rows: int = ROWS) -> int:
        """Write a file of ``rows`` new customers (plus, at the end, one repeating the
        e-mail of row ``duplicate_of``) and queue its import with the CLI."""
        path = self.tmp / f"{prefix}.csv"
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Nombre", "Apellidos", "Email"])
            for n in range(rows):
                writer.writerow([f"{prefix}{n}", "Pérez", f"{prefix}{n}@example.com"])
            if duplicate_of is not None:
                n = duplicate_of - 2  # row 2 is the first after the header
                writer.writerow([f"{prefix}again", "Pérez", f"{prefix}{n}@example.com"])
        out = subprocess.run(  # noqa: S603
            [*PANORAMA, "import", "customers", str(path), "--queue"],
            env=self.env,
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        ).stdout
        return int(out.split()[1])  # "Import 7 queued for the worker."

    def start(self, *command: str, **env: str) -> subprocess.Popen:
        """Start ``panorama <command>``; its output gathers in ``process.output``."""
        process = subprocess.Popen(  # noqa: S603
            [*PANORAMA, *command],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process.output = []
        process.reader = threading.Thread(
            target=lambda: process.output.extend(process.stdout), daemon=True
        )
        process.reader.start()
        return process

    def wait_for(self, what, timeout: float = 90, process: subprocess.Popen | None = None):
        deadline = time.monotonic() + timeout
        while True:
            found = what()
            if found:
                return found
            if process is not None and process.poll() is not None:
                pytest.fail(f"the process ended ({process.returncode}):\n{stop(process)}")
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.1)


# The tests' own database starts as a copy of the migrated test database (below); the
# tests themselves only read it through their own connections.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        site = Site(tmp_path_factory.mktemp("jobs"))
    yield site
    site.drop()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        # A server a failed test leaves running: its children (granian, a task worker
        # polling) would outlive it and keep a core busy for the rest of the run.
        for pid in children_of(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
    process.wait()
    process.reader.join(timeout=10)  # it ends at the output's end: the last lines
    return "".join(process.output)


def test_a_killed_worker_s_import_is_resumed_and_its_helper_dies_with_it(site):
    job = site.queue("kill", duplicate_of=3)
    worker = site.start("worker")
    try:
        site.wait_for(lambda: site.job(job)["processed_rows"] >= 2 * BATCH, process=worker)
        helpers = children_of(worker.pid)
        assert len(helpers) == 1  # the forked process that validates rows ahead
        worker.kill()
        worker.wait()
        # The helper does not outlive the worker (it used to stay, orphaned).
        site.wait_for(lambda: not alive(helpers[0]), timeout=5)
        # The rows written and the job's counts are one transaction: they agree. (On
        # PostgreSQL a COMMIT the killed worker had already sent still lands after its
        # death, so the two are read again until that last batch has settled.)
        site.wait_for(lambda: site.customers("kill") == site.job(job)["created_count"], timeout=10)
        interrupted = site.job(job)
        assert interrupted["status"] == "running"
        assert 0 < interrupted["processed_rows"] < ROWS

        worker = site.start("worker")  # finds the job its predecessor left running
        site.wait_for(lambda: site.job(job)["status"] == "done", process=worker)
        # The task's result is recorded after the job.
        site.wait_for(lambda: site.one(RUNNING_TASKS) == (0,), timeout=30, process=worker)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        output = stop(worker)
    done = site.job(job)
    assert done["restarts"] == 1, output
    assert (done["processed_rows"], done["created_count"], done["rejected_count"]) == (
        ROWS + 1,
        ROWS,
        1,
    )
    assert site.customers("kill") == ROWS  # no row written twice, none skipped
    # The repeated e-mail is still recognised after the resume.
    assert site.one(
        f"SELECT message FROM customers_importrowerror WHERE job_id = {job}"  # noqa: S608
    ) == ("Row 3 of this file is the same customer: same E-mail.",)
    assert site.one(RUNNING_TASKS) == (0,)


def test_serve_stops_after_a_batch_resumes_and_restarts_a_dead_worker(site):
    port = free_port()
    job = site.queue("term")
    server = site.start("serve", "--port", str(port), "--workers", "1")
    try:
        site.wait_for(lambda: site.job(job)["processed_rows"] >= 2 * BATCH, process=server)
        children = children_of(server.pid)
        server.send_signal(signal.SIGTERM)
        # serve gives its children STOP_TIMEOUT (10 s) to finish: room beyond that for a
        # busy machine (a PostgreSQL run at load 20 took over 15 s to finish the batch).
        assert server.wait(timeout=STOP_TIMEOUT + 20) == 0
        assert not [pid for pid in children if alive(pid)]
        stopped = site.job(job)
        # The batch being written was finished, and the job waits for the next worker.
        assert stopped["status"] == "pending", stopped
        assert stopped["processed_rows"] % BATCH == 0 and stopped["processed_rows"] < ROWS
        assert site.customers("term") == stopped["created_count"]
        stop(server)

        server = site.start("serve", "--port", str(port), "--workers", "1")
        site.wait_for(lambda: site.job(job)["status"] == "done", process=server)
        assert site.customers("term") == ROWS
        assert site.job(job)["restarts"] == 0  # a clean stop is no crash

        # A task worker that dies is started again; the web server keeps serving.
        worker = next(pid for pid in children_of(server.pid) if "granian" not in _cmdline(pid))
        os.kill(worker, signal.SIGKILL)
        site.wait_for(
            lambda: [p for p in children_of(server.pid) if p != worker and alive(p)][1:],
            timeout=15,
            process=server,
        )
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        after = site.queue("again", rows=10)
        site.wait_for(lambda: site.job(after)["status"] == "done", process=server)
        server.send_signal(signal.SIGTERM)
        # serve gives its children STOP_TIMEOUT (10 s) to finish: room beyond that for a
        # busy machine (a PostgreSQL run at load 20 took over 15 s to finish the batch).
        assert server.wait(timeout=STOP_TIMEOUT + 20) == 0
    finally:
        output = stop(server)
    assert f"The task worker (pid {worker}) exited with code -9" in output


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_a_busy_database_does_not_kill_the_worker(site):
    if site.postgres:
        pytest.skip("PostgreSQL writers wait for row locks; SQLite gives up after a timeout")
    path = site.url.removeprefix("sqlite:///")
    worker = site.start("worker", "--interval", "0.1", PANORAMA_SQLITE_TIMEOUT="0.2")
    try:
        with sqlite3.connect(path, isolation_level=None) as conn:
            # Another writer holds the lock for far longer than the busy timeout while
            # the worker polls for tasks (it meets the lock, waits and meets it again)...
            conn.execute("BEGIN IMMEDIATE")
            site.wait_for(
                lambda: "".join(worker.output).count("database busy while polling") >= 2,
                process=worker,
            )
            conn.execute("COMMIT")
        assert worker.poll() is None
        job = site.queue("busy")
        site.wait_for(lambda: site.job(job)["processed_rows"] >= BATCH, process=worker)
        with sqlite3.connect(path, isolation_level=None) as conn:
            # ...and while it writes an import: the batch meets the lock and waits.
            conn.execute("BEGIN IMMEDIATE")
            site.wait_for(lambda: "trying again" in "".join(worker.output), process=worker)
            conn.execute("COMMIT")
        site.wait_for(lambda: site.job(job)["status"] == "done", process=worker)
        assert worker.poll() is None
    finally:
        output = stop(worker)
    assert "trying again" in output  # the batch waited
    assert site.customers("busy") == ROWS


def test_a_dispatcher_killed_mid_batch_delivers_every_event_once(site):
    """The transactional outbox with a real kill: the batch being delivered when the
    dispatcher dies is rolled back with what its handler wrote, and the next dispatcher
    delivers it again, so every event's effect is there exactly once."""
    script = [sys.executable, "-m", "tests.core.outbox_process"]
    subprocess.run([*script, "emit", "300"], env=site.env, check=True, timeout=120)  # noqa: S603
    delivered = "SELECT count(*) FROM core_outboxdelivery WHERE delivered_at IS NOT NULL"
    effects = (
        "SELECT count(*), count(DISTINCT username) FROM core_auditevent"
        " WHERE username LIKE 'outbox:%'"
    )
    dispatcher = subprocess.Popen([*script, "dispatch"], env=site.env)  # noqa: S603
    try:
        site.wait_for(lambda: site.one(delivered)[0] >= 50, process=dispatcher)
        time.sleep(0.4)  # in the middle of the next batch
        dispatcher.send_signal(signal.SIGKILL)
        dispatcher.wait()
    finally:
        if dispatcher.poll() is None:
            dispatcher.kill()
    done_before = site.one(delivered)[0]
    assert 50 <= done_before < 300 and done_before % 50 == 0  # whole batches only
    assert site.one(effects) == (done_before, done_before)
    subprocess.run([*script, "dispatch"], env=site.env, check=True, timeout=120)  # noqa: S603
    assert site.one(delivered)[0] == 300
    assert site.one(effects) == (300, 300)
