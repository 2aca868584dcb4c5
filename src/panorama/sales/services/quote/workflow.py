"""Approval, sending the PDF by e-mail, the customer's acceptance through a signed link,
and expiry."""

import datetime

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

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Promotion
from panorama.catalog.services.price_lists import promotion_redeem
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.models import Identity

from ...models import Quote
from ...selectors.quotes import quote_get
from .common import (
    SALT,
    _status,
    _timeline,
    needs_approval,
    quote_threshold,
)
from .pricing import (
    _editable,
)


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
    from ...pdf import quote_pdf

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


def _answerable(token: str) -> Quote:
    """The quote a link (or the portal, which signs one for the signed-in customer) is
    for, locked, while the customer may still answer it: the refusals of accepting and
    declining are the same ones."""
    quote = quote_from_token(token)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status == Quote.Status.ACCEPTED:
        raise Conflict(
            _("Quote %(ref)s was already accepted. Thank you!") % {"ref": quote.reference},
            field="token",
        )
    if quote.status == Quote.Status.DECLINED:
        raise Conflict(
            _("Quote %(ref)s was declined. Ask us for a new one if you changed your mind.")
            % {"ref": quote.reference},
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
    return quote


@transaction.atomic
def quote_accept(*, token: str) -> Quote:
    """The customer accepts the quote through the link: the order is placed, the
    promotions used are redeemed and the timeline told. A second use, an expired or a
    superseded link changes nothing."""
    from ..order import order_from_quote

    quote = _answerable(token)
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


@transaction.atomic
def quote_decline(*, token: str, reason: str = "") -> Quote:
    """The customer declines the quote: it is closed (a rep makes a new version if the
    talk goes on), his reason lands on the timeline. The same link checks and refusals
    as ``quote_accept``; nothing is redeemed and no order is placed."""
    quote = _answerable(token)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationFailed(_("Say it in 2000 characters at most."), field="reason")
    _status(quote, Quote.Status.DECLINED, by=None)
    quote.save()
    _timeline(
        quote,
        by=None,
        subject=_("Quote %(ref)s declined by the customer") % {"ref": quote.reference},
        body=reason,
        channel=Interaction.Channel.WEB,
        direction=Interaction.Direction.INBOUND,
    )
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
