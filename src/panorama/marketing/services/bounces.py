"""Delivery reports about campaign e-mails, handed over by the channels' inbound mail
(registered in ``MarketingConfig.ready``: channels does not import marketing).

A hard bounce (5.x.x) marks the ledger row "bounced" and suppresses the address: no
campaign or journey writes to it again (they skip it with the reason "suppressed"). A
soft bounce (4.x.x, "delayed") is counted on the row; the address is suppressed after
``PANORAMA_SOFT_BOUNCE_LIMIT`` of them (3 by default) across campaigns.

A complaint (an ARF feedback report: the customer pressed "this is spam") marks the row
"complained", suppresses the address, withdraws the customer's consent to marketing
e-mail (through the customers' consent service, so journeys let him go too) and says
so on his timeline."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.models import Interaction
from panorama.channels.outbound.bounces import Handled, Report
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.customers.models import Consent
from panorama.customers.services.relations import consent_record

from ..models import Recipient, Suppression


def soft_bounce_limit() -> int:
    return max(1, int(getattr(settings, "PANORAMA_SOFT_BOUNCE_LIMIT", 3)))


def _suppress(recipient: Recipient, reason: str, detail: str) -> None:
    Suppression.objects.get_or_create(
        email=recipient.email.lower(),
        defaults={"reason": reason, "detail": detail[:300], "recipient": recipient},
    )


@transaction.atomic
def campaign_bounce(report: Report) -> Handled | None:
    """The report's campaign e-mail marked bounced (once), or None when it names no
    campaign e-mail."""
    recipient = (
        Recipient.objects.select_for_update(of=("self",))
        .select_related("campaign", "customer")
        .filter(message_id__in=report.message_ids)
        .exclude(message_id="")
        .first()
    )
    if recipient is None:
        return None
    if report.complaint:
        return campaign_complaint(recipient, report)
    reason, now = report.reason[:300], timezone.now()
    hard = report.hard
    detail = _(
        "Delivery report: the campaign %(name)s's e-mail to %(to)s bounced (%(reason)s)."
    ) % {
        "name": recipient.campaign.name,
        "to": recipient.email,
        "reason": reason,
    }
    if recipient.status == Recipient.Status.BOUNCED:
        return Handled(recipient.customer_id, detail)  # the same report again
    suppressed = False
    if hard:
        recipient.status, recipient.bounced_at, recipient.error = (
            Recipient.Status.BOUNCED,
            now,
            reason,
        )
        recipient.save(update_fields=["status", "bounced_at", "error"])
        _suppress(recipient, Suppression.Reason.HARD_BOUNCE, reason)
        suppressed = True
    else:
        recipient.soft_bounced_at, recipient.error = now, reason
        recipient.save(update_fields=["soft_bounced_at", "error"])
        soft = Recipient.objects.filter(
            email__iexact=recipient.email, soft_bounced_at__isnull=False
        ).count()
        if soft >= soft_bounce_limit():
            _suppress(recipient, Suppression.Reason.SOFT_BOUNCES, reason)
            suppressed = True
    # The "sent" entry of the customer's timeline says what became of it.
    for interaction in Interaction.objects.filter(
        customer_id=recipient.customer_id,
        related_type=ContentType.objects.get_for_model(Recipient),
        related_id=recipient.pk,
        direction="outbound",
    ):
        interaction.outcome = (_("Bounced") if hard else _("Delivery delayed"))[:100]
        interaction.metadata = {**interaction.metadata, "bounce": reason}
        interaction.save(update_fields=["outcome", "metadata"])
    emit(
        "campaign.bounced",
        campaign_id=recipient.campaign_id,
        customer_id=recipient.customer_id,
        recipient_id=recipient.pk,
        hard=hard,
        suppressed=suppressed,
        reason=reason,
    )
    return Handled(recipient.customer_id, detail)


def campaign_complaint(recipient: Recipient, report: Report) -> Handled:
    """The customer reported the campaign's e-mail as spam (once; a second report of
    the same message changes nothing)."""
    campaign = recipient.campaign
    detail = _(
        "Complaint (feedback loop): %(to)s marked the campaign %(name)s's e-mail as spam."
    ) % {"to": recipient.email, "name": campaign.name}
    if recipient.complained_at is not None:
        return Handled(recipient.customer_id, detail)
    now = timezone.now()
    recipient.status, recipient.complained_at = Recipient.Status.COMPLAINED, now
    recipient.save(update_fields=["status", "complained_at"])
    _suppress(recipient, Suppression.Reason.COMPLAINT, report.reason)
    consent = consent_record(
        customer=recipient.customer,
        purpose=Consent.Purpose.MARKETING,
        channel=Consent.Channel.EMAIL,
        granted=False,
        source=(_("Spam complaint, campaign %(name)s") % {"name": campaign.name})[:100],
        by=None,
    )
    related = ContentType.objects.get_for_model(Recipient)
    Interaction.objects.filter(
        customer_id=recipient.customer_id,
        related_type=related,
        related_id=recipient.pk,
        direction="outbound",
    ).update(outcome=_("Marked as spam")[:100])
    interaction_record(
        customer_id=recipient.customer_id,
        by=None,
        channel="email",
        direction="inbound",
        subject=(_("Marked the campaign %(name)s's e-mail as spam") % {"name": campaign.name})[
            :200
        ],
        body=_("Consent to marketing e-mail withdrawn and the address suppressed."),
        outcome="complained",
        related=recipient,
        metadata={"campaign_id": campaign.pk, "feedback_type": report.feedback_type},
    )
    emit(
        "campaign.complained",
        campaign_id=campaign.pk,
        customer_id=recipient.customer_id,
        recipient_id=recipient.pk,
        consent_id=consent.pk,
        feedback_type=report.feedback_type,
    )
    return Handled(recipient.customer_id, detail)


def suppressed_among(addresses: list[str]) -> set[str]:
    """Which of these addresses (lower-cased) are suppressed: one query."""
    wanted = {a.lower() for a in addresses if a}
    if not wanted:
        return set()
    return set(Suppression.objects.filter(email__in=wanted).values_list("email", flat=True))
