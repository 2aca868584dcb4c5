"""A journey's e-mails: sent with the consent checked at that moment, suppressed
addresses skipped, their one-click unsubscribe link, and their signed open pixel and
links (a ``JourneyMessage`` per e-mail: what a branch on "opened" or "clicked" reads)."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.customers.models import Consent, Customer

from ...models import (
    Enrolment,
    JourneyMessage,
    JourneyStep,
    MessageTemplate,
    Suppression,
)
from ...rules import consent_granted
from ..links import public_url, token_make, token_read
from ..optout_mail import email_address, optout_mail
from .enrol import _log, journeys_exit_customer

UNSUBSCRIBE_SALT = "panorama.marketing.journey_unsubscribe"
OPEN, CLICK = "journey_open", "journey_click"  # the signed tokens' kinds


def unsubscribe_url(enrolment_id: int) -> str:
    token = signing.dumps({"r": enrolment_id}, salt=UNSUBSCRIBE_SALT)
    return settings.PANORAMA_PUBLIC_URL + reverse("marketing:journey_unsubscribe", args=[token])


def _send(enrolment: Enrolment, step: JourneyStep, *, connection, counts) -> str | None:

    customer_id = enrolment.customer_id
    live = Customer.objects.filter(pk=customer_id, merged_into__isnull=True)
    if not live.filter(consent_granted(Consent.Purpose.MARKETING, Consent.Channel.EMAIL)).exists():
        return _("No consent to marketing e-mail when the e-mail was due")
    address = email_address(customer_id)
    if not address:
        _log(enrolment, step, _("No e-mail address: not sent"))
        return None
    if Suppression.objects.filter(email=address.lower()).exists():
        _log(enrolment, step, _("The address bounced before: not sent"))
        return None
    template = MessageTemplate.objects.filter(pk=step.config["template"]).first()
    if template is None:
        return _("The message of the step was deleted")
    sent = JourneyMessage.objects.create(enrolment=enrolment, step=step, sent_at=timezone.now())
    message, rendered = optout_mail(
        template=template,
        customer_id=customer_id,
        address=address,
        unsubscribe=unsubscribe_url(enrolment.pk),
        headers={"X-Panorama-Journey": str(enrolment.journey_id)},
        pixel_url=public_url("marketing:journey_open", token_make(sent.pk, OPEN)),
        link=lambda url: public_url("marketing:journey_click", token_make(sent.pk, CLICK, url)),
    )
    # Handed over before the row is saved: a crash in between can send it twice (at
    # least once, like campaigns); an SMTP error rolls this customer's step back and he
    # is tried again at the next sweep.
    connection.open()
    if not connection.send_messages([message]):
        raise RuntimeError("the mail backend did not accept the message")
    counts["sent"] += 1
    interaction_record(
        customer_id=customer_id,
        by=None,
        channel="email",
        direction="outbound",
        subject=_("Journey e-mail: %(subject)s") % {"subject": rendered.subject[:150]},
        body=_("Journey %(name)s") % {"name": enrolment.journey.name},
        outcome="sent",
        related=enrolment,
        metadata={"journey_id": enrolment.journey_id, "step_id": step.pk},
    )
    emit(
        "journey.sent",
        journey_id=enrolment.journey_id,
        customer_id=customer_id,
        enrolment_id=enrolment.pk,
        step_id=step.pk,
    )
    _log(
        enrolment,
        step,
        _("Sent “%(subject)s” to %(to)s") % {"subject": rendered.subject, "to": address},
    )
    return None


@transaction.atomic
def journey_unsubscribe(*, token: str) -> tuple[Enrolment, bool]:
    """The journey e-mail's unsubscribe link: the consent is withdrawn at once and the
    customer leaves every journey. (enrolment, True when this call did it)."""
    from panorama.customers.services.relations import consent_record

    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    enrolment = (
        Enrolment.objects.select_related("journey", "customer")
        .filter(
            pk=payload["r"]
            if isinstance(payload, dict) and isinstance(payload.get("r"), int)
            else 0
        )
        .first()
    )
    if enrolment is None:
        raise signing.BadSignature("unknown enrolment")
    consented = Customer.objects.filter(pk=enrolment.customer_id).filter(
        consent_granted(Consent.Purpose.MARKETING, Consent.Channel.EMAIL)
    )
    if not consented.exists():
        return enrolment, False
    consent_record(
        customer=enrolment.customer,
        purpose=Consent.Purpose.MARKETING,
        channel=Consent.Channel.EMAIL,
        granted=False,
        source=(_("Unsubscribe link, journey %(name)s") % {"name": enrolment.journey.name})[:100],
        by=None,
    )
    interaction_record(
        customer_id=enrolment.customer_id,
        by=None,
        channel="email",
        direction="inbound",
        subject=_("Unsubscribed from marketing e-mail (%(name)s)")
        % {"name": enrolment.journey.name},
        outcome="unsubscribed",
        related=enrolment,
        metadata={"journey_id": enrolment.journey_id},
    )
    journeys_exit_customer(
        customer_id=enrolment.customer_id, reason=_("Unsubscribed from marketing e-mail")
    )
    enrolment.refresh_from_db()
    return enrolment, True


def _message(token: str, kind: str) -> tuple[JourneyMessage, dict]:
    """The e-mail a signed token names, locked; ``BadSignature`` when tampered with."""
    payload = token_read(token, kind)
    sent = (
        JourneyMessage.objects.select_for_update()
        .select_related("enrolment__journey")
        .filter(pk=payload["r"])
        .first()
    )
    if sent is None:  # a signed token whose enrolment was deleted
        raise signing.BadSignature("unknown journey e-mail")
    return sent, payload


def _timeline(sent: JourneyMessage, subject: str, outcome: str) -> None:
    enrolment = sent.enrolment
    interaction_record(
        customer_id=enrolment.customer_id,
        by=None,
        channel="email",
        direction="inbound",
        subject=subject % {"name": enrolment.journey.name},
        outcome=outcome,
        related=enrolment,
        metadata={"journey_id": enrolment.journey_id, "step_id": sent.step_id},
    )


def _event_keys(sent: JourneyMessage) -> dict:
    enrolment = sent.enrolment
    return {
        "journey_id": enrolment.journey_id,
        "customer_id": enrolment.customer_id,
        "enrolment_id": enrolment.pk,
        "message_id": sent.pk,
        "step_id": sent.step_id,
    }


def _emit_open(sent: JourneyMessage) -> None:
    emit("journey.opened", **_event_keys(sent))


@transaction.atomic
def journey_message_open(*, token: str) -> JourneyMessage:
    """The e-mail's pixel was loaded: its first open is kept (and put on the timeline);
    a later one changes nothing."""
    sent, _payload = _message(token, OPEN)
    if sent.opened_at is None:
        sent.opened_at = timezone.now()
        sent.save(update_fields=["opened_at"])
        _timeline(sent, _("Opened the journey e-mail (%(name)s)"), "opened")
        _emit_open(sent)
    return sent


@transaction.atomic
def journey_message_click(*, token: str) -> str:
    """A link of the e-mail was followed: the first click is kept (it proves the open
    too); where the link goes is returned, only a URL we signed (no open redirect)."""
    sent, payload = _message(token, CLICK)
    url = payload.get("u") or ""
    if not url.startswith(("http://", "https://")):
        raise signing.BadSignature("no link")
    if sent.clicked_at is None:
        now = timezone.now()
        first_open = sent.opened_at is None
        sent.clicked_at = now
        sent.opened_at = sent.opened_at or now
        sent.save(update_fields=["clicked_at", "opened_at"])
        _timeline(sent, _("Clicked a link of the journey e-mail (%(name)s)"), "clicked")
        if first_open:  # the click proves the open: a rule on opens hears of it too
            _emit_open(sent)
        emit("journey.clicked", **_event_keys(sent), url=url[:500])
    return url
