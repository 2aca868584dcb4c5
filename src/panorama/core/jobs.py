"""What long background jobs share: who runs them, a stop request, lock errors.

A job (an import today) records the process running it (``process_tag``: host, pid
and a token) and a heartbeat it refreshes after every committed batch. When the task worker
starts, and every ``PANORAMA_JOB_SWEEP_SECONDS`` while it runs, it calls each
registered recoverer (``recoverer``), which finds the jobs left ``running`` by a
process that is gone (same host, pid not alive) or silent for longer than
``PANORAMA_JOB_STALE_SECONDS`` (another host), and resumes or fails them.

A graceful stop (SIGTERM to the worker) sets ``stop_requested``: a job checks it
between batches and stops after the one it is writing.
"""

import contextlib
import ctypes
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class JobStopped(Exception):  # noqa: N818 - a stop, not an error
    """A graceful stop was requested: the job stopped after a committed batch."""


class JobLost(Exception):  # noqa: N818
    """The job is no longer this process's (failed, undone or resumed elsewhere since):
    the batch being written is rolled back and the run ends."""


def stop_check() -> None:
    if _stop.is_set():
        raise JobStopped


_stop = threading.Event()
_recoverers: list[Callable[[], int]] = []
_state = {"in_worker": False}


_identity: dict[str, object] = {"pid": None, "tag": ""}


def _host() -> str:
    return socket.gethostname()[:40]


def process_tag() -> str:
    """``host:pid/token`` of this process: the token tells it from an earlier process
    that had the same pid (a restarted container hands out the same pids)."""
    if _identity["pid"] != os.getpid():
        _identity["pid"] = os.getpid()
        _identity["tag"] = f"{_host()}:{os.getpid()}/{secrets.token_hex(4)}"
    return str(_identity["tag"])


def process_gone(tag: str) -> bool:
    """Whether the process ``tag`` names has surely ended: it ran on this host and its
    pid is free, or now belongs to this process under another token. A process on
    another host is never "surely" gone: the heartbeat decides for it."""
    head, _sep, _token = tag.partition("/")
    host, _sep, pid = head.rpartition(":")
    if not pid.isdigit() or host != _host():
        return False
    if int(pid) == os.getpid():
        return tag != process_tag()
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def stop_requested() -> bool:
    return _stop.is_set()


def request_stop() -> None:
    _stop.set()


def in_worker() -> bool:
    """True in the task worker (``panorama worker``), where a stopped job is queued
    again for the next worker; False in the CLI, where it is marked failed."""
    return _state["in_worker"]


def worker_mode(on: bool = True) -> None:
    _state["in_worker"] = on
    if on:
        _stop.clear()


def recoverer(func: Callable[[], int]) -> Callable[[], int]:
    """Register ``func`` (no arguments, returns how many jobs it recovered) for the sweep."""
    if func not in _recoverers:
        _recoverers.append(func)
    return func


def jobs_recover() -> int:
    """Run every recoverer; one that fails is logged and does not stop the others."""
    found = 0
    for func in _recoverers:
        try:
            found += lock_retry(func)
        except Exception:
            logger.exception("job recovery %s failed", func.__qualname__)
    return found


def is_lock_error(exc: BaseException) -> bool:
    """SQLite's "database is locked" (busy timeout passed) and PostgreSQL's lock timeout
    or deadlock: errors that waiting and trying again can clear."""
    if not isinstance(exc, OperationalError):
        return False
    if "is locked" in str(exc).lower():
        return True
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in {"55P03", "40P01"}


LOCK_RETRIES = 5


def lock_retry(func: Callable[[], T], *, retries: int = LOCK_RETRIES, first_wait: float = 1.0) -> T:
    """Call ``func``; on a lock error wait (1, 2, 4… s, at most 30) and call it again,
    ``retries`` times at most before the error goes up. ``func`` must be a whole
    transaction (or read only), so a retry starts clean."""
    wait = first_wait
    for attempt in range(retries + 1):
        try:
            return func()
        except OperationalError as exc:
            if attempt == retries or not is_lock_error(exc):
                raise
            logger.warning("database busy (%s): trying again in %.0f s", exc, wait)
            time.sleep(wait)
            wait = min(wait * 2, 30.0)
    raise AssertionError("unreachable")


# --- a forked helper process dies with its parent --------------------------------------

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In a forked helper: be killed when ``parent_pid`` ends (Linux; elsewhere the
    helper notices a closed pipe), and let SIGTERM and SIGINT end it at once instead of
    running the handlers inherited from the parent (the worker's graceful stop)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)
