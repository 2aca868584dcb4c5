"""Creating a quote, changing its terms and lines, and new versions."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Channel
from panorama.catalog.selectors import currency_clean
from panorama.catalog.services.pricing import PricedLine
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.selectors import customer_get

from ...models import Opportunity, Quote, QuoteLine
from ...selectors import opportunity_get
from ...selectors.quotes import quote_get
from .common import (
    LANGUAGES,
    LineData,
    _check_validity,
    _company_currency,
    _manual,
    _pk,
    _plan,
    _quantity,
    _timeline,
    quote_language,
)
from .pricing import (
    _check_terms,
    _editable,
    _line_in,
    _price,
    _reprice,
    _store,
    _terms_today,
)


@transaction.atomic
def quote_create(
    *,
    by: User | None,
    customer_id: int,
    opportunity_id: int | None = None,
    currency: str = "",
    price_list: str = "",
    coupon: str = "",
    channel: str = "direct",
    financing_plan_id: int | None = None,
    valid_until: datetime.date | None = None,
    language: str = "",
    lines: Sequence[LineData] = (),
    owner: User | None = None,
    team: Team | None = None,
) -> Quote:
    """A draft quote for a customer the user sees (optionally for one of its
    opportunities), priced at once when ``lines`` are given."""
    ensure_can(by, "sales.edit")
    customer = customer_get(user=by, customer_id=customer_id)
    opportunity: Opportunity | None = None
    if opportunity_id is not None:
        try:
            opportunity = opportunity_get(user=by, opportunity_id=opportunity_id)
        except NotFound as exc:
            raise ValidationFailed(exc.message, field="opportunity") from None
        if opportunity.customer_id != customer.pk:
            raise ValidationFailed(
                _("That opportunity is of another customer."), field="opportunity"
            )
    currency = currency_clean(
        currency or (opportunity.currency if opportunity else "") or _company_currency()
    )
    coupon = (coupon or "").strip().upper()
    price_list = (price_list or "").strip()
    _check_terms(currency=currency, price_list=price_list, coupon=coupon)
    today = timezone.localdate()
    if valid_until is None:
        valid_until = today + datetime.timedelta(days=settings.PANORAMA_QUOTE_VALIDITY_DAYS)
    _check_validity(valid_until)
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")
    language = (language or "").lower()
    if language and language not in LANGUAGES:
        raise ValidationFailed(_("Quotes are written in Spanish or English."), field="language")
    quote = Quote(
        customer=customer,
        opportunity=opportunity,
        owner=owner if owner is not None else by,
        team=team if team is not None else (opportunity.team if opportunity else customer.team),
        currency=currency,
        price_list=price_list,
        coupon=coupon,
        channel=channel or "direct",
        financing_plan=_plan(financing_plan_id),
        valid_until=valid_until,
        language=language or quote_language(customer, by),
        created_by=by,
    )
    quote.save()
    quote.reference = f"Q-{quote.pk:06d}"
    if lines:
        rows = [
            QuoteLine(
                product_id=line.product_id,
                quantity=line.quantity,
                options=list(line.options or ()),
                manual_discount_percent=_manual(
                    line.manual_discount_percent, field=f"lines.{n}.manual_discount_percent"
                ),
            )
            for n, line in enumerate(lines)
        ]
        _store(quote, rows, _price(quote, [_line_in(r) for r in rows]))
    quote.save()
    _timeline(quote, by=by, subject=_("Quote %(ref)s created") % {"ref": quote.reference})
    emit(
        "quote.created",
        quote_id=quote.pk,
        customer_id=customer.pk,
        version=quote.version,
        previous_id=None,
        by=_pk(by),
    )
    return quote


@transaction.atomic
def quote_update(
    *,
    by: User | None,
    quote_id: int,
    currency: str | None = None,
    price_list: str | None = None,
    coupon: str | None = None,
    financing_plan_id: int | None = None,
    clear_financing: bool = False,
    valid_until: datetime.date | None = None,
    language: str | None = None,
) -> Quote:
    """Change a quote's terms (``None``: unchanged; an empty price list or coupon:
    none); its lines are priced again with them, which voids an approval asked for or
    given. Only a quote still open to changes (``Quote.EDITABLE``) takes them; a refused
    term names its field and writes nothing."""
    quote = _editable(by, quote_id)
    if currency is not None:
        quote.currency = currency_clean(currency)
    if price_list is not None:
        quote.price_list = price_list.strip()
    if coupon is not None:
        quote.coupon = coupon.strip().upper()
    _check_terms(currency=quote.currency, price_list=quote.price_list, coupon=quote.coupon)
    if financing_plan_id is not None:
        quote.financing_plan = _plan(financing_plan_id)
    elif clear_financing:
        quote.financing_plan = None
    if valid_until is not None:
        _check_validity(valid_until)
        quote.valid_until = valid_until
    if language is not None:
        if language.lower() not in LANGUAGES:
            raise ValidationFailed(_("Quotes are written in Spanish or English."), field="language")
        quote.language = language.lower()
    return _reprice(quote, list(quote.lines.all()), focus=None, by=by)


@transaction.atomic
def quote_line_add(*, by: User | None, quote_id: int, line: LineData) -> QuoteLine:
    """Add a configured product to the quote; the whole quote is priced again (a coupon
    or a promotion may depend on every line). A refused line writes nothing."""
    quote = _editable(by, quote_id)
    rows = list(quote.lines.all())
    new = QuoteLine(
        product_id=line.product_id,
        quantity=_quantity(line.quantity),
        options=list(line.options or ()),
        manual_discount_percent=_manual(line.manual_discount_percent),
    )
    rows.append(new)
    _reprice(quote, rows, focus=len(rows) - 1, by=by)
    return new


@transaction.atomic
def quote_line_update(
    *,
    by: User | None,
    quote_id: int,
    line_id: int,
    quantity: Decimal | int | str | None = None,
    options: Sequence[str] | None = None,
    manual_discount_percent: Decimal | int | str | None = None,
) -> QuoteLine:
    quote = _editable(by, quote_id)
    rows, index = _line_changed(quote, line_id, quantity, options, manual_discount_percent)
    _reprice(quote, rows, focus=index, by=by)
    return rows[index]


def _line_changed(
    quote: Quote,
    line_id: int,
    quantity: Decimal | int | str | None,
    options: Sequence[str] | None,
    manual_discount_percent: Decimal | int | str | None,
) -> tuple[list[QuoteLine], int]:
    """The quote's lines with one changed in memory (the rules of quantity and discount
    checked), and its index."""
    rows = list(quote.lines.all())
    index = next((i for i, r in enumerate(rows) if r.pk == line_id), None)
    if index is None:
        raise NotFound(_("Line %(id)s is not a line of this quote.") % {"id": line_id})
    row = rows[index]
    if quantity is not None:
        row.quantity = _quantity(quantity)
    if options is not None:
        row.options = list(options)
    if manual_discount_percent is not None:
        row.manual_discount_percent = _manual(manual_discount_percent)
    return rows, index


@dataclass(frozen=True)
class LinePreview:
    """What saving a line's change would give: the line priced and the quote's total."""

    line: PricedLine
    total: Decimal
    currency: str


@transaction.atomic
def quote_line_preview(
    *,
    by: User | None,
    quote_id: int,
    line_id: int,
    quantity: Decimal | int | str | None = None,
    options: Sequence[str] | None = None,
    manual_discount_percent: Decimal | int | str | None = None,
) -> LinePreview:
    """Price a line's change without saving it: the very checks and pricing of
    ``quote_line_update`` (permission, quote open to changes, quantity, discount, the
    configurator's option rules), so the form can answer at each tick what the save
    would. A refusal is the same ValidationFailed, naming the line's field."""
    quote = _editable(by, quote_id)
    rows, index = _line_changed(quote, line_id, quantity, options, manual_discount_percent)
    pricing = _price(quote, [_line_in(r) for r in rows], focus=index)
    return LinePreview(line=pricing.lines[index], total=pricing.total, currency=quote.currency)


@transaction.atomic
def quote_line_remove(*, by: User | None, quote_id: int, line_id: int) -> Quote:
    quote = _editable(by, quote_id)
    rows = list(quote.lines.all())
    gone = next((r for r in rows if r.pk == line_id), None)
    if gone is None:
        raise NotFound(_("Line %(id)s is not a line of this quote.") % {"id": line_id})
    remaining = [r for r in rows if r.pk != line_id]
    gone.delete()
    return _reprice(quote, remaining, focus=None, by=by)


@transaction.atomic
def quote_new_version(*, by: User | None, quote_id: int) -> Quote:
    """A new draft version of a quote: the same customer, terms and lines, valid from
    today and **priced again today** (the current price lists and promotions; a price
    list or coupon no longer valid is dropped and said so). What changed against the
    previous version is ``selectors.quotes.version_changes``; the timeline tells the
    totals. A line the catalogue now refuses (an option withdrawn, a rule added) is a
    ValidationFailed naming it, and nothing is written."""
    ensure_can(by, "sales.edit")
    old = quote_get(user=by, quote_id=quote_id, for_update=True)
    if old.status == Quote.Status.ACCEPTED:
        raise Conflict(
            _("Quote %(ref)s was accepted: it has an order and no new version.")
            % {"ref": old.reference},
            field="status",
        )
    latest = Quote.objects.filter(previous=old).first()
    if latest is not None:
        raise Conflict(
            _("Quote %(ref)s already has a newer version, %(new)s.")
            % {"ref": old.reference, "new": latest.reference},
            field="version",
        )
    today = timezone.localdate()
    base = (old.reference or "").split("-v")[0]
    new = Quote.objects.create(
        customer=old.customer,
        opportunity=old.opportunity,
        owner=old.owner,
        team=old.team,
        currency=old.currency,
        channel=old.channel,
        price_list=old.price_list,
        coupon=old.coupon,
        financing_plan=old.financing_plan,
        valid_until=max(
            old.valid_until, today + datetime.timedelta(days=settings.PANORAMA_QUOTE_VALIDITY_DAYS)
        ),
        language=old.language,
        version=old.version + 1,
        previous=old,
        created_by=by,
    )
    new.reference = f"{base}-v{new.version}"
    dropped = _terms_today(new)
    rows = [
        QuoteLine(
            product_id=line.product_id,
            quantity=line.quantity,
            options=list(line.options or ()),
            manual_discount_percent=line.manual_discount_percent,
        )
        for line in old.lines.all()
    ]
    if rows:
        _store(new, rows, _price(new, [_line_in(r) for r in rows]))
    new.save()
    summary = _("Priced again today: total %(old)s → %(new)s %(currency)s.") % {
        "old": old.total,
        "new": new.total,
        "currency": new.currency,
    }
    _timeline(
        new,
        by=by,
        subject=_("Quote %(ref)s: new version %(new)s")
        % {"ref": old.reference, "new": new.reference},
        body="\n".join([summary, *dropped]),
    )
    emit(
        "quote.created",
        quote_id=new.pk,
        customer_id=new.customer_id,
        version=new.version,
        previous_id=old.pk,
        by=_pk(by),
    )
    return new
