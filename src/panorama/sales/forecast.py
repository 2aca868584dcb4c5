"""The forecast: for a period (a month or a quarter), each rep's open opportunities
expected to close in it, weighted by their probability (the opportunity's, else its
stage's) and grouped by their stage's forecast category (pipeline, best case,
commit), and what was won in it (closed). Managers' adjustments are kept with their
history; the latest one for a rep or team, period and category is the figure shown.
Against quota when the ``incentives`` app is installed (through its selector).

Scope: the opportunities the user sees (``opportunities_visible_to``); the rows are
their owners, plus the members of the teams a manager manages."""

import datetime
import importlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, Team, User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.customers.selectors import teams_in_scope

from .models import ForecastAdjustment, Opportunity, Stage
from .selectors import company_currency, opportunities_visible_to

CATEGORIES = ("pipeline", "best_case", "commit", "closed")
CENTS = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """First day and the day after the last of "2026-11" or "2026-Q4"."""
    match = _PERIOD.match(period or "")
    if match is None or not 1900 <= int(match.group(1)) <= 9000:
        raise ValidationFailed(
            _("A period is a month (2026-11) or a quarter (2026-Q4)."), field="period"
        )
    year = int(match.group(1))
    if match.group(2):
        first_month, months = int(match.group(2)), 1
    else:
        first_month, months = (int(match.group(3)) - 1) * 3 + 1, 3
    start = datetime.date(year, first_month, 1)
    end_month = first_month + months
    end = datetime.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


def current_period(kind: str = "month", today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if kind == "quarter":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return f"{today.year}-{today.month:02d}"


def period_shift(period: str, step: int) -> str:
    start, _end = period_bounds(period)
    if "Q" in period:
        quarter = (start.month - 1) // 3 + step
        return f"{start.year + quarter // 4}-Q{quarter % 4 + 1}"
    month = start.month - 1 + step
    return f"{start.year + month // 12}-{month % 12 + 1:02d}"


def _zero() -> dict[str, Decimal]:
    return {c: Decimal("0.00") for c in CATEGORIES}


@dataclass
class ForecastRow:
    rep: User | None
    computed: dict[str, Decimal] = field(default_factory=_zero)
    adjusted: dict[str, ForecastAdjustment] = field(default_factory=dict)
    quota: Decimal | None = None

    def figure(self, category: str) -> Decimal:
        adjustment = self.adjusted.get(category)
        return adjustment.amount if adjustment is not None else self.computed[category]

    @property
    def cells(self) -> list[tuple[str, Decimal, ForecastAdjustment | None]]:
        return [(c, self.computed[c], self.adjusted.get(c)) for c in CATEGORIES]

    @property
    def expected(self) -> Decimal:
        """Closed plus commit: what the rep expects to book in the period."""
        return self.figure("closed") + self.figure("commit")


@dataclass
class Forecast:
    period: str
    start: datetime.date
    end: datetime.date
    currency: str
    team: Team | None
    rows: list[ForecastRow]
    total: ForecastRow
    history: list[ForecastAdjustment]
    teams: list[Team]
    quota_available: bool

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


def _team_get(user: User, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    teams = teams_in_scope(user)
    qs = Team.objects.all() if teams is None else teams
    team = qs.filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Team %(id)s does not exist or is not visible to you.") % {"id": team_id})
    return team


def _quotas(user_ids: list[int], start: datetime.date, end: datetime.date):
    """Each rep's quota for the period from the incentives app's selector, or None when
    the app is not installed (then no quota is shown)."""
    if not apps.is_installed("panorama.incentives"):
        return None
    selectors = importlib.import_module("panorama.incentives.selectors")
    return selectors.quotas_for(user_ids=user_ids, start=start, end=end)


def forecast_for(*, user: User, period: str, team_id: int | None = None) -> Forecast:
    """The forecast of ``period`` as ``user`` sees it, per rep, optionally for one team.
    Five queries whatever the number of opportunities: the team check, the grouped sums,
    the reps, the adjustments and the teams for the selector."""
    start, end = period_bounds(period)
    team = _team_get(user, team_id)
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    end_at = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    qs = opportunities_visible_to(user).filter(
        Q(status=Opportunity.Status.OPEN, expected_close__gte=start, expected_close__lt=end)
        | Q(status=Opportunity.Status.WON, closed_at__gte=start_at, closed_at__lt=end_at)
    )
    if team is not None:
        qs = qs.filter(team=team)
    grouped = (
        qs.order_by()
        .values(
            "owner_id", "status", "stage__forecast_category", "stage__probability", "probability"
        )
        .annotate(total=Sum("amount_base"))
    )
    rows: dict[int | None, ForecastRow] = {}
    for g in grouped:
        row = rows.setdefault(g["owner_id"], ForecastRow(rep=None))
        amount = g["total"] or Decimal(0)
        if g["status"] == Opportunity.Status.WON:
            row.computed["closed"] += amount
            continue
        category = g["stage__forecast_category"]
        if category == Stage.ForecastCategory.OMITTED or category not in CATEGORIES:
            continue
        probability = g["probability"] if g["probability"] is not None else g["stage__probability"]
        row.computed[category] += amount * Decimal(probability) / 100
    # The reps: the owners found, and every member of the teams a manager looks at.
    members = Q(pk__in=[pk for pk in rows if pk is not None])
    if team is not None:
        members |= Q(teams=team, role=Role.SALES_REP)
    elif user.role == Role.SALES_MANAGER:
        scope = teams_in_scope(user)
        assert scope is not None
        members |= Q(teams__in=scope.values("pk"), role=Role.SALES_REP)
    elif not user.sees_all_customers:
        members |= Q(pk=user.pk)
    reps = list(User.objects.filter(members).distinct().order_by("first_name", "last_name", "id"))
    for rep in reps:
        rows.setdefault(rep.pk, ForecastRow(rep=None)).rep = rep
    targets = Q(rep_id__in=[r.pk for r in reps])
    if team is not None:
        targets |= Q(team=team)
    adjustments = list(
        ForecastAdjustment.objects.filter(targets, period=period)
        .select_related("by", "rep", "team")
        .order_by("-at", "-id")[:500]
    )
    total = ForecastRow(rep=None)
    for adjustment in adjustments:  # newest first: the first seen wins
        if adjustment.rep_id is not None and adjustment.rep_id in rows:
            rows[adjustment.rep_id].adjusted.setdefault(adjustment.category, adjustment)
        elif team is not None and adjustment.team_id == team.pk:
            total.adjusted.setdefault(adjustment.category, adjustment)
    ordered = [rows[r.pk] for r in reps] + ([rows[None]] if None in rows else [])
    for row in ordered:
        for category in CATEGORIES:
            row.computed[category] = row.computed[category].quantize(CENTS)
            total.computed[category] += row.figure(category)
    quotas = _quotas([r.pk for r in reps], start, end)
    if quotas is not None:
        for row in ordered:
            if row.rep is not None:
                row.quota = quotas.get(row.rep.pk)
        known = [row.quota for row in ordered if row.quota is not None]
        total.quota = sum(known, Decimal(0)) if known else None
    scope = teams_in_scope(user)
    teams = list((Team.objects.all() if scope is None else scope).order_by("name")[:200])
    return Forecast(
        period=period,
        start=start,
        end=end,
        currency=company_currency(),
        team=team,
        rows=ordered,
        total=total,
        history=adjustments[:20],
        teams=teams,
        quota_available=quotas is not None,
    )
