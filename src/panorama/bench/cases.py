"""The service desk's bench figures: the agent's queue page (time and queries, signed in
with a session like a browser) and the SLA sweep over every case of the bench database."""

import time
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils import timezone

from panorama.accounts.models import User
from panorama.service.models import Case, SlaRecountPending

from . import measure

QUEUE_URL = "/service/cases/"


def cases_ready(count: int) -> int:
    """Seed service cases up to ``count`` (no messages, bulk); how many there are."""
    have = Case.objects.count()
    if have < count:
        from panorama.seeding.service_demo import service_demo_ensure

        service_demo_ensure(cases=count - have, messages=False)
        _snapshot_take()
    return Case.objects.count()


# What the sweep changes besides its marks: an escalation moves a case to another queue or
# raises its priority, and then its policy and due times are counted again.
SWEPT = ["sla_policy_id", "first_response_due", "resolution_due", "queue_id", "priority"]
SNAPSHOT = "bench_case_sla"
SEEDED_AT = "bench_case_sla_at"  # one row: the instant every bench sweep runs at


def _snapshot_take() -> None:
    """Keep the seeded cases' swept columns (a table of the bench database), so every
    sweep starts from the cases as seeded."""
    columns = ", ".join(SWEPT)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT}")
        cursor.execute(
            f"CREATE TABLE {SNAPSHOT} AS SELECT id, {columns} "  # noqa: S608 (our own names)
            f"FROM {Case._meta.db_table}"
        )
        # The restore looks each case up here by id: without the index SQLite scanned
        # the snapshot once per case (300k × 300k: the bench never reached the sweep).
        cursor.execute(f"CREATE UNIQUE INDEX {SNAPSHOT}_id ON {SNAPSHOT} (id)")
    _sweep_instant_keep(timezone.now())


def _sweep_instant_keep(at: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SEEDED_AT}")
        cursor.execute(f"CREATE TABLE {SEEDED_AT} (at VARCHAR(40) NOT NULL)")
        cursor.execute(f"INSERT INTO {SEEDED_AT} (at) VALUES (%s)", [at.isoformat()])  # noqa: S608


def sweep_instant() -> datetime:
    """The instant the bench's sweeps run at: when the cases were seeded (the seeder
    places due times around its own now: swept at the real time 40 minutes later, every
    case of the warning window is overdue, and the work is another's, 0 warnings and
    186k escalations instead of 30,000 and 156k). A database seeded before the instant
    was kept keeps its first sweep's."""
    if SEEDED_AT not in connection.introspection.table_names():
        _sweep_instant_keep(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT at FROM {SEEDED_AT}")  # noqa: S608 (our own name)
        (at,) = cursor.fetchone()
    return datetime.fromisoformat(at)


def _snapshot_restore() -> None:
    """Put the swept columns back as seeded (only the rows a sweep changed)."""
    table = Case._meta.db_table
    if SNAPSHOT not in connection.introspection.table_names():
        _snapshot_take()  # a bench database seeded before the snapshot existed
        return
    with connection.cursor() as cursor:  # a snapshot taken before it had its index
        cursor.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {SNAPSHOT}_id ON {SNAPSHOT} (id)")
    differs = " IS DISTINCT FROM " if connection.vendor == "postgresql" else " IS NOT "
    changed = " OR ".join(f"b.{c}{differs}{table}.{c}" for c in SWEPT)
    sets = ", ".join(
        f"{c} = (SELECT b.{c} FROM {SNAPSHOT} b WHERE b.id = {table}.id)"  # noqa: S608
        for c in SWEPT
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE EXISTS "  # noqa: S608 (our own names)
            f"(SELECT 1 FROM {SNAPSHOT} b WHERE b.id = {table}.id AND ({changed}))"
        )


def session_connection(base_url: str, user: User) -> measure.Connection:
    """A connection carrying a signed-in session cookie for ``user`` (the pages use the
    session, not the API token)."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client = measure.Connection(base_url, "")
    client.headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "Accept": "text/html",
    }
    return client


def case_queue(base_url: str, user: User, requests: int) -> tuple[float, int | None]:
    """p50 ms and the most queries of the open-cases queue page."""
    client = session_connection(base_url, user)
    try:
        times, counts = measure.timed(
            client, [measure.get(QUEUE_URL, {"status": "open"})] * requests
        )
    finally:
        client.close()
    return round(measure.p50(times), 2), (max(counts) if counts else None)


# The recount tasks a sweep queues are held here, then run in process one after another.
HELD_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def sla_sweep_seconds() -> tuple[float, dict[str, int | float]]:
    """Seconds of one SLA sweep over every case, and what it did: its counts, then
    ``recount_s`` (every recount task it queued, run in process after it, one after
    another), ``recount_tasks`` and ``recounted`` (cases whose due times moved), and
    ``longest_transaction_s`` (the longest of the sweep's per-policy transactions and
    the tasks', each one transaction: how long SQLite's write lock is held at once).
    Every case's SLA marks are cleared first and what an earlier sweep changed put back
    as seeded (not timed), and every run sweeps at the same instant (``sweep_instant``:
    when the cases were seeded), so each run does the same work whether the database is
    new or reused: each overdue case is escalated, each case near its due time warned,
    as on the first sweep after an outage. ``cpu_s``: the sweep's CPU seconds (SQLite's
    included: it runs in the process); ``wait_s`` (Linux): its seconds waiting for a CPU
    behind other processes."""
    from django.test.utils import override_settings
    from django_tasks import default_task_backend

    from panorama.service.services.escalation import sla_sweep
    from panorama.service.tasks import sla_recount_task

    _snapshot_restore()
    SlaRecountPending.objects.all().delete()  # an interrupted run's chunks: not this one's
    Case.objects.update(
        sla_warned_at=None, response_escalated_at=None, resolution_escalated_at=None
    )
    settle_tables(Case._meta.db_table)
    spans: list[float] = []
    at = sweep_instant()
    with override_settings(TASKS=HELD_TASKS):
        on_cpu, waited = _scheduled()
        cpu = time.process_time()
        started = time.perf_counter()
        done: dict[str, int | float] = {**sla_sweep(at, spans=spans)}
        seconds = round(time.perf_counter() - started, 3)
        done["cpu_s"] = round(time.process_time() - cpu, 3)
        if on_cpu is not None:
            done["wait_s"] = round(_scheduled()[1] - waited, 3)
        queued = [
            result.args
            for result in default_task_backend.results  # type: ignore[attr-defined]
            if result.task.name == sla_recount_task.name
        ]
    recounted = 0
    started = time.perf_counter()
    for args in queued:
        begun = time.perf_counter()
        recounted += sla_recount_task.call(*args)
        spans.append(time.perf_counter() - begun)
    done["recount_s"] = round(time.perf_counter() - started, 3)
    done["recount_tasks"], done["recounted"] = len(queued), recounted
    done["longest_transaction_s"] = round(max(spans, default=0.0), 3)
    return seconds, done


def _scheduled() -> tuple[float | None, float]:
    """Seconds this process has run on a CPU and waited for one (Linux's
    ``/proc/self/schedstat``); ``(None, 0.0)`` elsewhere. On a shared machine the
    sweep's wall time is mostly the second: the bench reports it beside the CPU time."""
    try:
        with open("/proc/self/schedstat") as stat:
            ran, waited, _slices = stat.read().split()
    except (OSError, ValueError):
        return None, 0.0
    return int(ran) / 1e9, int(waited) / 1e9


def settle_tables(*tables: str) -> None:
    """PostgreSQL: vacuum and analyse ``tables`` after a bulk write, so the figure that
    follows neither pays for the dead rows nor races autovacuum."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')  # our own table names
