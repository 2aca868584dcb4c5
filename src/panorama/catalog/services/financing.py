"""Financing plans and their schedules (French amortisation: a constant instalment).

``financing_schedule(plan=, amount=, start=)`` computes the schedule: the instalment
``P·i / (1 - (1 + i)^-n)`` with ``i`` the monthly rate (TIN / 12), rounded to cents;
each month the interest on what remains (rounded to cents), the rest of the instalment
repays principal, and the last instalment absorbs what rounding left, so the principal
repaid is exactly the amount financed. The first instalment falls one month after
``start``. The APR (TAE) counts the opening fee.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import FinancingPlan
from ..selectors.money import MAX_AMOUNT, cents, company_currency, currency_clean
from .products import code_check, decimal_clean

TWELVE = Decimal(12)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    date: datetime.date
    instalment: Decimal
    interest: Decimal
    principal: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Schedule:
    plan_code: str
    plan_name: str
    amount: Decimal
    currency: str
    instalments: int
    annual_rate: Decimal  # TIN, %
    instalment: Decimal  # the constant monthly payment (the last may differ by cents)
    opening_fee: Decimal
    total_interest: Decimal
    total_paid: Decimal  # instalments + opening fee
    apr: Decimal  # TAE, %, two decimals
    rows: tuple[ScheduleRow, ...]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def french_instalment(amount: Decimal, annual_rate: Decimal, instalments: int) -> Decimal:
    """The constant monthly payment, rounded to cents."""
    i = annual_rate / HUNDRED / TWELVE
    if i == 0:
        return cents(amount / instalments)
    return cents(amount * i / (1 - (1 + i) ** -instalments))


def _apr(received: Decimal, payments: list[Decimal]) -> Decimal:
    """The annual effective rate (TAE) at which ``payments`` (monthly) repay ``received``:
    the monthly rate found by bisection, compounded over twelve months."""
    if received <= 0:
        return Decimal(0)

    def present(rate: float) -> float:
        return sum(float(p) / (1 + rate) ** (k + 1) for k, p in enumerate(payments))

    low, high = 0.0, 1.0
    if present(low) <= float(received):
        return Decimal(0)
    for _step in range(100):
        mid = (low + high) / 2
        if present(mid) > float(received):
            low = mid
        else:
            high = mid
    return Decimal(((1 + low) ** 12 - 1) * 100).quantize(Decimal("0.01"))


def financing_schedule(
    *,
    plan: FinancingPlan,
    amount: Decimal | str | int,
    start: datetime.date | None = None,
    currency: str | None = None,
) -> Schedule:
    """The schedule of financing ``amount`` with ``plan`` from ``start`` (today)."""
    principal = decimal_clean(amount, field="amount")
    if principal <= 0 or principal >= MAX_AMOUNT:
        raise ValidationFailed(_("The amount to finance must be more than 0."), field="amount")
    principal = cents(principal)
    if plan.min_amount is not None and principal < plan.min_amount:
        raise ValidationFailed(
            _("%(plan)s finances from %(min)s.") % {"plan": plan.name, "min": plan.min_amount},
            field="amount",
        )
    if plan.max_amount is not None and principal > plan.max_amount:
        raise ValidationFailed(
            _("%(plan)s finances up to %(max)s.") % {"plan": plan.name, "max": plan.max_amount},
            field="amount",
        )
    start = start or timezone.localdate()
    i = plan.annual_rate / HUNDRED / TWELVE
    payment = french_instalment(principal, plan.annual_rate, plan.instalments)
    rows, remaining = [], principal
    for number in range(1, plan.instalments + 1):
        interest = cents(remaining * i)
        if number == plan.instalments:
            principal_part = remaining  # the last instalment absorbs the rounding
        else:
            principal_part = min(payment - interest, remaining)
        remaining -= principal_part
        rows.append(
            ScheduleRow(
                number=number,
                date=add_months(start, number),
                instalment=interest + principal_part,
                interest=interest,
                principal=principal_part,
                remaining=remaining,
            )
        )
    fee = cents(principal * plan.opening_fee_percent / HUNDRED)
    total_interest = sum((row.interest for row in rows), Decimal(0))
    return Schedule(
        plan_code=plan.code,
        plan_name=plan.name,
        amount=principal,
        currency=currency_clean(currency or company_currency()),
        instalments=plan.instalments,
        annual_rate=plan.annual_rate,
        instalment=payment,
        opening_fee=fee,
        total_interest=total_interest,
        total_paid=principal + total_interest + fee,
        apr=_apr(principal - fee, [row.instalment for row in rows]),
        rows=tuple(rows),
    )


PLAN_FIELDS = {
    "name",
    "instalments",
    "annual_rate",
    "opening_fee_percent",
    "min_amount",
    "max_amount",
    "active",
}
# What a quote's schedule is computed from: fixed once a quote uses the plan.
PLAN_TERMS = ("instalments", "annual_rate", "opening_fee_percent")


def _amount(value: Decimal | str | None, *, field: str) -> Decimal | None:
    return None if value in (None, "") else decimal_clean(value, field=field)


def _plan_check(plan: FinancingPlan) -> None:
    """Everything a financing plan must satisfy, on every path: the field rules, a code
    of letters and digits no other plan has, 1 to 480 instalments, rates between 0 and
    100 %, amounts not negative and the maximum not below the minimum."""
    plan.code = (plan.code or "").strip()
    plan.name = (plan.name or "").strip()
    instalments = plan.instalments
    if isinstance(instalments, bool) or not isinstance(instalments, int):
        raise field_error(FinancingPlan, "instalments", _("Between 1 and 480 instalments."))
    if not 1 <= instalments <= 480:
        raise field_error(FinancingPlan, "instalments", _("Between 1 and 480 instalments."))
    plan.annual_rate = decimal_clean(plan.annual_rate, field="annual_rate")
    plan.opening_fee_percent = decimal_clean(plan.opening_fee_percent, field="opening_fee_percent")
    plan.min_amount = _amount(plan.min_amount, field="min_amount")
    plan.max_amount = _amount(plan.max_amount, field="max_amount")
    for name in ("annual_rate", "opening_fee_percent"):
        if not 0 <= getattr(plan, name) <= 100:
            raise field_error(FinancingPlan, name, _("A percentage is between 0 and 100."))
    for name in ("min_amount", "max_amount"):
        if getattr(plan, name) is not None and getattr(plan, name) < 0:
            raise field_error(FinancingPlan, name, _("An amount cannot be negative."))
    rules_for(FinancingPlan).check(plan)
    code_check(FinancingPlan, plan.code)
    if (
        plan.min_amount is not None
        and plan.max_amount is not None
        and plan.max_amount < plan.min_amount
    ):
        raise field_error(FinancingPlan, "max_amount", _("The maximum is below the minimum."))
    if FinancingPlan.objects.filter(code=plan.code).exclude(pk=plan.pk).exists():
        raise field_error(FinancingPlan, "code", _("This code is taken."))


def _used(plan: FinancingPlan) -> bool:
    """Whether any record (a quote...) refers to ``plan``, read from the relations other
    apps declare, so the catalogue imports none of them."""
    # Hidden relations too: a quote's link is declared with related_name="+".
    for relation in FinancingPlan._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and relation.related_model:
            field = relation.field  # type: ignore[union-attr]
            model = relation.related_model
            if model._default_manager.filter(**{field.name: plan}).exists():  # type: ignore[union-attr]
                return True
    return False


@transaction.atomic
def financing_plan_create(
    *,
    by: User | None,
    code: str,
    name: str,
    instalments: int,
    annual_rate: Decimal | str,
    opening_fee_percent: Decimal | str = Decimal(0),
    min_amount: Decimal | str | None = None,
    max_amount: Decimal | str | None = None,
    active: bool = True,
) -> FinancingPlan:
    ensure_can(by, "catalog.manage")
    plan = FinancingPlan(
        code=code or "",
        name=name or "",
        instalments=instalments,
        annual_rate=annual_rate,
        opening_fee_percent=opening_fee_percent,
        min_amount=min_amount,
        max_amount=max_amount,
        active=active,
    )
    _plan_check(plan)
    plan.save()
    emit("financing_plan.changed", plan_id=plan.pk, code=plan.code, by=by.pk if by else None)
    return plan


@transaction.atomic
def financing_plan_update(
    *, by: User | None, plan: FinancingPlan, changes: dict[str, Any]
) -> FinancingPlan:
    """Change some fields of a plan. Its code never changes, and once a quote uses it
    its terms (instalments, rate, fee) stay: archive it and create another."""
    ensure_can(by, "catalog.manage")
    unknown = set(changes) - PLAN_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    locked = FinancingPlan.objects.select_for_update().get(pk=plan.pk)
    before = {name: getattr(locked, name) for name in PLAN_TERMS}
    for name, value in changes.items():
        setattr(locked, name, value)
    _plan_check(locked)
    moved = [name for name in PLAN_TERMS if getattr(locked, name) != before[name]]
    if moved and _used(locked):
        raise Conflict(
            _("Quotes use this plan: its terms cannot change. Archive it and create another."),
            field=moved[0],
        )
    locked.save()
    emit("financing_plan.changed", plan_id=locked.pk, code=locked.code, by=by.pk if by else None)
    return locked
