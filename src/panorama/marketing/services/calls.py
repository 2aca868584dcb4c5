"""Call lists: a campaign on the channel "call_list" is worked by the call centre's
agents. Each agent takes the next customer of the target group (one at a time: the row
is his until he records the outcome), reads the campaign's *argumentario* and records
what came of the call. The consent to marketing by phone and the number are read when
the customer is taken, not at launch.

Outcomes: reached and not interested end the row; interested ends it and opens a lead
for sales (the campaign's response path); call back keeps it for the same agent until
the time he gave; no answer puts it back in the queue (after the customers not tried
yet) until ``PANORAMA_CALL_ATTEMPTS`` tries, then ends it. Every call is a phone entry
on the customer's timeline."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import Consent, Identity
from panorama.customers.selectors import customers_visible_to

from ..models import Campaign, Recipient
from .ledger import campaign_finish_if_done, identities_first, reach_read

Outcome = Recipient.CallOutcome
FINAL = (Outcome.REACHED, Outcome.NOT_INTERESTED, Outcome.INTERESTED)


def call_attempts() -> int:
    return max(1, int(getattr(settings, "PANORAMA_CALL_ATTEMPTS", 3)))


def _working(campaign: Campaign) -> None:
    if campaign.channel != Campaign.Channel.CALL_LIST:
        raise ValidationFailed(_("This campaign is no call list."), field="channel")
    if campaign.status != Campaign.Status.SENDING:
        raise Conflict(
            _("This call list is not open: it is %(status)s.")
            % {"status": campaign.get_status_display().lower()},
            field="status",
        )


def call_current(*, by: User, campaign: Campaign) -> Recipient | None:
    """The call the agent holds now (taken, outcome not recorded yet), if any."""
    return (
        Recipient.objects.select_related("customer")
        .filter(
            campaign=campaign,
            agent=by,
            status=Recipient.Status.PENDING,
            callback_at__isnull=True,
        )
        .first()
    )


def callbacks(*, by: User, campaign: Campaign) -> list[Recipient]:
    """The agent's calls back in this list, soonest first."""
    return list(
        Recipient.objects.select_related("customer")
        .filter(
            campaign=campaign,
            agent=by,
            status=Recipient.Status.PENDING,
            callback_at__isnull=False,
        )
        .order_by("callback_at", "pk")
    )


@transaction.atomic
def call_next(*, by: User, campaign: Campaign) -> Recipient | None:
    """Give the agent his next customer: the call he already holds, else his first call
    back that is due, else the next one nobody holds (fewest tries first). A customer
    without consent to marketing by phone, or without a phone, is skipped in the ledger
    on the way. None when the list has nobody left for him."""
    ensure_can(by, "marketing.make_calls")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _working(campaign)
    held = call_current(by=by, campaign=campaign)
    if held is not None:
        return held
    now = timezone.now()
    base = Recipient.objects.filter(
        campaign=campaign, group=Recipient.Group.TARGET, status=Recipient.Status.PENDING
    ).filter(customer__in=customers_visible_to(by))
    due = base.filter(agent=by, callback_at__lte=now).order_by("callback_at", "pk").first()
    if due is not None:
        due.callback_at = None
        due.save(update_fields=["callback_at"])
        return Recipient.objects.select_related("customer").get(pk=due.pk)
    while True:
        rows = list(
            base.filter(agent__isnull=True)
            .select_for_update(of=("self",))
            .order_by("calls", "pk")[:20]
        )
        if not rows:
            campaign_finish_if_done(campaign)
            return None
        # Every row's customer is live (visible): the reason is no consent or no phone.
        reach = reach_read(
            [r.customer_id for r in rows],
            Consent.Channel.PHONE,
            lambda ids: identities_first(ids, Identity.Kind.PHONE),
        )
        for row in rows:
            reason = reach.reason(row.customer_id, Recipient.Reason.NO_PHONE)
            if reason is not None:
                row.status, row.reason = Recipient.Status.SKIPPED, reason
                row.save(update_fields=["status", "reason"])
                continue
            row.agent, row.phone = by, reach.contacts[row.customer_id]
            row.save(update_fields=["agent", "phone"])
            return Recipient.objects.select_related("customer").get(pk=row.pk)


@transaction.atomic
def call_outcome_record(
    *,
    by: User,
    campaign: Campaign,
    recipient_id: int,
    outcome: str,
    note: str = "",
    callback_at: datetime.datetime | None = None,
) -> Recipient:
    """What came of the agent's call: on the ledger row and the customer's timeline;
    "interested" opens a lead for sales."""
    ensure_can(by, "marketing.make_calls")
    campaign = Campaign.objects.get(pk=campaign.pk)
    _working(campaign)
    if outcome not in Outcome.values or outcome == Outcome.NONE:
        raise ValidationFailed(_("Choose what came of the call."), field="outcome")
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationFailed(_("A note has at most 2,000 characters."), field="note")
    recipient = (
        Recipient.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(campaign=campaign, pk=recipient_id)
        .first()
    )
    if (
        recipient is None
        or recipient.agent_id != by.pk
        or recipient.status != Recipient.Status.PENDING
    ):
        raise Conflict(
            _("This call is not yours to record: take the next customer of the list."),
            field="recipient_id",
        )
    now = timezone.now()
    if outcome == Outcome.CALL_BACK:
        if callback_at is None or callback_at <= now:
            raise ValidationFailed(
                _("Give a time to call back, later than now."), field="callback_at"
            )
        if callback_at > now + datetime.timedelta(days=90):
            raise ValidationFailed(_("Call back within 90 days."), field="callback_at")
    recipient.calls += 1
    recipient.call_outcome, recipient.called_at = outcome, now
    recipient.callback_at = callback_at if outcome == Outcome.CALL_BACK else None
    if outcome in FINAL:
        recipient.status = Recipient.Status.CALLED
    elif outcome == Outcome.NO_ANSWER:
        if recipient.calls >= call_attempts():
            recipient.status = Recipient.Status.CALLED
        else:
            recipient.agent = None  # back in the queue, after those not tried yet
    if recipient.status == Recipient.Status.CALLED and recipient.sent_at is None:
        recipient.sent_at = now
    recipient.save(
        update_fields=[
            "calls",
            "call_outcome",
            "called_at",
            "callback_at",
            "status",
            "agent",
            "sent_at",
        ]
    )
    label = Outcome(outcome).label
    interaction_record(
        customer_id=recipient.customer_id,
        by=by,
        agent=by,
        channel="phone",
        direction="outbound",
        subject=(_("Campaign call: %(name)s") % {"name": campaign.name})[:200],
        body=note,
        outcome=str(label)[:100],
        related=recipient,
        metadata={"campaign_id": campaign.pk, "call_outcome": outcome, "number": recipient.phone},
    )
    emit(
        "campaign.called",
        campaign_id=campaign.pk,
        customer_id=recipient.customer_id,
        recipient_id=recipient.pk,
        outcome=outcome,
        by=by.pk,
    )
    if outcome == Outcome.INTERESTED and recipient.responded_at is None:
        from .campaigns import campaign_response_record

        campaign_response_record(
            by=by, campaign=campaign, customer_id=recipient.customer_id, note=note
        )
        recipient.refresh_from_db()
    campaign_finish_if_done(campaign)
    return recipient
