"""What a recipient does with the message: opens it (the pixel), follows a link, and
unsubscribes (one click, RFC 8058). Each comes with a signed token naming the ledger
row: a tampered token is refused (``BadSignature``, a 400 in the view), a replayed one
changes nothing twice. The first open, the first click and the unsubscription land on
the customer's timeline; later opens and clicks are only counted (a summary, not a
row per pixel load)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.customers.models import Consent
from panorama.customers.services.relations import consent_record

from ..models import Recipient
from .links import token_read


def _recipient(token: str, kind: str) -> tuple[Recipient, dict]:
    payload = token_read(token, kind)
    recipient = (
        Recipient.objects.select_for_update()
        .select_related("campaign", "customer")
        .filter(pk=payload["r"])
        .first()
    )
    if recipient is None:  # a signed token whose campaign was deleted
        from django.core.signing import BadSignature

        raise BadSignature("unknown recipient")
    return recipient, payload


# The timeline channel of what a recipient does with the message, by campaign channel.
_CHANNEL = {"sms": "sms", "banner": "portal"}


def _timeline(recipient: Recipient, subject: str, outcome: str) -> None:
    interaction_record(
        customer_id=recipient.customer_id,
        by=None,
        channel=_CHANNEL.get(recipient.campaign.channel, "email"),
        direction="inbound",
        subject=subject,
        body=_("Campaign %(name)s") % {"name": recipient.campaign.name},
        outcome=outcome,
        related=recipient,
        metadata={"campaign_id": recipient.campaign_id},
    )


@transaction.atomic
def recipient_unsubscribe(*, token: str) -> tuple[Recipient, bool]:
    """Withdraw the recipient's consent to marketing e-mail at once (through the
    customers' consent service). (recipient, True when this call did it)."""
    recipient, _payload = _recipient(token, "unsubscribe")
    if recipient.unsubscribed_at is not None:
        return recipient, False
    from .campaigns import consent_channel

    channel = consent_channel(recipient.campaign)
    consent = consent_record(
        customer=recipient.customer,
        purpose=Consent.Purpose.MARKETING,
        channel=channel,
        granted=False,
        source=(_("Unsubscribe link, campaign %(name)s") % {"name": recipient.campaign.name})[:100],
        by=None,
    )
    recipient.unsubscribed_at = timezone.now()
    recipient.save(update_fields=["unsubscribed_at"])
    subject = (
        _("Unsubscribed from marketing e-mail (%(name)s)")
        if channel == Consent.Channel.EMAIL
        else _("Unsubscribed from marketing by %(channel)s (%(name)s)")
    ) % {"name": recipient.campaign.name, "channel": Consent.Channel(channel).label}
    _timeline(recipient, subject, "unsubscribed")
    emit(
        "campaign.unsubscribed",
        campaign_id=recipient.campaign_id,
        customer_id=recipient.customer_id,
        recipient_id=recipient.pk,
        consent_id=consent.pk,
    )
    return recipient, True


@transaction.atomic
def recipient_open(*, token: str) -> Recipient:
    recipient, _payload = _recipient(token, "open")
    return recipient_opened(recipient=recipient)


def recipient_opened(*, recipient: Recipient) -> Recipient:
    """Count one open of the message (a portal banner: one showing); the first lands on
    the timeline and emits ``campaign.opened``. ``recipient`` locked by the caller."""
    Recipient.objects.filter(pk=recipient.pk).update(opens=F("opens") + 1)
    if recipient.opened_at is None:
        recipient.opened_at = timezone.now()
        recipient.save(update_fields=["opened_at"])
        name = recipient.campaign.name
        _timeline(
            recipient,
            _("Saw the portal banner of the campaign %(name)s") % {"name": name}
            if recipient.campaign.channel == "banner"
            else _("Opened the campaign e-mail %(name)s") % {"name": name},
            "opened",
        )
        emit(
            "campaign.opened",
            campaign_id=recipient.campaign_id,
            customer_id=recipient.customer_id,
            recipient_id=recipient.pk,
        )
    return recipient


@transaction.atomic
def recipient_click(*, token: str) -> str:
    """Count the click and return where the link goes (only a URL we signed: never an
    open redirect); a link to one of the company's tracked sites carries the customer's
    ``pn_c`` token there, so the site's snippet knows who came."""
    recipient, payload = _recipient(token, "click")
    url = payload.get("u") or ""
    if not url.startswith(("http://", "https://")):
        from django.core.signing import BadSignature

        raise BadSignature("no link")
    Recipient.objects.filter(pk=recipient.pk).update(clicks=F("clicks") + 1)
    if recipient.clicked_at is None:
        now = timezone.now()
        recipient.clicked_at = now
        recipient.opened_at = recipient.opened_at or now  # a click proves the open
        recipient.save(update_fields=["clicked_at", "opened_at"])
        name = recipient.campaign.name
        _timeline(
            recipient,
            _("Clicked the portal banner of the campaign %(name)s") % {"name": name}
            if recipient.campaign.channel == "banner"
            else _("Clicked a link of the campaign e-mail %(name)s") % {"name": name},
            "clicked",
        )
        emit(
            "campaign.clicked",
            campaign_id=recipient.campaign_id,
            customer_id=recipient.customer_id,
            recipient_id=recipient.pk,
            url=url[:500],
        )
    from panorama.automation.services.tracking import url_tracked_if_ours

    return url_tracked_if_ours(url, recipient.customer_id)
