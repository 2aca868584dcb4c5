"""Sign-up forms and double opt-in.

A visitor fills a list's public form (``optin_request``): the form's token (404 when
wrong), a honeypot (filled: answered as accepted, nothing kept or sent) and the public
forms' rate limit per address (``sales.services.lead_webform.webform_throttle_hit``)
protect it. Nothing is consented yet: an ``OptIn`` row keeps the address, the text shown
and the address the request came from, and an e-mail carries a signed link that expires
after ``PANORAMA_OPTIN_HOURS``. Following it (``optin_confirm``) finds the customer by
the address (or creates a prospect), records the consent to marketing e-mail through the
customers' consent service, joins the list and puts the proof on the timeline. A second
confirmation changes nothing."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import DomainError, NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers import identifiers
from panorama.customers.models import Consent, Customer, Identity
from panorama.customers.services.relations import consent_record

from ..models import OptIn, SignupForm, StaticList
from .segments import list_join

HONEYPOT = "website"
SALT = "panorama.marketing.optin"


class LinkExpired(DomainError):
    status_code = 410
    code = "expired"


class LinkInvalid(DomainError):
    status_code = 400
    code = "invalid_link"


def _hours() -> int:
    return int(getattr(settings, "PANORAMA_OPTIN_HOURS", 72))


# --- the forms (staff) ---------------------------------------------------------------------


@transaction.atomic
def signup_form_save(
    *,
    by: User | None,
    name: str,
    static_list: StaticList | int | None,
    consent_text_es: str,
    consent_text_en: str = "",
    active: bool = True,
    form: SignupForm | None = None,
) -> SignupForm:
    """Create or change a list's public sign-up form."""
    ensure_can(by, "marketing.build_segments")
    if static_list is not None and not isinstance(static_list, StaticList):
        found = StaticList.objects.filter(pk=static_list).first()
        if found is None:
            raise ValidationFailed(
                _("There is no list %(id)s.") % {"id": static_list}, field="static_list"
            )
        static_list = found
    if static_list is None:
        raise ValidationFailed(_("Choose the list the form joins."), field="static_list")
    form = form or SignupForm()
    form.name = (name or "").strip()
    form.static_list = static_list
    form.consent_text_es = (consent_text_es or "").strip()
    form.consent_text_en = (consent_text_en or "").strip()
    form.active = bool(active)
    if not form.name:
        raise ValidationFailed(_("A form needs a name."), field="name")
    if not form.consent_text_es:
        raise ValidationFailed(
            _("Write the consent text the visitor accepts."), field="consent_text_es"
        )
    rules_for(SignupForm).check(form)
    form.save()
    return form


def signup_form_public(*, token: str) -> SignupForm:
    form = (
        SignupForm.objects.filter(token=token, active=True).select_related("static_list").first()
        if token
        else None
    )
    if form is None:
        raise NotFound(_("This form does not exist or no longer takes sign-ups."))
    return form


# --- the visitor's request ------------------------------------------------------------------


@dataclass
class SignupRequest:
    optin: OptIn | None  # None: the honeypot was filled, nothing was kept
    form: SignupForm


def _language(value: Any) -> str:
    code = str(value or "").split("-")[0].split("_")[0].lower()
    return code if code in {c for c, _name in settings.LANGUAGES} else ""


def confirm_url(optin: OptIn) -> str:
    token = signing.dumps({"o": optin.pk}, salt=SALT)
    return settings.PANORAMA_PUBLIC_URL + reverse("marketing:optin_confirm", args=[token])


def _confirmation_mail(optin: OptIn) -> EmailMessage:
    with translation.override(optin.language or "es"):
        subject = _("Confirm your subscription to %(name)s") % {"name": optin.form.name}
        body = _(
            "Hello %(first_name)s,\n\n"
            "Someone, we hope you, asked to receive %(name)s at this address. To confirm, "
            "open this link within %(hours)s hours:\n\n%(url)s\n\n"
            "What you accept by confirming:\n%(text)s\n\n"
            "If it was not you, ignore this e-mail: we will not write to you."
        ) % {
            "first_name": optin.first_name or optin.email,
            "name": optin.form.name,
            "hours": _hours(),
            "url": confirm_url(optin),
            "text": optin.text_shown,
        }
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[optin.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


@transaction.atomic
def optin_request(
    *, form: SignupForm, values: dict[str, Any], ip: str | None, language: str = ""
) -> SignupRequest:
    """Keep the sign-up as pending and send the confirmation e-mail (a server that
    refuses it is a 503 and nothing is kept)."""
    if str(values.get(HONEYPOT) or "").strip():
        return SignupRequest(optin=None, form=form)
    language = _language(values.get("language")) or _language(language) or "es"
    raw = str(values.get("email") or "").replace("\x00", "").strip()
    if not raw:
        raise ValidationFailed(_("Give your e-mail address."), field="email")
    try:
        address = identifiers.normalise_email(raw)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, field="email") from None
    first_name = str(values.get("first_name") or "").replace("\x00", "").strip()
    if len(first_name) > 100:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": 100}, field="first_name")
    optin = OptIn(
        form=form,
        email=address,
        first_name=first_name,
        language=language,
        text_shown=form.consent_text(language),
        request_ip=ip,
    )
    optin.save()
    emit("signup.requested", optin_id=optin.pk, form_id=form.pk, list_id=form.static_list_id)
    try:
        _confirmation_mail(optin).send()
    except Exception as exc:  # noqa: BLE001 (SMTP and socket errors alike)
        error = DomainError(_("We could not send the confirmation e-mail now. Try again later."))
        error.status_code = 503
        raise error from exc
    return SignupRequest(optin=optin, form=form)


# --- the confirmation -----------------------------------------------------------------------


def optin_read(token: str) -> OptIn:
    """The sign-up a confirmation link names: 400 when tampered with, 410 when expired."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=_hours() * 3600)
    except signing.SignatureExpired:
        raise LinkExpired(
            _("This confirmation link has expired: sign up again to get a new one.")
        ) from None
    except signing.BadSignature:
        raise LinkInvalid(_("This link is not valid.")) from None
    optin = (
        OptIn.objects.select_related("form", "form__static_list", "customer")
        .filter(
            pk=payload["o"]
            if isinstance(payload, dict) and isinstance(payload.get("o"), int)
            else 0
        )
        .first()
    )
    if optin is None:
        raise LinkInvalid(_("This link is not valid."))
    return optin


def _customer_for(optin: OptIn) -> Customer:
    """The customer the address belongs to (the primary address first), else a new
    prospect with it."""
    found = (
        Identity.objects.filter(
            kind=Identity.Kind.EMAIL, value=optin.email, customer__merged_into__isnull=True
        )
        .order_by("-is_primary", "customer_id")
        .values_list("customer_id", flat=True)
        .first()
    )
    if found is not None:
        return Customer.objects.get(pk=found)
    from panorama.customers.services.customer import CustomerData, IdentityData, customer_create

    return customer_create(
        by=None,
        data=CustomerData(
            status=Customer.Status.PROSPECT,
            first_name=optin.first_name or optin.email.split("@")[0][:100],
            language=optin.language,
            identities=[IdentityData(kind=Identity.Kind.EMAIL, value=optin.email, is_primary=True)],
        ),
    )


def proof_text(optin: OptIn) -> str:
    def when(moment) -> str:
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")

    return _(
        "Asked on %(asked)s from %(ip1)s; confirmed on %(confirmed)s from %(ip2)s, "
        "through the link sent to %(email)s. Text shown:\n%(text)s"
    ) % {
        "asked": when(optin.requested_at),
        "ip1": optin.request_ip or "?",
        "confirmed": when(optin.confirmed_at),
        "ip2": optin.confirm_ip or "?",
        "email": optin.email,
        "text": optin.text_shown,
    }


@transaction.atomic
def optin_confirm(*, token: str, ip: str | None) -> tuple[OptIn, bool]:
    """Record the consent with its proof, join the list, tell the timeline. (sign-up,
    True when this call confirmed it; a replay is False and changes nothing)."""
    optin = optin_read(token)
    optin = (
        OptIn.objects.select_for_update(of=("self",))
        .select_related("form", "form__static_list")
        .get(pk=optin.pk)
    )
    if optin.confirmed_at is not None:
        return optin, False
    customer = _customer_for(optin)
    optin.customer = customer
    optin.confirmed_at, optin.confirm_ip = timezone.now(), ip
    consent = consent_record(
        customer=customer,
        purpose=Consent.Purpose.MARKETING,
        channel=Consent.Channel.EMAIL,
        granted=True,
        source=(_("Double opt-in %(id)s: %(form)s") % {"id": optin.pk, "form": optin.form.name})[
            :100
        ],
        at=optin.confirmed_at,
        by=None,
    )
    optin.consent = consent
    optin.save(update_fields=["customer", "confirmed_at", "confirm_ip", "consent"])
    interaction_record(
        customer_id=customer.pk,
        by=None,
        channel="email",
        direction="inbound",
        subject=_("Confirmed the sign-up to %(name)s") % {"name": optin.form.name},
        body=proof_text(optin),
        outcome="confirmed",
        related=optin,
        metadata={"optin_id": optin.pk, "consent_id": consent.pk},
    )
    list_join(static_list=optin.form.static_list, customer_ids=[customer.pk])
    emit(
        "signup.confirmed",
        optin_id=optin.pk,
        form_id=optin.form_id,
        list_id=optin.form.static_list_id,
        customer_id=customer.pk,
        consent_id=consent.pk,
    )
    from .journeys import journeys_enrol

    journeys_enrol(trigger="confirmed", key=optin.form_id, customer_ids=[customer.pk])
    return optin, True
