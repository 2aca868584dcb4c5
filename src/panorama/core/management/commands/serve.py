"""``panorama serve``: the production web server (granian) and one task worker together.

Both run as child processes; Ctrl-C or SIGTERM stops both (the worker finishes the batch
it is writing, ``panorama worker``). A task worker that dies is started again, after a
pause that grows while it keeps dying (up to a minute), and the web server keeps
serving; if the web server dies the worker is stopped and the command exits non-zero,
so a supervisor (systemd, a container) sees the failure and restarts the pair.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

STOP_TIMEOUT = 10.0
RESTART_PAUSES = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0)  # after 1, 2, … quick deaths in a row
STEADY_AFTER = 60.0  # a worker that lived this long starts the count again


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
    return [sys.executable, "-m", "panorama.cli", "worker"]


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
        web = subprocess.Popen(  # noqa: S603 - our own fixed command line
            granian_command(
                host=host, port=port, workers=workers, threads=threads, access_log=access_log
            )
        )
        worker = subprocess.Popen(worker_command())  # noqa: S603
        children = [web, worker]
        self.stdout.write(
            f"Panorama on http://{host}:{port}/ ({workers} web workers, "
            "1 task worker). Ctrl-C stops."
        )
        self.stdout.flush()
        started, deaths, restart_at = time.monotonic(), 0, None
        try:
            while not stopping and web.poll() is None:
                if restart_at is None and worker.poll() is not None:
                    deaths = 0 if time.monotonic() - started > STEADY_AFTER else deaths + 1
                    pause = RESTART_PAUSES[min(deaths, len(RESTART_PAUSES)) - 1] if deaths else 0
                    self.stderr.write(
                        _(
                            "The task worker (pid %(pid)s) exited with code %(code)s: "
                            "starting it again in %(pause)s s. The web server keeps serving."
                        )
                        % {"pid": worker.pid, "code": worker.returncode, "pause": round(pause)}
                    )
                    restart_at = time.monotonic() + pause
                if restart_at is not None and time.monotonic() >= restart_at:
                    worker = subprocess.Popen(worker_command())  # noqa: S603
                    children[1], started, restart_at = worker, time.monotonic(), None
                time.sleep(0.2)
        finally:
            stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if stopping:
            self.stdout.write("Stopped.")
            return
        raise CommandError(
            _(
                "The web server (granian, pid %(pid)s) exited with code %(code)s: "
                "the task worker was stopped too."
            )
            % {"pid": web.pid, "code": web.returncode}
        )
