"""Pricing a quote's lines through the catalogue's pricing service, and storing the result."""

from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Promotion
from panorama.catalog.selectors import rate
from panorama.catalog.services.pricing import LineIn, Pricing, price_lines
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed

from ...models import Quote, QuoteLine
from ...selectors.quotes import quote_get
from .common import (
    LineData,
    _pk,
    _status,
    approval_threshold,
)


def _check_terms(*, currency: str, price_list: str, coupon: str) -> None:
    """What can be checked before there is a line: a currency with a rate, a price
    list and a coupon that exist and are valid today (pricing checks them again)."""
    from panorama.catalog.models import PriceList

    for name, value in (("price_list", price_list), ("coupon", coupon)):
        if "\x00" in value or len(value) > 40:
            raise ValidationFailed(_("This is not a valid code."), field=name)
    rate(currency)  # ValidationFailed(field="currency") without a rate today
    today = timezone.localdate()
    if price_list:
        chosen = PriceList.objects.filter(code=price_list, active=True).first()
        if chosen is None:
            raise ValidationFailed(
                _("There is no price list %(code)s.") % {"code": price_list}, field="price_list"
            )
        if (chosen.valid_until and chosen.valid_until < today) or (
            chosen.valid_from and chosen.valid_from > today
        ):
            raise ValidationFailed(
                _("The price list %(name)s is not valid today.") % {"name": chosen.name},
                field="price_list",
            )
    if coupon:
        promotion = Promotion.objects.filter(coupon_code=coupon, active=True).first()
        if promotion is None:
            raise ValidationFailed(
                _("There is no coupon %(code)s.") % {"code": coupon}, field="coupon"
            )
        if promotion.valid_until and promotion.valid_until < today:
            raise ValidationFailed(
                _("The coupon %(code)s has expired.") % {"code": coupon}, field="coupon"
            )


def _line_in(line: QuoteLine | LineData) -> LineIn:
    return LineIn(
        product_id=line.product_id,
        quantity=line.quantity,
        options=tuple(line.options or ()),
        manual_discount_percent=line.manual_discount_percent,
    )


def _price(quote: Quote, lines: list[LineIn], *, focus: int | None = None) -> Pricing:
    """Price ``lines`` with the quote's terms, today, in the quote's language (so the
    explanations stored are the ones its customer reads). A refusal is told in the
    user's language instead (he reads it, not the customer). When a line at index
    ``focus`` is the one being added or changed, its errors name the plain field
    (``quantity``)."""

    def price() -> Pricing:
        return price_lines(
            lines=lines,
            customer=quote.customer,
            channel=quote.channel,
            currency=quote.currency,
            coupon=quote.coupon,
            price_list=quote.price_list,
        )

    try:
        with translation.override(quote.language or None):
            return price()
    except ValidationFailed:
        pass
    try:
        return price()  # refused again, now worded in the active language
    except ValidationFailed as exc:
        prefix = f"lines.{focus}." if focus is not None else None
        if prefix and exc.field and exc.field.startswith(prefix):
            name = exc.field[len(prefix) :]
            messages = exc.errors.get(exc.field) or [str(exc.message)]
            raise ValidationFailed(exc.message, field=name, errors={name: messages}) from None
        raise


def _store(quote: Quote, lines: list[QuoteLine], pricing: Pricing) -> None:
    """Write the priced amounts onto the lines and the quote's totals (lines unsaved
    are created, in order)."""
    for position, (line, priced) in enumerate(zip(lines, pricing.lines, strict=True)):
        line.quote = quote
        line.position = position
        line.sku, line.name = priced.sku, priced.name
        line.options = list(priced.options)
        line.quantity = priced.quantity
        line.list_unit_price = priced.list_unit_price
        line.unit_price = priced.unit_price
        line.gross = priced.gross
        line.discount_total = priced.discount_total
        line.net = priced.net
        line.tax_name, line.tax_rate, line.tax = priced.tax_name, priced.tax_rate, priced.tax
        line.total = priced.total
        line.price_list = priced.price_list or ""
        line.discounts = [
            {
                "kind": d.kind,
                "label": str(d.label),
                "amount": str(d.amount),
                "promotion_id": d.promotion_id,
            }
            for d in priced.discounts
        ]
        line.explanation = [
            {"kind": s.kind, "text": str(s.text), "amount": str(s.amount)}
            for s in priced.explanation
        ]
        line.save()
    quote.net, quote.tax, quote.total = pricing.net, pricing.tax, pricing.total
    quote.discount_total = pricing.discount_total
    quote.taxes = [
        {"name": t.name, "rate": str(t.rate), "base": str(t.base), "tax": str(t.tax)}
        for t in pricing.taxes
    ]
    quote.max_manual_discount = max(
        (Decimal(str(line.manual_discount_percent)) for line in lines), default=Decimal(0)
    )
    quote.priced_on = pricing.on
    quote.approval_threshold = approval_threshold()


def _clear(quote: Quote) -> None:
    quote.net = quote.tax = quote.total = quote.discount_total = Decimal(0)
    quote.taxes = []
    quote.max_manual_discount = Decimal(0)
    quote.approval_threshold = approval_threshold()


def _back_to_draft(quote: Quote, by: User | None) -> None:
    """A change voids an approval asked for or given: the figures it was about changed."""
    if quote.status != Quote.Status.DRAFT:
        _status(quote, Quote.Status.DRAFT, by=by)
    quote.approved_by = None
    quote.decided_at = None


def _editable(user: User | None, quote_id: int) -> Quote:
    ensure_can(user, "sales.edit")
    quote = quote_get(user=user, quote_id=quote_id, for_update=True)
    if not quote.is_editable:
        raise Conflict(
            _("Quote %(ref)s is %(status)s: make a new version to change it.")
            % {"ref": quote.reference, "status": quote.get_status_display().lower()},
            field="status",
        )
    return quote


def _reprice(quote: Quote, rows: list[QuoteLine], *, focus: int | None, by: User | None) -> Quote:
    if rows:
        _store(quote, rows, _price(quote, [_line_in(r) for r in rows], focus=focus))
    else:
        _clear(quote)
    _back_to_draft(quote, by)
    quote.save()
    emit("quote.changed", quote_id=quote.pk, total=str(quote.total), by=_pk(by))
    return quote


def _terms_today(quote: Quote) -> list[str]:
    """Drop the price list or coupon of a new version that is no longer valid today
    (the version is priced at today's terms); what was dropped, in words."""
    dropped = []
    for name in ("price_list", "coupon"):
        value = getattr(quote, name)
        if not value:
            continue
        try:
            _check_terms(
                currency=quote.currency,
                price_list=value if name == "price_list" else "",
                coupon=value if name == "coupon" else "",
            )
        except ValidationFailed as exc:
            setattr(quote, name, "")
            dropped.append(str(exc.message))
    return dropped
