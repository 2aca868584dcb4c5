"""Run a function in a forked child whose memory and CPU time are bounded.

Reading a file a user uploaded (an XLSX is a zip of XML that a few hundred kilobytes
can unpack into gigabytes) must never take the web server or the task worker with it.
``call_limited`` forks, caps the child's address space (``RLIMIT_AS``: what it has
when forked plus ``memory_bytes``) and its CPU time (``RLIMIT_CPU``), runs the
function there and sends its result back through a pipe. The parent only waits: a
child that runs out of memory or time is gone, and the parent raises ``LimitExceeded``.

A domain error raised by the function (``ValidationFailed``…) is raised again in the
parent, message and field included. The child never touches the database
connections it inherits, and exits without running the parent's clean-up.
"""

import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from typing import Any

from django.utils import translation

from .exceptions import DomainError
from .jobs import die_with_parent


class LimitExceeded(Exception):
    """The child ran out of memory (``kind == "memory"``) or time (``"time"``)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _address_space() -> int | None:
    """Bytes of virtual memory this process has mapped now (Linux), or None."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    mapped = _address_space()
    if mapped is not None:
        cap = mapped + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds, spent + cpu_seconds + 5))


def _child(
    conn, fn: Callable[..., Any], args: tuple, limits: tuple[int, int], language, parent: int
) -> None:
    try:
        die_with_parent(parent)  # even when the parent is killed with -9
        _limit(*limits)
        if language:
            translation.activate(language)
        answer: tuple = ("ok", fn(*args))
    except MemoryError:
        answer = ("limit", "memory")
    except DomainError as exc:
        answer = ("domain", type(exc), str(exc.message), exc.field)
    except BaseException as exc:  # sent to the parent, which raises it again
        answer = ("error", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("limit", "memory"))
    finally:
        conn.close()


def call_limited(fn: Callable[..., Any], *args: Any, memory_bytes: int, cpu_seconds: int) -> Any:
    """``fn(*args)`` in a forked child with ``memory_bytes`` more memory than the parent
    had and ``cpu_seconds`` of CPU; raises ``LimitExceeded`` when it runs out."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(
            sender,
            fn,
            args,
            (memory_bytes, cpu_seconds),
            translation.get_language(),
            os.getpid(),
        ),
        # Never outlives the process that waits for it (a daemonic process, such as a
        # pool's worker, may not have daemonic children: there it is a plain child).
        daemon=not multiprocessing.current_process().daemon,
    )
    child.start()
    sender.close()
    try:
        # Wall-clock guard beside the CPU limit: a child stuck on I/O is stopped too.
        if not receiver.poll(cpu_seconds * 3 + 10):
            child.kill()
            raise LimitExceeded("time")
        try:
            answer = receiver.recv()
        except EOFError:  # killed: SIGXCPU past its CPU time, SIGKILL by the kernel
            child.join()
            raise LimitExceeded("time" if child.exitcode == -signal.SIGXCPU else "memory") from None
    finally:
        receiver.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    status = answer[0]
    if status == "ok":
        return answer[1]
    if status == "limit":
        raise LimitExceeded(answer[1])
    if status == "domain":
        _kind, cls, message, field = answer
        raise cls(message, field=field)
    raise RuntimeError(answer[1])
