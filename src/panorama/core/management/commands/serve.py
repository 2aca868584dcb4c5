"""``panorama serve``: the production web server (granian) and one task worker together.

Both run as child processes; Ctrl-C or SIGTERM stops both, and if either dies the other
is stopped and the command exits non-zero, so a supervisor (systemd, a container) sees
the failure and restarts the pair.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 10.0


def granian_command(
    *, host: str, port: int, workers: int, threads: int | None = None, access_log: bool = False
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
        "--log-level",
        "warning",
        "--access-log" if access_log else "--no-access-log",
    ]
    if threads:
        # Requests beyond the threads wait in granian, not in a pile of idle threads.
        command += ["--blocking-threads", str(threads), "--backpressure", str(threads)]
    return [*command, "panorama.config.wsgi:application"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "panorama.cli", "db_worker", "--no-reload"]


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each child still running, then SIGKILL whoever ignores it."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def default_port() -> int:
    """``$PORT`` (as ``make serve``/``make demo`` and most hosts set it), else 8000."""
    return int(os.environ.get("PORT") or 8000)


def default_threads() -> int:
    """8 request threads, but no more than granian's bound for a blocking (WSGI) app:
    beyond 2 per CPU core + 1 it warns on every start that the threads are too many for
    the cores (a 2-core machine gets 5). ``--backpressure`` already keeps requests past
    the threads waiting in granian."""
    return min(8, 2 * (os.cpu_count() or 1) + 1)


class Command(BaseCommand):
    help = "Serve the web UI and API with granian, with one background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=default_port(), help="Default: $PORT, else 8000."
        )
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes.")
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help="Request threads per web worker (default: 8, at most 2 per CPU core + 1).",
        )
        parser.add_argument("--access-log", action="store_true")

    def handle(self, *args, host, port, workers, threads, access_log, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        call_command("collectstatic", interactive=False, verbosity=0)
        stopping: list[int] = []

        def on_signal(signum, frame):
            stopping.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        children = [
            subprocess.Popen(  # noqa: S603 - our own fixed command line
                granian_command(
                    host=host, port=port, workers=workers, threads=threads, access_log=access_log
                )
            ),
            subprocess.Popen(worker_command()),  # noqa: S603
        ]
        self.stdout.write(
            f"Panorama on http://{host}:{port}/ ({workers} web workers, "
            "1 task worker). Ctrl-C stops."
        )
        self.stdout.flush()
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if stopping:
            self.stdout.write("Stopped.")
            return
        dead = (
            next(child for child in children if child.returncode not in (None, 0))
            if any(child.returncode for child in children)
            else children[0]
        )
        name = "web server" if dead is children[0] else "task worker"
        raise CommandError(f"The {name} exited (code {dead.returncode}): stopped everything.")
