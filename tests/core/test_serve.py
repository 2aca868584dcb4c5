"""``panorama serve`` starts the web server and the task worker, and stops both."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.database_copy import copy_to_sqlite


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


# The server runs on a SQLite file of its own whatever the suite's database is: on the
# SQLite run a copy of the migrated test database (tests/database_copy.py), on which
# `panorama migrate` has nothing left to apply.
@pytest.mark.database_independent
@pytest.mark.django_db(transaction=True)  # the migrated test database, copied outside a transaction
def test_serve_answers_and_stops_with_its_children(tmp_path):
    if connection.vendor == "sqlite":
        copy_to_sqlite(tmp_path / "serve.sqlite3")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "panorama.config.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "PANORAMA_VAR": str(tmp_path),
    }
    panorama = [sys.executable, "-m", "panorama.cli"]
    subprocess.run([*panorama, "migrate", "-v", "0"], env=env, check=True, timeout=180)  # noqa: S603
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*panorama, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # a deadline, not a wait: a loaded CI is slow
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            time.sleep(0.2)
        home = httpx.get(f"{base}/", timeout=5)
        assert home.status_code == 302
        assert "/accounts/login/" in home.headers["location"]
        children = children_of(server.pid)
        assert len(children) == 2  # granian and the task worker

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
        output = server.stdout.read().decode()
        assert f"Panorama on http://127.0.0.1:{port}/" in output
        # granian warns when the threads outnumber what the cores can run: not by default.
        assert "WARNING" not in output, output
    finally:
        if server.poll() is None:  # its children too: they would outlive it
            for pid in children_of(server.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            server.kill()
            server.wait()


def test_the_default_threads_stay_within_what_granian_accepts_silently():
    from panorama.core.management.commands.serve import default_threads

    assert 1 <= default_threads() <= min(8, 2 * (os.cpu_count() or 1) + 1)


def test_serve_and_demo_take_the_port_from_the_environment(monkeypatch):
    from django.core.management import load_command_class

    monkeypatch.setenv("PORT", "8123")
    for app, name in (("panorama.core", "serve"), ("panorama.seeding", "demo")):
        parser = load_command_class(app, name).create_parser("panorama", name)
        assert parser.parse_args([]).port == 8123


def test_make_demo_serves_and_announces_the_port_it_is_given():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PORT": "8123"}
    plan = subprocess.run(  # noqa: S603
        ["make", "-n", "demo"],  # noqa: S607 - only prints the commands
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "panorama demo --host 127.0.0.1 --port 8123" in plan
    assert "panorama serve --host 127.0.0.1 --port 8123" in plan
