"""The campaigns' portal banner: a running campaign on the ``banner`` channel shows its
message, personalised, on the portal's home page to the customers of its target group.

The rules are the campaign's own: the audience drawn at launch (segment or list), the
control group held back (never shown), consent to marketing checked each time it would
show (as an e-mail's is at the moment it is sent), nothing after he unsubscribed or once
the campaign is cancelled. Showing it counts as the message's open (the first one marks
the row sent and lands on the timeline, ``recipient_opened``); its links are the tracked
links of an e-mail (``marketing:click``), so a click is counted by ``recipient_click``."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from panorama.customers.models import Consent, Customer

from .. import messages
from ..models import Campaign, Recipient
from ..rules import consent_granted
from .links import public_url, token_make
from .sending import customer_context, html_paragraphs
from .tracking import recipient_opened


@dataclass
class Banner:
    campaign_id: int
    recipient_id: int
    title: str
    body: SafeString  # escaped HTML paragraphs, links tracked


def _recipient_for(customer: Customer) -> Recipient | None:
    """His newest running banner campaign's ledger row in the target group, if he
    consents to marketing: two queries (no lock: most showings write nothing)."""
    if (
        not Customer.objects.filter(pk=customer.pk)
        .filter(consent_granted(Consent.Purpose.MARKETING, Consent.Channel.ANY))
        .exists()
    ):
        return None
    return (
        Recipient.objects.select_related("campaign__template")
        .filter(
            customer=customer,
            group=Recipient.Group.TARGET,
            status__in=(Recipient.Status.PENDING, Recipient.Status.SENT),
            unsubscribed_at__isnull=True,
            campaign__channel=Campaign.Channel.BANNER,
            campaign__status=Campaign.Status.SENDING,
            campaign__template__isnull=False,
        )
        .order_by("-campaign__launched_at", "-campaign_id")
        .first()
    )


@transaction.atomic
def banner_show(*, customer: Customer, counted: Collection[int] = ()) -> Banner | None:
    """The banner to show ``customer`` now (None: none for him), counted as shown unless
    its ledger row is in ``counted`` (the portal passes the rows it already counted in
    this session: one impression per session, customer and banner, not one per view)."""
    recipient = _recipient_for(customer)
    if recipient is None:
        return None
    if recipient.pk not in counted:
        _count(recipient)
    compiled = messages.Compiled(recipient.campaign.template)
    context = customer_context([customer.pk], compiled=[compiled])[customer.pk]
    rendered = compiled.render(context)

    def tracked(url: str) -> str:
        return public_url("marketing:click", token_make(recipient.pk, "click", url))

    return Banner(
        campaign_id=recipient.campaign_id,
        recipient_id=recipient.pk,
        title=rendered.subject,
        body=mark_safe(html_paragraphs(rendered.body, link=tracked)),  # noqa: S308 (escaped)
    )


def _count(recipient: Recipient) -> None:
    """One impression: the row locked, marked sent the first time, the open counted."""
    locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
    if locked.status != Recipient.Status.SENT:
        locked.status, locked.sent_at = Recipient.Status.SENT, timezone.now()
        locked.save(update_fields=["status", "sent_at"])
    locked.campaign = recipient.campaign  # recipient_opened reads its name and channel
    recipient_opened(recipient=locked)
