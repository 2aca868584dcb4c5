"""The SLA sweep, run by the task worker every minute (``service/tasks.py``): it warns of
cases about to breach (an alert for the agent, or the manager when nobody owns the case)
and escalates breached ones per their policy (another queue or
agent, a higher priority, an e-mail to the manager). Set-based: a few UPDATEs per
policy whatever the number of cases; each case is warned once and escalated once per
target breached (the ``*_at`` columns are the memory; an UPDATE marks its rows with the
sweep's instant and returns what the events need: ``UPDATE … RETURNING``). The recount
of the cases an escalation gives another policy is not the sweep's: it is queued, after
each policy's commit, as ``sla_recount_task`` chunks of ``PANORAMA_SLA_RECOUNT_CHUNK``
cases, each in its own short transaction (``escalated_recount``)."""

import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import groupby, islice
from operator import itemgetter

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import F, Field, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.bulk_session import sqlite_page_cache
from panorama.core.events import emit_many

from ..models import Case, SlaPolicy, SlaRecountPending
from .sla_recount import cases_recount
from .sla_warnings import Warned, alert_warned

# Waiting on the customer pauses the clock: those cases are left alone.
RUNNING = (Case.Status.NEW, Case.Status.OPEN, Case.Status.REOPENED)
MAIL_LINES = 200  # the manager's e-mail lists this many cases, then counts the rest
# Cases per event: a sweep writes one outbox row per policy and this many warnings or
# escalations (``sla.cases_warned``, ``sla.cases_escalated``), not one per case. 53k
# rows (and as many deliveries to the rules) were half of a 90k-case sweep.
PER_EVENT = 1000
# SQLite's page cache during the sweep (``core.bulk_session.sqlite_page_cache``), in KiB.
SWEEP_CACHE_KIB = 256 * 1024
NEXT_PRIORITY = {"low": "normal", "normal": "high", "high": "urgent"}
# Both targets breached at once: two escalations, the priority raised twice.
NEXT_BUT_ONE = {old: NEXT_PRIORITY.get(new, new) for old, new in NEXT_PRIORITY.items()}
# (target, due column, escalated column, condition that the target is still pending)
TARGETS = (
    ("first_response", "first_response_due", "response_escalated_at", Q(first_response_at=None)),
    ("resolution", "resolution_due", "resolution_escalated_at", Q()),
)


def _running(policy_ids: list[int]) -> QuerySet[Case]:
    return Case.objects.filter(sla_policy__in=policy_ids, status__in=RUNNING)


def _field(name: str) -> Field:
    field = Case._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _raw(column: str) -> str:
    """``column`` of the case table as the database stores it: SQLite answers a
    datetime column's text without parsing it (its declared type would send each value
    through Django's ``parse_datetime``: a tenth of the sweep), PostgreSQL a datetime
    anyway. Either sorts like the instants."""
    quoted = f"{connection.ops.quote_name(Case._meta.db_table)}.{connection.ops.quote_name(column)}"
    return f"CAST({quoted} AS TEXT)" if connection.vendor == "sqlite" else quoted


def _moment(value: str | datetime | None) -> datetime | None:
    """An instant answered by ``_update_returning``: SQLite's text (naive UTC, as Django
    stores it) read by ``fromisoformat``, PostgreSQL's datetime as it is."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def _update_returning(qs: QuerySet[Case], changes: dict, returning: list[str], params=()):
    """``qs.update(**changes)`` that also answers, for each changed row, the SQL
    expressions ``returning`` (with ``params``) as the row is after the UPDATE
    (``UPDATE … RETURNING``: PostgreSQL, SQLite ≥ 3.35), as plain tuples: no
    conversion, no dict per row (the callers convert the few values they show).
    Reading the marked rows back afterwards scanned the policy's cases again (no index
    on the marks, which would cost every UPDATE one more entry)."""
    query = qs.query.chain(UpdateQuery)
    assert isinstance(query, UpdateQuery)
    query.add_update_values(changes)
    query.annotations = {}
    sql, where = query.get_compiler(qs.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {', '.join(returning)}", (*where, *params))
        return cursor.fetchall()


def _col(name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(Case._meta.db_table)}.{quote(_field(name).column)}"


def _by(policies: list[SlaPolicy], key) -> dict:
    """``policies`` grouped by ``key``: one statement per group (most desks have one
    warning window and one way of escalating), not per policy."""
    groups: dict = {}
    for policy in policies:
        groups.setdefault(key(policy), []).append(policy.pk)
    return groups


def _per_policy(rows: list[tuple]) -> dict[int, list[tuple]]:
    """Rows whose first three values are the policy's id, the case's and its raw
    ``created_at``, by policy, each in the order the cases are listed in everywhere
    (newest first), not the table's. One sort and a split, both in C: a loop over the
    rows in Python cost a tenth of a second per 100k."""
    rows.sort(key=itemgetter(0, 2, 1), reverse=True)
    return {policy_id: list(part) for policy_id, part in groupby(rows, itemgetter(0))}


def _warn(policies: list[SlaPolicy], now: datetime) -> int:
    """Warn of every policy's cases about to breach: one UPDATE per warning window
    (``warn_minutes``) over the policies that share it, then each policy's event and
    everyone's alerts."""
    # The warning window is counted in wall-clock minutes (set-based); the breach itself
    # is exact, since the due times are business-hours instants.
    rows: list[tuple] = []
    for minutes, ids in _by(policies, lambda p: p.warn_minutes).items():
        soon = now + timedelta(minutes=minutes)
        pending = Q()
        for _target, due, _done, still in TARGETS:
            pending |= still & Q(**{f"{due}__lte": soon, f"{due}__gt": now})
        # One UPDATE marks them with this sweep's instant and answers what the events
        # need. The nearer target (the first response while unanswered and due by then)
        # is picked here: SQLite 3.40 answers ``IS NULL`` wrongly inside ``RETURNING``.
        rows += _update_returning(
            _running(ids).filter(pending, sla_warned_at=None),
            {"sla_warned_at": now},
            [
                _col("sla_policy_id"),
                _col("id"),
                _raw("created_at"),
                _col("customer_id"),
                _col("owner_id"),
                _col("reference"),
                _raw("first_response_at"),
                f"{_col('first_response_due')} <= %s",
                _raw("first_response_due"),
                _raw("resolution_due"),
            ],
            [connection.ops.adapt_datetimefield_value(soon)],
        )
    by_policy = _per_policy(rows)
    warned: list[tuple[SlaPolicy, list[Warned]]] = []
    # Each due time read once per instant, not per case (a few hundred among thousands).
    moments: dict[str | datetime | None, tuple[datetime | None, str]] = {None: (None, "")}
    for policy in policies:
        mine, payloads = [], []
        for (
            _policy,
            pk,
            _created,
            customer_id,
            owner_id,
            reference,
            answered,
            soon_first,
            first,
            last,
        ) in by_policy.get(policy.pk, ()):
            nearer = answered is None and bool(soon_first)
            target = "first_response" if nearer else "resolution"
            raw = first if nearer else last
            if raw not in moments:
                moment = _moment(raw)
                moments[raw] = (moment, moment.isoformat() if moment else "")
            when, shown = moments[raw]
            mine.append(Warned(pk, customer_id, owner_id, reference, target, when))
            payloads.append({"case_id": pk, "target": target, "due": shown})
        if mine:
            _emit_batches("sla.cases_warned", policy, "warnings", payloads)
            warned.append((policy, mine))
    alert_warned(warned, now)
    return len(rows)


def _escalate(policies: list[SlaPolicy], now: datetime) -> dict[int, list[dict]]:
    """One UPDATE for every breached case of the policies that escalate alike (the same
    queue, agent and priority rule: most desks have one or two ways), both targets at
    once (a case breaching both is written once, with both marks and the priority
    raised twice, as two escalations in a row would leave it). Returns each policy's
    escalations as their event carries them (``case.escalated`` without the policy),
    first responses then resolutions, each with the case as the UPDATE left it, newest
    case first."""
    breached = {
        target: still & Q(**{f"{due}__lte": now, done: None})
        for target, due, done, still in TARGETS
    }
    first, resolution = breached["first_response"], breached["resolution"]
    # Whether the UPDATE left each mark at the sweep's instant: compared in SQL (parsing
    # 150k timestamps back cost a tenth of the sweep).
    stamp = connection.ops.adapt_datetimefield_value(now)
    marks = [f"{_col(done)} = %s" for _target, _due, done, _still in TARGETS]
    rows: list[tuple] = []
    ways = _by(
        policies, lambda p: (p.raise_priority, p.escalate_to_queue_id, p.escalate_to_user_id)
    )
    for (raise_priority, to_queue, to_user), ids in ways.items():
        changes: dict = {
            done: When_(When(breached[target], then=Value(now)), default=F(done))
            for target, _due, done, _still in TARGETS
        }
        changes["sla_warned_at"] = Coalesce(F("sla_warned_at"), Value(now))
        if raise_priority:
            changes["priority"] = When_(
                *[
                    When(first & resolution, priority=old, then=Value(new))
                    for old, new in NEXT_BUT_ONE.items()
                ],
                *[When(priority=old, then=Value(new)) for old, new in NEXT_PRIORITY.items()],
                default=F("priority"),
            )
        if to_queue:
            changes["queue_id"] = to_queue
            changes["owner_id"] = to_user
        elif to_user:
            changes["owner_id"] = to_user
        rows += _update_returning(
            _running(ids).filter(first | resolution),
            changes,
            [
                _col("sla_policy_id"),
                _col("id"),
                _raw("created_at"),
                _col("queue_id"),
                _col("owner_id"),
                _col("priority"),
                *marks,
            ],
            [stamp] * len(marks),
        )
    return {
        policy_id: [
            {
                "case_id": pk,
                "target": target,
                "queue_id": queue_id,
                "owner_id": owner_id,
                "priority": priority,
            }
            for i, (target, *_rest) in enumerate(TARGETS)
            for _policy, pk, _created, queue_id, owner_id, priority, *flags in cases
            if flags[i]
        ]
        for policy_id, cases in _per_policy(rows).items()
    }


def _notify(manager_email: str, breaches: list[tuple[SlaPolicy, list[dict]]]) -> None:
    """One e-mail to a manager for the whole sweep, whatever the number of policies
    naming his address and of cases they escalated: how many per policy, the first
    ``MAIL_LINES`` cases (then how many more) and a link to the breached cases (a
    manager with 5,000 breaches gets one digest, not 5,000 messages)."""
    total = sum(len(escalated) for _policy, escalated in breaches)
    every = ((policy, e) for policy, escalated in breaches for e in escalated)
    shown = list(islice(every, MAIL_LINES))
    references = dict(
        Case.objects.filter(pk__in=[e["case_id"] for _policy, e in shown]).values_list(
            "pk", "reference"
        )
    )
    first, resolution = _("first response overdue"), _("resolution overdue")
    lines = [
        _("%(policy)s: %(n)s case(s)") % {"policy": policy.name, "n": len(escalated)}
        for policy, escalated in breaches
    ]
    lines += ["", _("These cases were escalated:"), ""]
    several = len(breaches) > 1
    lines += [
        f"{references.get(e['case_id'], e['case_id'])} — "
        + (first if e["target"] == "first_response" else resolution)
        + (f" ({policy.name})" if several else "")
        for policy, e in shown
    ]
    if total > len(shown):
        lines.append(_("… and %(n)s more.") % {"n": total - len(shown)})
    base = getattr(settings, "PANORAMA_BASE_URL", "").rstrip("/")
    if base:
        link = f"{base}{reverse('service:case_list')}?sla=breached"
        lines += ["", _("See them all: %(url)s") % {"url": link}]
    names = ", ".join(policy.name for policy, _escalated in breaches)
    send_mail(
        subject=(
            _("[Panorama] %(n)s case(s) breached the SLA policy %(policy)s")
            if not several
            else _("[Panorama] %(n)s case(s) breached the SLA policies %(policy)s")
        )
        % {"n": total, "policy": names},
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[manager_email],
    )


def _emit_batches(event: str, policy: SlaPolicy, items: str, payloads: list[dict]) -> None:
    """``event`` (a batch event) for ``payloads``, ``PER_EVENT`` of them per event."""
    emit_many(
        event,
        [
            {"policy_id": policy.pk, items: payloads[start : start + PER_EVENT]}
            for start in range(0, len(payloads), PER_EVENT)
        ],
    )


def _emit_escalated(policy: SlaPolicy, escalated: list[dict]) -> None:
    """The escalations, each with the case as the UPDATE left it (the rules on
    ``case.escalated`` run once per escalation)."""
    _emit_batches("sla.cases_escalated", policy, "escalations", escalated)


def _recount_owe(case_ids: list[int], now: datetime) -> list[SlaRecountPending]:
    """Record, in the escalation's transaction, the recount owed to ``case_ids``: one
    ``SlaRecountPending`` row per ``PANORAMA_SLA_RECOUNT_CHUNK`` cases (a few rows
    whatever the number of cases), each deleted by its task's commit."""
    size = max(1, int(settings.PANORAMA_SLA_RECOUNT_CHUNK))
    return SlaRecountPending.objects.bulk_create(
        [
            SlaRecountPending(case_ids=case_ids[start : start + size], queued_at=now)
            for start in range(0, len(case_ids), size)
        ]
    )


def _recount_enqueue(owed: list[SlaRecountPending]) -> None:
    """Queue a ``sla_recount_task`` per owed chunk (after the commit that wrote them)."""
    from ..tasks import sla_recount_task

    for chunk in owed:
        sla_recount_task.enqueue(chunk.case_ids, chunk.pk)


def recounts_requeue(now: datetime) -> int:
    """Queue again the recounts owed since ``PANORAMA_SLA_RECOUNT_RETRY_SECONDS`` or
    longer: their sweep's process died between its commit and the enqueue, or their task
    failed or was lost. Each is marked queued now, so the next sweeps wait as long again
    (a task still in the queue meanwhile finds its row gone and does nothing twice). One
    query when none is owed. Returns how many chunks were queued."""
    retry = timedelta(seconds=int(settings.PANORAMA_SLA_RECOUNT_RETRY_SECONDS))
    with transaction.atomic():
        owed = list(
            SlaRecountPending.objects.select_for_update().filter(queued_at__lte=now - retry)
        )
        if owed:
            SlaRecountPending.objects.filter(pk__in=[o.pk for o in owed]).update(queued_at=now)
            transaction.on_commit(partial(_recount_enqueue, owed))
    return len(owed)


def escalated_recount(case_ids: Sequence[int], pending_id: int | None = None) -> int:
    """Recount the due times of escalated cases that their new queue or priority gives
    another policy (``sla_recount_task``: one chunk of a sweep's), in one transaction of
    its own, which also deletes the chunk's ``SlaRecountPending`` row (``pending_id``):
    a chunk whose row is gone was recounted already and is skipped. Idempotent: a case
    already on its new policy is left alone (no second note), a case closed or waiting
    since is skipped. On PostgreSQL the chunk's rows are locked while read, so an
    agent's edit meanwhile is not overwritten. Returns how many changed."""
    with transaction.atomic():
        if pending_id is not None:
            deleted, _kinds = SlaRecountPending.objects.filter(pk=pending_id).delete()
            if not deleted:
                return 0
        return cases_recount(
            case_ids,
            policies=list(SlaPolicy.objects.select_related("calendar")),
            reason=_("escalated by the SLA sweep"),
            lock=True,
        )


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """The process's objects so far left out of the garbage collector's passes while
    the sweep allocates its hundreds of thousands of rows (each full pass walked every
    module and model of the process: a quarter of the sweep's CPU); what the sweep
    leaves behind is collected as usual, the rest is given back afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def sla_sweep(now: datetime | None = None, *, spans: list[float] | None = None) -> dict[str, int]:
    """The sweep (``_sweep``) with the process's heap frozen for the garbage collector
    (``_heap_frozen``)."""
    with _heap_frozen():
        return _sweep(now, spans)


def _sweep(now: datetime | None, spans: list[float] | None) -> dict[str, int]:
    """Warn and escalate every running case with a policy; returns the counts. One
    transaction for the whole sweep: its UPDATEs (one per warning window, one per way
    of escalating, whatever the number of policies), alerts and events (the outbox);
    the manager's e-mail goes after the commit. A transaction per policy wrote each page
    of the case table once per policy (a policy's cases lie all over the table): a
    third of the writes, twice the commits' CPU at 300k cases. An escalation that moves
    a case to another queue or raises its priority may give it another policy: those
    cases are recounted by ``sla_recount_task`` chunks (per policy) queued on the
    commit, each its own short transaction (the sweep's held SQLite's write lock for
    the whole per-case recount: 150k cases, most of 19 s). ``spans``: the
    transaction's seconds are appended (the bench's longest transaction)."""
    now = now or timezone.now()
    recounts_requeue(now)  # the recounts an earlier sweep owes (its process died…)
    policies = list(SlaPolicy.objects.select_related("calendar"))
    if not policies:
        return {"warned": 0, "escalated": 0}
    started = time.perf_counter()
    with sqlite_page_cache(SWEEP_CACHE_KIB), transaction.atomic():
        warned = _warn(policies, now)
        escalations = _escalate(policies, now)
        for policy in policies:
            escalated = escalations.get(policy.pk)
            if escalated:
                _emit_escalated(policy, escalated)
                if policy.raise_priority or policy.escalate_to_queue_id:
                    moved = sorted({e["case_id"] for e in escalated})
                    owed = _recount_owe(moved, now)
                    transaction.on_commit(partial(_recount_enqueue, owed))
    if spans is not None:
        spans.append(time.perf_counter() - started)
    # Each manager's breaches over every policy naming him, for one e-mail per sweep.
    managers: dict[str, list[tuple[SlaPolicy, list[dict]]]] = {}
    for policy in policies:
        escalated = escalations.get(policy.pk)
        if escalated and policy.manager_email:
            address = policy.manager_email.strip().lower()
            managers.setdefault(address, []).append((policy, escalated))
    for breaches in managers.values():
        _notify(breaches[0][0].manager_email, breaches)
    breached = sum(len(escalated) for escalated in escalations.values())
    return {"warned": warned, "escalated": breached}
