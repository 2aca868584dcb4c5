"""What every quote write shares: the line a user gives, the approval threshold, the
quote's language, its timeline entries and status events, and the checks of the values
typed."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.catalog.models import FinancingPlan
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer

from ...models import Quote, SalesSettingChange
from ..settings import sales_setting

SALT = "panorama.sales.quote.accept"


LANGUAGES = {"es", "en"}


@dataclass
class LineData:
    """One line as a user gives it."""

    product_id: int
    quantity: Decimal | int | str = 1
    options: Sequence[str] = field(default_factory=tuple)
    manual_discount_percent: Decimal | int | str = 0


def approval_threshold() -> Decimal:
    """The manual discount (%) above which a new pricing needs a manager's approval:
    the administrators' setting (``PANORAMA_QUOTE_APPROVAL_DISCOUNT`` until changed)."""
    return sales_setting(SalesSettingChange.Key.QUOTE_APPROVAL_DISCOUNT)


def quote_threshold(quote: Quote) -> Decimal:
    """The threshold the quote's lines were priced under (a quote priced before the
    setting existed: the one in force)."""
    if quote.approval_threshold is not None:
        return quote.approval_threshold
    return approval_threshold()


def needs_approval(quote: Quote) -> bool:
    return quote.max_manual_discount > quote_threshold(quote)


def quote_language(customer: Customer, by: User | None) -> str:
    for candidate in (customer.language, getattr(by, "language", ""), settings.LANGUAGE_CODE):
        code = (candidate or "").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def _pk(user: User | None) -> int | None:
    return user.pk if user is not None else None


def _timeline(
    quote: Quote,
    *,
    by: User | None,
    subject: str,
    body: str = "",
    channel: str = Interaction.Channel.NOTE,
    direction: str = Interaction.Direction.INTERNAL,
) -> None:
    # Recorded by the system on the user's behalf, as opportunities do: a rep may quote a
    # customer of his team's that is not in his own book.
    interaction_record(
        customer_id=quote.customer_id,
        by=None,
        agent=by,
        channel=channel,
        direction=direction,
        subject=subject[:200],
        body=body,
        related=quote,
        metadata={"kind": "quote", "status": quote.status, "reference": quote.reference},
    )


def _status(quote: Quote, to: str, *, by: User | None) -> None:
    previous = quote.status
    quote.status = to
    emit(
        "quote.status_changed",
        quote_id=quote.pk,
        customer_id=quote.customer_id,
        from_status=previous,
        to_status=to,
        by=_pk(by),
    )


def _manual(value: Any, *, field: str = "manual_discount_percent") -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0).replace(",", "."))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValidationFailed(_("A discount is between 0 and 100 %."), field=field)
    return number.quantize(Decimal("0.01"))


def _quantity(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationFailed(_("A quantity is a number."), field="quantity")
    if number <= 0:
        raise ValidationFailed(_("A quantity must be more than 0."), field="quantity")
    return number.quantize(Decimal("0.01"))


def _check_validity(valid_until: datetime.date) -> None:
    today = timezone.localdate()
    if valid_until < today:
        raise ValidationFailed(_("A quote cannot be valid until a past day."), field="valid_until")
    if valid_until > today + datetime.timedelta(days=366):
        raise ValidationFailed(_("A quote is valid for a year at most."), field="valid_until")


def _company_currency() -> str:
    from panorama.catalog.selectors import company_currency

    return company_currency()


def _plan(plan_id: int | None) -> FinancingPlan | None:
    if plan_id is None:
        return None
    plan = FinancingPlan.objects.filter(pk=plan_id, active=True).first()
    if plan is None:
        raise ValidationFailed(
            _("Financing plan %(id)s does not exist.") % {"id": plan_id}, field="financing_plan"
        )
    return plan
