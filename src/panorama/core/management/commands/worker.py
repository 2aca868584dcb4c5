"""``panorama worker``: django-tasks' database worker, made safe for long jobs.

On top of ``db_worker`` it
- recovers the jobs a dead worker left ``running`` (``core.jobs``), when it starts and
  every ``PANORAMA_JOB_SWEEP_SECONDS``, and fails the task results it left running;
- survives a busy database: a lock error while polling or recording a result waits and
  tries again instead of ending the process;
- stops gracefully on SIGTERM or Ctrl-C: a running job finishes the batch it is writing,
  is queued again and the worker exits (a second signal ends it at once).
"""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from panorama.core import jobs, outbox

logger = logging.getLogger("django_tasks_db")


class WorkerLost(Exception):
    """Recorded on a task result whose worker ended while running it."""


def task_results_recover() -> int:
    """Fail the task results left ``running`` by a worker that is gone (their job, if
    any, is resumed or failed by its own recoverer)."""
    lost = 0
    for result in DBTaskResult.objects.filter(status="RUNNING"):
        worker = (result.worker_ids or [""])[-1]
        if jobs.process_gone(worker):
            result.set_failed(WorkerLost(f"the worker {worker} ended while running this task"))
            lost += 1
    return lost


jobs.recoverer(task_results_recover)


class Worker(db_worker.Worker):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.done = threading.Event()

    def shutdown(self, signum, frame) -> None:
        jobs.request_stop()
        self.done.set()
        super().shutdown(signum, frame)

    def run(self) -> None:
        jobs.worker_mode(True)
        sweeper = threading.Thread(target=self.sweep_loop, name="job-sweep", daemon=True)
        sweeper.start()
        # The outbox's dispatcher: domain events to their durable subscribers.
        dispatcher = threading.Thread(
            target=outbox.dispatch_loop, args=(self.done,), name="outbox", daemon=True
        )
        dispatcher.start()
        if settings.PANORAMA_MAIL_IDLE:
            # IMAP IDLE: new mail in the mailboxes whose server offers it, at once.
            from panorama.channels.mail.idle import idle_loop

            threading.Thread(
                target=idle_loop, args=(self.done,), name="imap-idle", daemon=True
            ).start()
        try:
            self.run_safely()
        finally:
            self.done.set()
            jobs.worker_mode(False)

    def run_safely(self) -> None:
        wait = 1.0
        while self.running:
            try:
                super().run()
                return
            except OperationalError as exc:
                if not jobs.is_lock_error(exc):
                    raise
                # Polling took the write lock (SQLite) while another writer held it
                # past the busy timeout: wait and poll again, never die of it.
                logger.warning("database busy while polling (%s): again in %.0f s", exc, wait)
                close_old_connections()
                time.sleep(wait)
                wait = min(wait * 2, 30.0)
                self.startup_delay = False

    def sweep_loop(self) -> None:
        """Recover interrupted jobs now and then, in this thread's own connection."""
        interval = settings.PANORAMA_JOB_SWEEP_SECONDS
        try:
            while not self.done.wait(interval) and not jobs.stop_requested():
                found = jobs.jobs_recover()
                if found:
                    logger.warning("recovered %s interrupted job(s)", found)
        finally:
            connection.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Recording the result must not lose it to a busy database either.
        for name in ("set_successful", "set_failed"):
            method = getattr(db_task_result, name)
            setattr(
                db_task_result,
                name,
                lambda value, _method=method: jobs.lock_retry(lambda: _method(value)),
            )
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = "Run the background task worker (recovers interrupted jobs, survives a busy database)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # The worker id names the process, so another worker can tell it is gone.
        parser.set_defaults(worker_id=None, reload=False)

    def handle(self, *, worker_id, **options) -> None:
        worker_id = worker_id or jobs.process_tag()
        # The recovery runs before the first task is claimed, in this connection.
        found = jobs.jobs_recover()
        if found:
            logger.warning("recovered %s interrupted job(s)", found)
        # db_worker's handle builds ``db_worker.Worker``: this subclass, for its run.
        module: Any = db_worker
        original, module.Worker = module.Worker, Worker
        try:
            super().handle(worker_id=worker_id[:64], **options)
        finally:
            module.Worker = original
