"""Recounting the SLA due times of many open cases at once, each saying so on its
thread: the sweep's escalations that give a case another policy (``escalation.py``)
and a contract extended over cases it did not cover (``contract.py``). The rule is
``sla.retarget_to`` (a priority change's: from the opening, in the policy's business
hours, the paused minutes kept); the additions go through each calendar unrolled once
(``Timeline``), not a walk over the days per case. A few queries per
``RECOUNT_CHUNK`` cases, whatever their number."""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _

from panorama.core.bulk import TableWriter, ids_reserve, model_new
from panorama.core.bulk_update import objects_update
from panorama.core.events import emit_many

from ..models import Asset, BusinessCalendar, Case, CaseMessage, SlaPolicy
from . import sla
from .business_hours import Hours, Timeline
from .sla_segments import segments_holding

# The cases a recount reads at once, and what of them.
RECOUNT_CHUNK = 5000
PER_EVENT = 1000  # cases per ``sla.cases_recounted``
RECOUNT_READ = (
    "id",
    "created_at",
    "status",
    "customer_id",
    "queue_id",
    "priority",
    "product_id",
    "asset_id",
    "sla_policy_id",
    "first_response_at",
    "first_response_due",
    "resolution_due",
    "sla_paused_minutes",
    "sla_warned_at",
)
MOMENTS = (
    "created_at",
    "first_response_at",
    "first_response_due",
    "resolution_due",
    "sla_warned_at",
)
# What a recount note's row holds besides its id (``TableWriter``: no model instance).
NOTE_COLUMNS = ("id", "case", "kind", "body", "delivery", "delivery_error", "created_at")
# Days unrolled before the oldest case of a chunk and after its newest opening (a due
# time further away is counted by the walk, the same answer).
BEHIND, AHEAD = 31, 366


# Django's date format letters that strftime writes the same (zero-padded numbers).
STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


def moment_shown() -> Callable[[datetime | None], str]:
    """How a note shows an instant: the active language's short date and time in the
    site's zone ("—": none), as ``date_format`` does. A format of numbers only goes
    through one strftime pattern (a recount writes thousands: ``date_format`` cost
    more than the recount itself); any other through ``date_format``."""
    name = "SHORT_DATETIME_FORMAT"
    wanted = str(get_format(name))
    zone = timezone.get_current_timezone()
    if all(ch in STRFTIME or not (ch.isalpha() or ch in "\\%") for ch in wanted):
        pattern = "".join(STRFTIME.get(ch, ch) for ch in wanted)
        return lambda moment: moment.astimezone(zone).strftime(pattern) if moment else "—"
    return lambda moment: date_format(moment.astimezone(zone), name) if moment else "—"


class Calendars:
    """Each calendar's schedule read once (``sla.hours_of``: one query) and unrolled
    over the days the cases need, again only when a case falls outside them."""

    def __init__(self) -> None:
        self.hours: dict[int, Hours] = {}
        self.timelines: dict[int, Timeline] = {}

    def timeline(self, calendar: BusinessCalendar, first: date, last: date) -> Timeline:
        held = self.timelines.get(calendar.pk)
        if held is not None and held.first <= first and last <= held.last:
            return held
        if calendar.pk not in self.hours:
            self.hours[calendar.pk] = sla.hours_of(calendar)
        first, last = first - timedelta(days=BEHIND), last + timedelta(days=AHEAD)
        if held is not None:
            first, last = min(first, held.first), max(last, held.last)
        self.timelines[calendar.pk] = Timeline(self.hours[calendar.pk], first, last)
        return self.timelines[calendar.pk]


class Notes:
    """The notes of one recount, in the active language: its words translated once,
    not per case (thousands of cases: the translations cost more than the recount)."""

    def __init__(self, policies: dict[int, str], reason: str) -> None:
        self.policies, self.reason = policies, reason
        self.shown = moment_shown()
        self.moved = _("Service level %(old)s → %(new)s: due times recounted (%(reason)s).")
        self.kept = _("Service level %(new)s: due times recounted (%(reason)s).")
        self.line = _("%(field)s: %(old)s → %(new)s")
        self.first, self.resolution = _("First response due"), _("Resolution due")

    def __call__(self, case: Case, before: tuple) -> tuple[int, str]:
        """The note of ``case``, recounted from ``before`` (its first response due,
        resolution due and policy id as they were): the policies, the reason, and a line
        for each due time that moved ("—": none before); (case id, text)."""
        old = self.policies.get(before[2]) if before[2] else None
        new = self.policies.get(case.sla_policy_id or 0, "")
        lines = [
            self.moved % {"old": old, "new": new, "reason": self.reason}
            if old and old != new
            else self.kept % {"new": new, "reason": self.reason}
        ]
        for label, was, now in (
            (self.first, before[0], case.first_response_due),
            (self.resolution, before[1], case.resolution_due),
        ):
            if was != now:
                lines.append(
                    self.line % {"field": label, "old": self.shown(was), "new": self.shown(now)}
                )
        return case.pk, "\n".join(lines)


def _opened(cases: Sequence[Case]) -> tuple[date, date]:
    """The first and last local days the cases were opened on (the calendar's zone may
    be a day off the site's: ``BEHIND`` covers it)."""
    moments = [c.created_at for c in cases]
    return timezone.localdate(min(moments)), timezone.localdate(max(moments))


def _recount(
    cases: list[Case],
    active: list[SlaPolicy],
    names: dict[int, str],
    reason: str,
    calendars: Calendars,
    new_policy_only: bool,
) -> tuple[list[Case], list[tuple[int, str]]]:
    first, last = _opened(cases)
    contracts = sla.contract_policies_for(cases)
    holding = segments_holding(active, [c.customer_id for c in cases if c.pk not in contracts])
    changed, notes = [], []
    note = Notes(names, reason)
    # The policy of each (queue, priority, segment) and the timeline of each policy,
    # worked out once per chunk: the cases share a few of them.
    matched: dict[tuple, SlaPolicy | None] = {}
    timelines: dict[int, Timeline] = {}
    segmented = any(policy.marketing_segment_id for policy in active)
    for case in cases:
        if not case.is_open:
            continue
        contract = contracts.get(case.pk)
        if contract:
            policy = contract.sla_policy
        else:
            kind = getattr(case, "customer_kind", None) or ""
            if segmented:  # the answer hangs on the customer, not only on the key
                policy = sla.matching_policy(case, active, holding, kind=kind)
            else:
                key = (case.queue_id, case.priority, kind)
                if key not in matched:
                    matched[key] = sla.matching_policy(case, active, kind=kind)
                policy = matched[key]
        if policy is None:
            continue
        if new_policy_only and policy.pk == case.sla_policy_id:
            continue
        names.setdefault(policy.pk, policy.name)
        timeline = timelines.get(policy.pk)
        if timeline is None:
            timeline = timelines[policy.pk] = calendars.timeline(policy.calendar, first, last)
        before = (case.first_response_due, case.resolution_due, case.sla_policy_id)
        if sla.retarget_to(case, policy, timeline):
            changed.append(case)
            notes.append(note(case, before))
    return changed, notes


def _cases_read(ids: list[int], lock: bool = False) -> list[Case]:
    """The cases ``ids`` with what a recount reads (``RECOUNT_READ``), their customer's
    kind (``customer_kind``) and their asset's product (the asset cached on the case).
    One query; the rows read raw and the instances built without ``Model.__init__``:
    Django's per-value converters and instances cost half of a sweep's recount.
    ``lock``: the cases' rows locked till the commit (PostgreSQL; SQLite's transaction
    holds the write lock already)."""
    query = Case.objects.filter(pk__in=ids).values_list(
        *RECOUNT_READ, "customer__kind", "asset__product_id"
    )
    if lock:
        query = query.select_for_update(of=("self",))
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moments = [RECOUNT_READ.index(name) for name in MOMENTS]
    cases = []
    for row in rows:
        values = dict(zip(RECOUNT_READ, row, strict=False))
        for i in moments:
            value = row[i]
            if value is not None and value.tzinfo is None:  # SQLite: naive, in UTC
                values[RECOUNT_READ[i]] = value.replace(tzinfo=UTC)
        kind, product_id = row[-2], row[-1]
        if values["asset_id"] is not None:
            values["asset"] = model_new(Asset, id=values.pop("asset_id"), product_id=product_id)
        case = model_new(Case, **values)
        case.customer_kind = kind or ""  # type: ignore[attr-defined]
        cases.append(case)
    return cases


def _notes_write(notes: list[tuple[int, str]]) -> list[int]:
    """The recount's notes (internal, no author), rows straight into the table; their
    ids."""
    if not notes:
        return []
    writer = TableWriter(CaseMessage, NOTE_COLUMNS)
    now, kind = timezone.now(), CaseMessage.Kind.NOTE.value
    ids = ids_reserve(CaseMessage, len(notes))
    for pk, (case_id, body) in zip(ids, notes, strict=True):
        writer.add((pk, case_id, kind, body, "", "", now))
    with connection.cursor() as cursor:
        writer.flush(cursor)
    return ids


def cases_recount(
    ids: Iterable[int],
    *,
    policies: Sequence[SlaPolicy],
    reason: str,
    calendars: Calendars | None = None,
    new_policy_only: bool = True,
    lock: bool = False,
) -> int:
    """Recount the open cases ``ids`` by the policy each gets now (a covering contract
    first, then the first segment policy holding its customer — each segment asked once per
    chunk —, else the most specific of the active ``policies``); ``new_policy_only``: only
    those it gives another policy. Each changed case gets an internal note naming the
    policies, ``reason`` and the due times that moved (in the site's language: nobody
    in particular reads it). Per ``RECOUNT_CHUNK`` cases a read, the contracts' three
    when some case names an asset or product, an UPDATE per thousand changed
    (``objects_update``) and one INSERT of the notes; the notes as one
    ``sla.cases_recounted`` event per thousand cases. Not atomic by itself: the
    caller's transaction (``lock``: its rows locked as read, in it). Returns how many
    changed."""
    ids = sorted(set(ids))
    calendars = calendars or Calendars()
    active = [p for p in policies if p.active]
    names = {p.pk: p.name for p in policies}
    recounted = 0
    done: list[dict] = []
    for start in range(0, len(ids), RECOUNT_CHUNK):
        cases = _cases_read(ids[start : start + RECOUNT_CHUNK], lock)
        if not cases:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            changed, notes = _recount(cases, active, names, reason, calendars, new_policy_only)
        # Each row its values joined on the id (``bulk_update``'s CASE per row and field
        # was most of the sweep: 45 of 58 s for 15,000 cases), the notes in one INSERT.
        objects_update(changed, sla.RETARGET_FIELDS)
        note_ids = _notes_write(notes)
        recounted += len(changed)
        done += [
            {"case_id": case.pk, "policy_id": case.sla_policy_id, "message_id": note_id}
            for case, note_id in zip(changed, note_ids, strict=True)
        ]
    # The notes as one event per thousand cases, not a ``case.message_added`` each.
    emit_many(
        "sla.cases_recounted",
        [
            {"reason": reason, "cases": done[start : start + PER_EVENT]}
            for start in range(0, len(done), PER_EVENT)
        ],
    )
    return recounted
