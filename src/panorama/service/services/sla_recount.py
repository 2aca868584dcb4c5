"""Recounting the SLA due times of many open cases at once, each saying so on its
thread: the sweep's escalations that give a case another policy (``escalation.py``)
and a contract extended over cases it did not cover (``contract.py``). The rule is
``sla.retarget_to`` (a priority change's: from the opening, in the policy's business
hours, the paused minutes kept); the additions go through each calendar unrolled once
(``Timeline``), not a walk over the days per case. A few queries per
``RECOUNT_CHUNK`` cases, whatever their number."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _

from ..models import BusinessCalendar, Case, CaseMessage, SlaPolicy
from . import sla
from .business_hours import Hours, Timeline
from .sla_segments import segments_holding

# The cases a recount reads at once, and what of them; the rows an UPDATE writes.
RECOUNT_CHUNK = 5000
RECOUNT_WRITE = 500
RECOUNT_READ = (
    "id",
    "created_at",
    "status",
    "customer__kind",
    "queue",
    "priority",
    "product",
    "asset__product",
    "sla_policy",
    "first_response_at",
    "first_response_due",
    "resolution_due",
    "sla_paused_minutes",
    "sla_warned_at",
)
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

    def __call__(self, case: Case, before: tuple) -> CaseMessage:
        """The note of ``case``, recounted from ``before`` (its first response due,
        resolution due and policy id as they were): the policies, the reason, and a line
        for each due time that moved ("—": none before)."""
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
        return CaseMessage(case_id=case.pk, kind=CaseMessage.Kind.NOTE, body="\n".join(lines))


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
) -> tuple[list[Case], list[CaseMessage]]:
    first, last = _opened(cases)
    contracts = sla.contract_policies_for(cases)
    holding = segments_holding(active, [c.customer_id for c in cases if c.pk not in contracts])
    changed, notes = [], []
    note = Notes(names, reason)
    for case in cases:
        contract = contracts.get(case.pk)
        policy = contract.sla_policy if contract else sla.matching_policy(case, active, holding)
        if policy is None or not case.is_open:
            continue
        if new_policy_only and policy.pk == case.sla_policy_id:
            continue
        names.setdefault(policy.pk, policy.name)
        before = (case.first_response_due, case.resolution_due, case.sla_policy_id)
        if sla.retarget_to(case, policy, calendars.timeline(policy.calendar, first, last)):
            changed.append(case)
            notes.append(note(case, before))
    return changed, notes


def cases_recount(
    ids: Iterable[int],
    *,
    policies: Sequence[SlaPolicy],
    reason: str,
    calendars: Calendars | None = None,
    new_policy_only: bool = True,
) -> int:
    """Recount the open cases ``ids`` by the policy each gets now (a covering contract
    first, then the first segment policy holding its customer — each segment asked once per
    chunk —, else the most specific of the active ``policies``); ``new_policy_only``: only
    those it gives another policy. Each changed case gets an internal note naming the
    policies, ``reason`` and the due times that moved (in the site's language: nobody
    in particular reads it). Per ``RECOUNT_CHUNK`` cases a read, the contracts' three
    when some case names an asset or product, an UPDATE and an INSERT per
    ``RECOUNT_WRITE`` changed. Not atomic by itself: the caller's transaction.
    Returns how many changed."""
    ids = sorted(set(ids))
    calendars = calendars or Calendars()
    active = [p for p in policies if p.active]
    names = {p.pk: p.name for p in policies}
    recounted = 0
    for start in range(0, len(ids), RECOUNT_CHUNK):
        cases = list(
            Case.objects.filter(pk__in=ids[start : start + RECOUNT_CHUNK])
            .select_related("customer", "asset")
            .only(*RECOUNT_READ)
        )
        if not cases:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            changed, notes = _recount(cases, active, names, reason, calendars, new_policy_only)
        # Batches of 500: PostgreSQL walks bulk_update's CASE per row, so one for 5,000
        # cases costs 25 times one for 500 (SQLite's parameter limit batches smaller).
        Case.objects.bulk_update(changed, sla.RETARGET_FIELDS, batch_size=RECOUNT_WRITE)
        CaseMessage.objects.bulk_create(notes, batch_size=RECOUNT_WRITE)
        recounted += len(changed)
    return recounted
