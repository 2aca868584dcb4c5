"""Walking a campaign's ledger: what every channel reads when it acts on its rows, and
the sending loop the e-mail and the SMS share.

``reach_read`` reads, for a batch of customers **at that moment** (not at launch), who is
still a live customer (not merged away), who consents to marketing on the channel (the
newest decision) and each one's contact on it; ``Reach.reason`` is why a row is skipped
(``merged``, ``no_consent``, or the channel's own "no contact" reason). E-mail, SMS,
call lists (``calls.call_next``) and direct mail (``directmail``) all read through it.

``ledger_walk`` sends what is pending in a campaign's target group, in batches by pk (a
second run sends only what the first did not: resumable), reading the batch's reach
before it sends, throttled to ``PANORAMA_CAMPAIGN_RATE`` messages per second, counting
sent / skipped / failed. A channel's ``Sender`` hands one message over and ledgers it."""

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from panorama.core.bulk_update import objects_update
from panorama.customers.models import Consent, Customer, Identity

from ..models import Campaign, Recipient
from ..rules import consent_granted


@dataclass
class Reach:
    alive: set[int]
    consenting: set[int]
    contacts: dict[int, Any]

    def reason(self, customer_id: int, missing: str) -> str | None:
        """Why the customer is skipped (``missing``: the channel's reason when he has no
        contact on it), or None."""
        if customer_id not in self.alive:
            return Recipient.Reason.MERGED
        if customer_id not in self.consenting:
            return Recipient.Reason.NO_CONSENT
        if customer_id not in self.contacts:
            return missing
        return None


def identities_first(ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each customer's identity of ``kind`` (e-mail, phone), the primary one first."""
    found: dict[int, str] = {}
    for cid, value in (
        Identity.objects.filter(customer_id__in=list(ids), kind=kind)
        .order_by("-is_primary", "id")
        .values_list("customer_id", "value")
    ):
        found.setdefault(cid, value)
    return found


def reach_read(
    ids: list[int], channel: str, contacts: Callable[[list[int]], dict[int, Any]]
) -> Reach:
    """Three queries: the live customers, those consenting to marketing on ``channel``,
    the contacts of those consenting (``contacts``)."""
    live = Customer.objects.filter(pk__in=ids, merged_into__isnull=True)
    consenting = set(
        live.filter(consent_granted(Consent.Purpose.MARKETING, channel)).values_list(
            "pk", flat=True
        )
    )
    alive = set(live.values_list("pk", flat=True))
    return Reach(alive=alive, consenting=consenting, contacts=contacts(list(consenting)))


def campaign_finish_if_done(campaign: Campaign) -> None:
    """A sending campaign with nobody pending (nor waiting for an A/B winner) is sent.
    One whose A/B test is still running stays sending even when every recipient tested
    a variant (a small audience): its winner is still to be chosen, by the worker when
    the test is over or by a marketer ending it early."""
    if campaign.ab_decide_at is not None and campaign.ab_winner_id is None:
        return
    unfinished = (Recipient.Status.PENDING, Recipient.Status.WAITING)
    if not Recipient.objects.filter(campaign=campaign, status__in=unfinished).exists():
        Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, finished_at=timezone.now()
        )


class Sender:
    """One channel's side of ``ledger_walk``."""

    consent: str  # the Consent.Channel read for each batch
    missing: str  # the skip reason of a customer without a contact on the channel
    contact_field: str  # the Recipient field that keeps the contact
    failed_fields: tuple[str, ...] = ()  # what else a failed row keeps

    def __init__(self, campaign: Campaign):
        self.campaign = campaign

    def contacts(self, ids: list[int]) -> dict[int, Any]:
        raise NotImplementedError

    def batch_read(self, reach: Reach) -> None:
        """What the channel reads for the batch besides its reach (merge fields…)."""

    def refused(self, recipient: Recipient) -> str | None:
        """The channel's own reason to skip a reachable row (its contact set), if any."""
        return None

    def hand(self, recipient: Recipient) -> str:
        """Hand the message over (counting its attempts): "" or the error."""
        raise NotImplementedError

    def hand_all(
        self, recipients: list[Recipient], pace: Callable[[Recipient], None]
    ) -> Iterator[tuple[Recipient, str]]:
        """Hand a batch's messages over, in order, each after ``pace`` let it go (the
        rate); yields each recipient with ``hand``'s answer. One at a time here; a
        channel may keep several connections busy at once (``EmailSender``)."""
        for recipient in recipients:
            pace(recipient)
            yield recipient, self.hand(recipient)

    def sent(self, recipient: Recipient) -> None:
        """Ledger a message handed over (its row, timeline entry, event)."""
        raise NotImplementedError

    def failed(self, recipient: Recipient) -> None:
        """A message refused (its row is ledgered ``failed``): its failed timeline entry
        (``channels.failures``)."""

    def flush(self) -> None:
        """Ledger what ``sent`` kept back (end of a batch, and whatever broke)."""

    def close(self) -> None:
        pass


def ledger_walk(
    sender: Sender, *, rate: float | None, batch: int, limit: int | None
) -> dict[str, int]:
    """Send what is pending in the sender's campaign; the counts of this run. ``limit``
    is checked between batches."""
    campaign = sender.campaign
    rate = settings.PANORAMA_CAMPAIGN_RATE if rate is None else rate
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    first: float | None = None
    handed, last_id = 0, 0

    def pace(recipient: Recipient) -> None:
        # Message n goes no sooner than n / rate seconds after the first; the ledger's
        # sent_at is when it was handed over: its spread shows the pace kept.
        nonlocal first, handed
        if rate:
            if first is None:
                first = time.monotonic()
            wait = first + handed / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        handed += 1
        recipient.sent_at = timezone.now()

    try:
        while limit is None or handed < limit:
            rows = list(
                Recipient.objects.filter(
                    campaign=campaign,
                    group=Recipient.Group.TARGET,
                    status=Recipient.Status.PENDING,
                    pk__gt=last_id,
                ).order_by("pk")[:batch]
            )
            if not rows:
                break
            last_id = rows[-1].pk
            reach = reach_read([r.customer_id for r in rows], sender.consent, sender.contacts)
            sender.batch_read(reach)
            skipped: list[Recipient] = []
            ready: list[Recipient] = []
            for recipient in rows:
                reason = reach.reason(recipient.customer_id, sender.missing)
                if reason is None:
                    setattr(recipient, sender.contact_field, reach.contacts[recipient.customer_id])
                    reason = sender.refused(recipient)
                if reason is not None:
                    recipient.status, recipient.reason = Recipient.Status.SKIPPED, reason
                    skipped.append(recipient)
                    counts["skipped"] += 1
                else:
                    ready.append(recipient)
            for recipient, error in sender.hand_all(ready, pace):
                if error:
                    recipient.status, recipient.error = Recipient.Status.FAILED, error[:300]
                    recipient.save(
                        update_fields=[
                            "status",
                            "error",
                            "attempts",
                            sender.contact_field,
                            *sender.failed_fields,
                        ]
                    )
                    sender.failed(recipient)
                    counts["failed"] += 1
                else:
                    sender.sent(recipient)
                    counts["sent"] += 1
            sender.flush()
            # The skipped rows of the batch (their reason, the refused contact): one statement.
            objects_update(skipped, ["status", "reason", sender.contact_field])
    finally:
        sender.flush()  # what was handed over is ledgered, whatever broke
        sender.close()
    campaign_finish_if_done(campaign)
    return counts
