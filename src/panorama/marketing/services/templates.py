"""Message templates: saved only when every text parses and names known merge fields;
a preview for one customer; a test send to the user's own address; the send of a
business rule, with its one-click unsubscribe link (RFC 8058) naming the customer."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.signing import BadSignature
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Customer
from panorama.customers.selectors import customer_get

from .. import messages
from ..models import MessageTemplate
from .links import public_url, token_make, token_read
from .optout_mail import email_address, optout_mail
from .sending import customer_context, html_body

UNSUBSCRIBE_KIND = "customer_unsubscribe"  # the token names the customer, not a ledger row


@transaction.atomic
def template_save(
    *,
    by: User | None,
    name: str,
    subject_es: str,
    body_es: str,
    subject_en: str = "",
    body_en: str = "",
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    ensure_can(by, "marketing.send_campaigns")
    template = template or MessageTemplate()
    template.name = (name or "").strip()
    template.subject_es, template.body_es = (subject_es or "").strip(), body_es or ""
    template.subject_en, template.body_en = (subject_en or "").strip(), body_en or ""
    for field in ("name", "subject_es", "body_es"):
        if not getattr(template, field).strip():
            label = MessageTemplate._meta.get_field(field).verbose_name  # type: ignore[union-attr]
            raise ValidationFailed(
                _("%(field)s is required.") % {"field": str(label).capitalize()}, field=field
            )
    if bool(template.subject_en.strip()) != bool(template.body_en.strip()):
        raise ValidationFailed(
            _("The English version needs both a subject and a body (or neither)."),
            field="subject_en" if not template.subject_en else "body_en",
        )
    rules_for(MessageTemplate).check(template)
    # Raises on a broken merge field or an unknown segment, consent or product, naming it.
    messages.Compiled(template, saving=True)
    template.save()
    return template


def template_user(template: MessageTemplate) -> str:
    """Why ``template`` cannot be deleted: what sends it (a campaign or one of its A/B
    variants, a journey's e-mail step, a business rule's e-mail), else ""."""
    from panorama.automation.models import Rule

    from ..models import Campaign, CampaignVariant, JourneyStep

    campaign = Campaign.objects.filter(template=template).values_list("name", flat=True).first()
    if campaign is None:
        campaign = (
            CampaignVariant.objects.filter(template=template)
            .values_list("campaign__name", flat=True)
            .first()
        )
    if campaign is not None:
        return _("The campaign “%(name)s” sends it: it cannot be deleted.") % {"name": campaign}
    journey = (
        JourneyStep.objects.filter(kind=JourneyStep.Kind.SEND, config__template=template.pk)
        .values_list("journey__name", flat=True)
        .first()
    )
    if journey is not None:
        return _("The journey “%(name)s” sends it: it cannot be deleted.") % {"name": journey}
    # A rule's actions are a short JSON list: read in Python (SQLite cannot look inside).
    for name, actions in Rule.objects.values_list("name", "actions").iterator():
        for action in actions if isinstance(actions, list) else []:
            if (
                isinstance(action, dict)
                and action.get("type") == "send_email"
                and action.get("template") == template.pk
            ):
                return _("The business rule “%(name)s” sends it: it cannot be deleted.") % {
                    "name": name
                }
    return ""


@transaction.atomic
def template_delete(*, by: User | None, template: MessageTemplate) -> None:
    """Delete a message nothing sends (see ``template_user``); refused with what does."""
    ensure_can(by, "marketing.send_campaigns")
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    used = template_user(template)
    if used:
        raise Conflict(used, field="template")
    template_id = template.pk
    template.delete()
    emit("message_template.deleted", template_id=template_id, by=by.pk if by else None)


def template_preview(*, by: User, template: MessageTemplate, customer_id: int) -> messages.Rendered:
    """The message as this customer would get it (his language, his products)."""
    if not 0 < customer_id < 2**63:
        raise ValidationFailed(
            _("There is no customer %(ids)s.") % {"ids": customer_id}, field="customer_id"
        )
    customer = customer_get(user=by, customer_id=customer_id)
    compiled = messages.Compiled(template)
    context = customer_context([customer.pk], compiled=[compiled])[customer.pk]
    return compiled.render(context | {"unsubscribe_url": "#unsubscribe"})


def template_test_send(
    *, by: User, template: MessageTemplate, customer_id: int, to: str = ""
) -> str:
    """Send the preview to ``to`` (default: the user's own address), marked as a test."""
    ensure_can(by, "marketing.send_campaigns")
    address = (to or by.email or "").strip()
    if not address:
        raise ValidationFailed(_("Give an address to send the test to."), field="to")
    try:
        validate_email(address)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(address)s is not an e-mail address.") % {"address": address}, field="to"
        ) from None
    rendered = template_preview(by=by, template=template, customer_id=customer_id)
    message = EmailMultiAlternatives(
        subject=f"[{_('TEST')}] {rendered.subject}",
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(html_body(rendered.body, pixel_url=""), "text/html")
    message.send()
    return address


def template_send(*, template_id: int, customer_id: int, why: str) -> tuple[bool, str]:
    """E-mail the template to the customer (a business rule's action), only if at this
    moment he consents to marketing e-mail (``rules.consent_granted``, the campaigns' and
    journeys' own test) and his address has not bounced. Recorded on his timeline.
    Returns (sent, what happened, for the person reading the rule's run)."""
    from panorama.channels.services import interaction_record
    from panorama.customers.models import Consent

    from ..models import Suppression
    from ..rules import consent_granted

    template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise ValidationFailed(_("The message template %(id)s was deleted.") % {"id": template_id})
    live = Customer.objects.filter(pk=customer_id, merged_into__isnull=True)
    if not live.filter(consent_granted(Consent.Purpose.MARKETING, Consent.Channel.EMAIL)).exists():
        return False, _("“%(name)s” not sent: no consent to marketing e-mail") % {
            "name": template.name
        }
    address = email_address(customer_id)
    if not address:
        return False, _("“%(name)s” not sent: no e-mail address") % {"name": template.name}
    if Suppression.objects.filter(email=address.lower()).exists():
        return False, _("“%(name)s” not sent: the address bounced before") % {"name": template.name}
    message, rendered = optout_mail(
        template=template,
        customer_id=customer_id,
        address=address,
        unsubscribe=unsubscribe_url(customer_id),
    )
    message.send()
    interaction_record(
        customer_id=customer_id,
        by=None,
        channel="email",
        direction="outbound",
        subject=rendered.subject[:200],
        body=why,
        outcome="sent",
        metadata={"template_id": template.pk},
    )
    return True, _("“%(name)s” sent to %(to)s") % {"name": template.name, "to": address}


def unsubscribe_url(customer_id: int) -> str:
    return public_url("marketing:customer_unsubscribe", token_make(customer_id, UNSUBSCRIBE_KIND))


def unsubscribe_customer(token: str) -> Customer:
    """The customer the link names (his survivor if he was merged since), or
    ``BadSignature`` for a tampered token or a customer who is gone."""
    customer_id = token_read(token, UNSUBSCRIBE_KIND)["r"]
    customer = Customer.objects.filter(pk=customer_id).first()
    while customer is not None and customer.merged_into_id:
        customer = Customer.objects.filter(pk=customer.merged_into_id).first()
    if customer is None:
        raise BadSignature("unknown customer")
    return customer


def unsubscribed(customer: Customer) -> bool:
    from panorama.customers.models import Consent

    from ..rules import consent_granted

    live = Customer.objects.filter(pk=customer.pk)
    return not live.filter(
        consent_granted(Consent.Purpose.MARKETING, Consent.Channel.EMAIL)
    ).exists()


@transaction.atomic
def template_unsubscribe(*, token: str) -> tuple[Customer, bool]:
    """The rule e-mail's unsubscribe link: his consent to marketing e-mail withdrawn at
    once (the customers' consent service), on his timeline. (customer, True when this
    call did it); a replay changes nothing."""
    from panorama.channels.services import interaction_record
    from panorama.customers.models import Consent
    from panorama.customers.services.relations import consent_record

    customer = unsubscribe_customer(token)
    if unsubscribed(customer):
        return customer, False
    consent_record(
        customer=customer,
        purpose=Consent.Purpose.MARKETING,
        channel=Consent.Channel.EMAIL,
        granted=False,
        source=_("Unsubscribe link, automatic e-mail")[:100],
        by=None,
    )
    interaction_record(
        customer_id=customer.pk,
        by=None,
        channel="email",
        direction="inbound",
        subject=_("Unsubscribed from marketing e-mail (automatic e-mail)"),
        outcome="unsubscribed",
    )
    return customer, True


__all__ = [
    "Customer",
    "template_preview",
    "template_save",
    "template_send",
    "template_test_send",
    "template_unsubscribe",
    "unsubscribe_customer",
    "unsubscribe_url",
    "unsubscribed",
]
