"""Quotes: created for a customer, priced line by line through the catalogue's pricing
service, approved when a manual discount goes above the administrators' threshold,
versioned, sent as a PDF by e-mail and accepted by the customer through a signed link
(which places the order and redeems the promotions).

Every write is atomic: a refused line, an expired coupon or a mail server that does not
answer leaves the quote as it was."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage, send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, Team, User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Channel, FinancingPlan, Promotion
from panorama.catalog.selectors import currency_clean, rate
from panorama.catalog.services.price_lists import promotion_redeem
from panorama.catalog.services.pricing import LineIn, Pricing, price_lines
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import customer_get

from ..models import Opportunity, Quote, QuoteLine, SalesSettingChange
from ..selectors import opportunity_get
from ..selectors.quotes import quote_get
from .settings import sales_setting

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


def _reprice(quote: Quote, rows: list[QuoteLine], *, focus: int | None, by: User | None) -> Quote:
    if rows:
        _store(quote, rows, _price(quote, [_line_in(r) for r in rows], focus=focus))
    else:
        _clear(quote)
    _back_to_draft(quote, by)
    quote.save()
    emit("quote.changed", quote_id=quote.pk, total=str(quote.total), by=_pk(by))
    return quote


@transaction.atomic
def quote_update(
    *,
    by: User | None,
    quote_id: int,
    price_list: str | None = None,
    coupon: str | None = None,
    financing_plan_id: int | None = None,
    clear_financing: bool = False,
    valid_until: datetime.date | None = None,
    language: str | None = None,
) -> Quote:
    """Change a quote's terms; its lines are priced again with them."""
    quote = _editable(by, quote_id)
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
    _reprice(quote, rows, focus=index, by=by)
    return row


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


def _approvers(quote: Quote) -> list[str]:
    """The e-mail addresses of who may approve: the managers of the quote's team, or
    else the administrators."""
    managers = User.objects.filter(is_active=True, role=Role.SALES_MANAGER)
    if quote.team_id is not None:
        managers = managers.filter(managed_teams=quote.team_id)
    emails = [e for e in managers.values_list("email", flat=True) if e]
    if not emails:
        emails = [
            e
            for e in User.objects.filter(
                Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True
            ).values_list("email", flat=True)
            if e
        ]
    return sorted(set(emails))


def _quote_url(quote: Quote, base_url: str = "") -> str:
    return settings_base(base_url) + reverse("sales:quote_detail", args=[quote.pk])


def settings_base(base_url: str = "") -> str:
    """Where links in e-mails point: the request's own site (``base_url``, given by the
    page or the API), else ``PANORAMA_BASE_URL``."""
    return (base_url or getattr(settings, "PANORAMA_BASE_URL", "")).rstrip("/")


@transaction.atomic
def quote_request_approval(
    *, by: User | None, quote_id: int, comment: str = "", base_url: str = ""
) -> Quote:
    """Ask for the approval a discount above the threshold needs; the approvers are told
    by e-mail."""
    quote = _editable(by, quote_id)
    if not needs_approval(quote):
        raise ValidationFailed(
            _("This quote needs no approval: no manual discount is above %(t)s %%.")
            % {"t": quote_threshold(quote).normalize()},
            field="manual_discount_percent",
        )
    if quote.status == Quote.Status.PENDING_APPROVAL:
        raise Conflict(_("The approval was already requested."), field="status")
    _status(quote, Quote.Status.PENDING_APPROVAL, by=by)
    quote.approval_requested_by = by
    quote.approval_comment = (comment or "").strip()
    quote.approved_by, quote.decided_at = None, None
    quote.save()
    subject = _("Quote %(ref)s needs your approval") % {"ref": quote.reference}
    _timeline(quote, by=by, subject=subject, body=quote.approval_comment)
    recipients = _approvers(quote)
    if recipients:
        send_mail(
            subject=subject,
            message=_(
                "%(who)s asks you to approve a manual discount of %(d)s %% on quote %(ref)s "
                "for %(customer)s.\n\n%(comment)s\n\n%(url)s"
            )
            % {
                "who": by.get_full_name() or by.username if by else _("The system"),
                "d": quote.max_manual_discount.normalize(),
                "ref": quote.reference,
                "customer": quote.customer.display_name,
                "comment": quote.approval_comment,
                "url": _quote_url(quote, base_url),
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    return quote


def _decide(
    by: User | None, quote_id: int, *, approve: bool, comment: str, base_url: str = ""
) -> Quote:
    ensure_can(by, "sales.approve")
    quote = quote_get(user=by, quote_id=quote_id, for_update=True)
    if quote.status != Quote.Status.PENDING_APPROVAL:
        raise Conflict(
            _("Quote %(ref)s is not waiting for an approval.") % {"ref": quote.reference},
            field="status",
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationFailed(_("Say why the discount is rejected."), field="comment")
    _status(quote, Quote.Status.APPROVED if approve else Quote.Status.REJECTED, by=by)
    quote.approved_by = by if approve else None
    quote.decided_at = timezone.now()
    quote.approval_comment = comment
    quote.save()
    if approve:
        subject = _("Quote %(ref)s: discount approved") % {"ref": quote.reference}
    else:
        subject = _("Quote %(ref)s: discount rejected") % {"ref": quote.reference}
    _timeline(quote, by=by, subject=subject, body=comment)
    owner_email = quote.owner.email if quote.owner else ""
    if owner_email:
        send_mail(
            subject=subject,
            message=f"{comment}\n\n{_quote_url(quote, base_url)}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[owner_email],
        )
    return quote


@transaction.atomic
def quote_approve(
    *, by: User | None, quote_id: int, comment: str = "", base_url: str = ""
) -> Quote:
    return _decide(by, quote_id, approve=True, comment=comment, base_url=base_url)


@transaction.atomic
def quote_reject(*, by: User | None, quote_id: int, comment: str = "", base_url: str = "") -> Quote:
    return _decide(by, quote_id, approve=False, comment=comment, base_url=base_url)


def customer_email(customer_id: int) -> str:
    return (
        Identity.objects.filter(customer_id=customer_id, kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def acceptance_token(quote: Quote) -> str:
    return signing.dumps({"quote": quote.pk, "version": quote.version}, salt=SALT, compress=True)


def acceptance_url(quote: Quote, base_url: str = "") -> str:
    return settings_base(base_url) + reverse("sales:quote_accept", args=[acceptance_token(quote)])


@transaction.atomic
def quote_send(*, by: User | None, quote_id: int, email: str = "", base_url: str = "") -> Quote:
    """Render the PDF and e-mail it to the customer (its primary address, or ``email``)
    with the acceptance link; the send lands on the timeline. Refused while the
    discount waits for an approval; a mail server that refuses leaves the quote unsent."""
    from ..pdf import quote_pdf

    ensure_can(by, "sales.edit")
    quote = quote_get(user=by, quote_id=quote_id, for_update=True)
    allowed = (Quote.Status.DRAFT, Quote.Status.APPROVED, Quote.Status.SENT)
    if quote.status not in allowed:
        raise Conflict(
            _("Quote %(ref)s is %(status)s and cannot be sent.")
            % {"ref": quote.reference, "status": quote.get_status_display().lower()},
            field="status",
        )
    if needs_approval(quote) and quote.approved_by_id is None:
        raise ValidationFailed(
            _(
                "A manual discount of %(d)s %% is above %(t)s %%: a sales manager must "
                "approve it before the quote is sent."
            )
            % {"d": quote.max_manual_discount.normalize(), "t": quote_threshold(quote).normalize()},
            field="manual_discount_percent",
        )
    if not quote.lines.exists():
        raise ValidationFailed(_("Add at least one line before sending."), field="lines")
    if quote.valid_until < timezone.localdate():
        raise ValidationFailed(
            _("The quote's validity has passed: change the date or make a new version."),
            field="valid_until",
        )
    address = (email or "").strip() or customer_email(quote.customer_id)
    if not address:
        raise ValidationFailed(
            _("The customer has no e-mail address to send the quote to."), field="email"
        )
    try:
        validate_email(address)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(email)s is not a valid e-mail address.") % {"email": address[:254]},
            field="email",
        ) from None
    pdf = quote_pdf(quote)
    link = acceptance_url(quote, base_url)
    with translation.override(quote.language or None):
        subject = _("Quote %(ref)s from %(company)s") % {
            "ref": quote.reference,
            "company": settings.PANORAMA_COMPANY_NAME,
        }
        body = _(
            "Dear customer,\n\nPlease find attached our quote %(ref)s, valid until "
            "%(date)s. You can read it and accept it online here:\n\n%(link)s\n\n"
            "Kind regards,\n%(company)s"
        ) % {
            "ref": quote.reference,
            "date": quote.valid_until.isoformat(),
            "link": link,
            "company": settings.PANORAMA_COMPANY_NAME,
        }
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    message.attach(f"{quote.reference}.pdf", pdf, "application/pdf")
    first = quote.status != Quote.Status.SENT
    if first:
        _status(quote, Quote.Status.SENT, by=by)
    quote.sent_at = timezone.now()
    quote.save()
    _timeline(
        quote,
        by=by,
        subject=_("Quote %(ref)s sent to %(email)s") % {"ref": quote.reference, "email": address},
        channel=Interaction.Channel.EMAIL,
        direction=Interaction.Direction.OUTBOUND,
    )
    message.send()
    return quote


def _expired(quote: Quote) -> ValidationFailed:
    # Told in the quote's language: the customer reads it, not the rep.
    with translation.override(quote.language or None):
        return ValidationFailed(
            _("This quote expired on %(date)s. Ask us for a new one.")
            % {"date": date_format(quote.valid_until, "SHORT_DATE_FORMAT")},
            field="token",
        )


def quote_from_token(token: str) -> Quote:
    """The quote a signed acceptance link is for: NotFound for a forged link,
    ValidationFailed once its validity has passed (the link's ``max_age``)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise NotFound(_("This link is not valid.")) from None
    quote = (
        Quote.objects.select_related("customer", "financing_plan")
        .prefetch_related("lines")
        .filter(pk=data.get("quote"), version=data.get("version"))
        .first()
    )
    if quote is None:
        raise NotFound(_("This link is not valid."))
    # The link lives as long as the quote is valid: to the end of its last day.
    end = datetime.datetime.combine(
        quote.valid_until + datetime.timedelta(days=1),
        datetime.time(),
        timezone.get_current_timezone(),
    )
    signed_at = quote.sent_at or quote.created_at
    max_age = max(int((end - signed_at).total_seconds()), 0)
    try:
        signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise _expired(quote) from None
    except signing.BadSignature:
        raise NotFound(_("This link is not valid.")) from None
    if quote.valid_until < timezone.localdate():
        raise _expired(quote)
    return quote


@transaction.atomic
def quote_accept(*, token: str) -> Quote:
    """The customer accepts the quote through the link: the order is placed, the
    promotions used are redeemed and the timeline told. A second use, an expired or a
    superseded link changes nothing."""
    from .order import order_from_quote

    quote = quote_from_token(token)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status == Quote.Status.ACCEPTED:
        raise Conflict(
            _("Quote %(ref)s was already accepted. Thank you!") % {"ref": quote.reference},
            field="token",
        )
    if quote.status != Quote.Status.SENT:
        raise Conflict(
            _("Quote %(ref)s can no longer be accepted.") % {"ref": quote.reference},
            field="token",
        )
    if Quote.objects.filter(previous=quote).exists():
        raise Conflict(
            _("Quote %(ref)s was replaced by a newer version.") % {"ref": quote.reference},
            field="token",
        )
    _status(quote, Quote.Status.ACCEPTED, by=None)
    quote.accepted_at = timezone.now()
    quote.save()
    promotion_ids = sorted(
        {
            d["promotion_id"]
            for line in quote.lines.all()
            for d in line.discounts
            if d.get("promotion_id")
        }
    )
    for promotion in Promotion.objects.filter(pk__in=promotion_ids).order_by("pk"):
        promotion_redeem(by=None, promotion=promotion)
    _timeline(
        quote,
        by=None,
        subject=_("Quote %(ref)s accepted by the customer") % {"ref": quote.reference},
        channel=Interaction.Channel.WEB,
        direction=Interaction.Direction.INBOUND,
    )
    order_from_quote(quote=quote, by=None)
    return quote


def quotes_expire(*, on: datetime.date | None = None) -> int:
    """Mark sent quotes whose validity has passed as expired (a periodic task may call
    this); returns how many."""
    on = on or timezone.localdate()
    count = 0
    for quote in Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=on):
        with transaction.atomic():
            _status(quote, Quote.Status.EXPIRED, by=None)
            quote.save(update_fields=["status", "updated_at"])
            count += 1
    return count
