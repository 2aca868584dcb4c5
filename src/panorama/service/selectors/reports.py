"""The service reports: backlog per queue, SLA compliance, first-contact resolution,
customer satisfaction and mean time to resolve, over a period, of the cases the reader
sees (``cases_visible_to``). A handful of grouped queries whatever the number of cases:
every figure is counted by the database, per queue, and the totals are summed here.

Definitions (also on the page):
- *opened*: cases created in the period; *resolved*: cases whose ``resolved_at`` is in it.
- *SLA met*: of the cases resolved in the period that had a resolution target, those
  resolved by it; of the cases first answered in the period that had a first-response
  target, those answered by it. Targets are business-hour times already moved by the
  time spent waiting on the customer, so a plain comparison is the SLA's own verdict.
- *First-contact resolution*: resolved cases that needed at most one reply.
- *Mean time to resolve*: from opening to resolution, in calendar hours.
- *Satisfaction*: answers to the survey received in the period (1–5), and the share of
  4s and 5s.
- *Backlog*: the cases open now, per status, and those past their resolution target.
- *Technician utilisation*: the minutes technicians spent on work orders completed in
  the period, against their working time (``WORKDAY_MINUTES`` on each weekday of it);
  also the minutes planned on orders scheduled in it.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed

from ..models import Case, CaseMessage, CaseSurvey
from . import cases_visible_to

WORKDAY_MINUTES = 8 * 60
MAX_DAYS = 366
DEFAULT_DAYS = 30
TIME_TO_RESOLVE = ExpressionWrapper(
    F("resolved_at") - F("created_at"), output_field=DurationField()
)
ON_TIME = Q(resolution_due__isnull=False, resolved_at__lte=F("resolution_due"))
ANSWERED_ON_TIME = Q(first_response_at__lte=F("first_response_due"))


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class QueueFigures:
    """One queue's figures (``queue_id`` None: cases without a queue; the totals row has
    ``total`` set)."""

    queue_id: int | None
    name: str
    opened: int = 0
    resolved: int = 0
    backlog: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    resolution_met: int = 0
    resolution_targets: int = 0
    response_met: int = 0
    response_targets: int = 0
    first_contact: int = 0
    resolve_seconds: float = 0.0
    csat_sum: int = 0
    csat_answers: int = 0
    csat_satisfied: int = 0
    total: bool = False

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog.values())

    @property
    def resolution_sla_pct(self) -> float | None:
        return _ratio(self.resolution_met, self.resolution_targets)

    @property
    def response_sla_pct(self) -> float | None:
        return _ratio(self.response_met, self.response_targets)

    @property
    def first_contact_pct(self) -> float | None:
        return _ratio(self.first_contact, self.resolved)

    @property
    def mttr_hours(self) -> float | None:
        return round(self.resolve_seconds / self.resolved / 3600, 1) if self.resolved else None

    @property
    def csat_average(self) -> float | None:
        return round(self.csat_sum / self.csat_answers, 2) if self.csat_answers else None

    @property
    def csat_satisfied_pct(self) -> float | None:
        return _ratio(self.csat_satisfied, self.csat_answers)


@dataclass
class TechnicianFigures:
    technician_id: int
    name: str
    orders_done: int = 0
    minutes_spent: int = 0
    minutes_planned: int = 0
    minutes_available: int = 0

    @property
    def utilisation_pct(self) -> float | None:
        return _ratio(self.minutes_spent, self.minutes_available)


@dataclass
class ServiceReport:
    date_from: datetime.date
    date_to: datetime.date
    queues: list[QueueFigures]
    totals: QueueFigures
    technicians: list[TechnicianFigures] = field(default_factory=list)


def _weekdays(date_from: datetime.date, date_to: datetime.date) -> int:
    days = (date_to - date_from).days + 1
    return sum(1 for n in range(days) if (date_from + datetime.timedelta(days=n)).weekday() < 5)


def technician_figures(
    *, user: User | None, start: datetime.datetime, end: datetime.datetime, weekdays: int
) -> list[TechnicianFigures]:
    """Per technician, the work orders ``user`` sees: done in [start, end) with the
    minutes spent, and the minutes planned on those scheduled in it (one query)."""
    from ..models import WorkOrder
    from .field import work_orders_visible_to

    done = Q(status=WorkOrder.Status.DONE, completed_at__gte=start, completed_at__lt=end)
    planned = Q(scheduled_start__gte=start, scheduled_start__lt=end) & ~Q(
        status=WorkOrder.Status.CANCELLED
    )
    rows = (
        work_orders_visible_to(user)
        .filter(technician__isnull=False)
        .filter(done | planned)
        .order_by()
        .values("technician_id", "technician__username", "technician__first_name")
        .annotate(
            orders_done=Count("id", filter=done),
            spent=Sum("minutes_spent", filter=done),
            planned=Sum("duration_minutes", filter=planned),
        )
    )
    figures = [
        TechnicianFigures(
            r["technician_id"],
            r["technician__first_name"] or r["technician__username"],
            r["orders_done"],
            r["spent"] or 0,
            r["planned"] or 0,
            weekdays * WORKDAY_MINUTES,
        )
        for r in rows
    ]
    return sorted(figures, key=lambda f: f.name.lower())


def report_period(
    date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The period asked for, defaulting to the last 30 days up to today; refused when it
    runs backwards or spans more than a year."""
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise ValidationFailed(_("The period must start before it ends."), field="date_from")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationFailed(
            _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}, field="date_from"
        )
    return date_from, date_to


def _bounds(date_from: datetime.date, date_to: datetime.date) -> tuple:
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time())
    )
    return start, end


def service_report(
    *,
    user: User | None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ServiceReport:
    """The figures of the cases ``user`` sees, per queue and in total, and of the
    technicians' work orders (seven queries)."""
    date_from, date_to = report_period(date_from, date_to)
    start, end = _bounds(date_from, date_to)
    now = now or timezone.now()
    cases = cases_visible_to(user).order_by()
    rows: dict[int | None, QueueFigures] = {}

    def row(queue_id: int | None, name: str | None) -> QueueFigures:
        if queue_id not in rows:
            rows[queue_id] = QueueFigures(queue_id, name or _("No queue"))
        return rows[queue_id]

    for r in (
        cases.filter(created_at__gte=start, created_at__lt=end)
        .values("queue_id", "queue__name")
        .annotate(n=Count("id"))
    ):
        row(r["queue_id"], r["queue__name"]).opened = r["n"]

    resolved = cases.filter(resolved_at__gte=start, resolved_at__lt=end)
    for r in resolved.values("queue_id", "queue__name").annotate(
        n=Count("id"),
        targets=Count("id", filter=Q(resolution_due__isnull=False)),
        met=Count("id", filter=ON_TIME),
        seconds=Sum(TIME_TO_RESOLVE),
    ):
        figures = row(r["queue_id"], r["queue__name"])
        figures.resolved = r["n"]
        figures.resolution_targets = r["targets"]
        figures.resolution_met = r["met"]
        figures.resolve_seconds = r["seconds"].total_seconds() if r["seconds"] else 0.0

    # At most one reply: the cases of the period with a second reply are counted out.
    chatty = (
        CaseMessage.objects.filter(kind=CaseMessage.Kind.REPLY, case__in=resolved.values("pk"))
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("case_id")
    )
    for r in (
        resolved.exclude(pk__in=chatty).values("queue_id", "queue__name").annotate(n=Count("id"))
    ):
        row(r["queue_id"], r["queue__name"]).first_contact = r["n"]

    for r in (
        cases.filter(
            first_response_at__gte=start,
            first_response_at__lt=end,
            first_response_due__isnull=False,
        )
        .values("queue_id", "queue__name")
        .annotate(n=Count("id"), met=Count("id", filter=ANSWERED_ON_TIME))
    ):
        figures = row(r["queue_id"], r["queue__name"])
        figures.response_targets, figures.response_met = r["n"], r["met"]

    for r in (
        cases.filter(status__in=Case.OPEN_STATUSES)
        .values("queue_id", "queue__name", "status")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(resolution_due__lt=now)))
    ):
        figures = row(r["queue_id"], r["queue__name"])
        figures.backlog[r["status"]] = r["n"]
        figures.overdue += r["overdue"]

    surveys = CaseSurvey.objects.filter(
        answered_at__gte=start, answered_at__lt=end, case__in=cases.values("pk")
    ).order_by()
    for r in surveys.values("case__queue_id", "case__queue__name").annotate(
        n=Count("id"), total=Sum("score"), satisfied=Count("id", filter=Q(score__gte=4))
    ):
        figures = row(r["case__queue_id"], r["case__queue__name"])
        figures.csat_answers, figures.csat_sum = r["n"], r["total"] or 0
        figures.csat_satisfied = r["satisfied"]

    queues = sorted(rows.values(), key=lambda f: (f.queue_id is None, f.name.lower()))
    technicians = technician_figures(
        user=user, start=start, end=end, weekdays=_weekdays(date_from, date_to)
    )
    return ServiceReport(date_from, date_to, queues, _totals(queues), technicians)


def _totals(queues: list[QueueFigures]) -> QueueFigures:
    totals = QueueFigures(None, _("All queues"), total=True)
    summed = [
        "opened",
        "resolved",
        "overdue",
        "resolution_met",
        "resolution_targets",
        "response_met",
        "response_targets",
        "first_contact",
        "resolve_seconds",
        "csat_sum",
        "csat_answers",
        "csat_satisfied",
    ]
    for figures in queues:
        for name in summed:
            setattr(totals, name, getattr(totals, name) + getattr(figures, name))
        for status, n in figures.backlog.items():
            totals.backlog[status] = totals.backlog.get(status, 0) + n
    return totals
