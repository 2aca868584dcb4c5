"""Campaigns: design, launch (audience drawn, control group held back), responses and
conversions."""

import datetime
import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import MessagingAccount
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Consent, Customer, Identity
from panorama.sales.models import Script

from ..models import Campaign, MessageTemplate, Recipient, Segment, StaticList
from ..rules import consent_granted
from ..selectors import list_customers, segment_customers

EDITABLE = (
    "name",
    "objective",
    "channel",
    "programme",
    "segment",
    "static_list",
    "template",
    "sms_account",
    "script",
    "control_percent",
    "offer_product_code",
    "budget",
    "cost",
    "scheduled_at",
    "ab_percent",
    "ab_metric",
    "ab_wait_hours",
)


# The consent a channel's campaign needs: marketing on that channel (or on "any").
CONSENT_CHANNEL = {
    Campaign.Channel.EMAIL: Consent.Channel.EMAIL,
    Campaign.Channel.SMS: Consent.Channel.SMS,
    Campaign.Channel.CALL_LIST: Consent.Channel.PHONE,
    Campaign.Channel.DIRECT_MAIL: Consent.Channel.POST,
    Campaign.Channel.BANNER: Consent.Channel.ANY,
}
# The timeline channel of what the customer does in answer to the campaign.
TIMELINE_CHANNEL = {
    Campaign.Channel.EMAIL: "email",
    Campaign.Channel.SMS: "sms",
    Campaign.Channel.CALL_LIST: "phone",
}


def consent_channel(campaign: Campaign) -> str:
    return CONSENT_CHANNEL[Campaign.Channel(campaign.channel)]


def in_control(seed: int, customer_id: int, percent: int) -> bool:
    """Reproducible draw: the same seed and customer always land in the same group."""
    digest = hashlib.sha256(f"{seed}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def _check(campaign: Campaign) -> None:
    if not campaign.name.strip():
        raise ValidationFailed(_("A campaign needs a name."), field="name")
    if campaign.segment_id and campaign.static_list_id:
        raise ValidationFailed(_("Target a segment or a list, not both."), field="static_list")
    if not 0 <= campaign.control_percent <= 50:
        raise ValidationFailed(
            _("The control group is between 0% and 50% of the audience."), field="control_percent"
        )
    for field in ("budget", "cost"):
        amount = getattr(campaign, field)
        if amount is None or not Decimal(amount).is_finite() or amount < 0:
            raise ValidationFailed(_("An amount cannot be negative."), field=field)
    if campaign.channel not in Campaign.Channel.values:
        raise ValidationFailed(
            _("Unknown channel %(c)s.") % {"c": campaign.channel}, field="channel"
        )
    if campaign.programme not in Campaign.Programme.values:
        raise ValidationFailed(
            _("Unknown programme %(p)s.") % {"p": campaign.programme}, field="programme"
        )
    if campaign.ab_percent and campaign.channel != Campaign.Channel.EMAIL:
        raise ValidationFailed(
            _("Only e-mail campaigns are A/B tested: set the test share to 0."),
            field="ab_percent",
        )
    from .abtest import ab_check

    ab_check(campaign)
    rules_for(Campaign).check(campaign)


@transaction.atomic
def campaign_save(
    *, by: User | None, campaign: Campaign | None = None, changes: dict[str, Any]
) -> Campaign:
    """Create a campaign (a draft) or change a draft's design."""
    ensure_can(by, "marketing.send_campaigns")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("Unknown field %(f)s.") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0]
        )
    if campaign is None:
        campaign = Campaign(
            owner=by,
            control_seed=int.from_bytes(
                hashlib.sha256(str(timezone.now().timestamp()).encode()).digest()[:3], "big"
            ),
        )
    elif campaign.status not in (Campaign.Status.DRAFT,):
        raise Conflict(_("Only a draft campaign can be changed."), field="status")
    for field, value in changes.items():
        if field in ("segment", "static_list", "template", "sms_account", "script"):
            model: dict[str, Any] = {
                "segment": Segment,
                "static_list": StaticList,
                "template": MessageTemplate,
                "sms_account": MessagingAccount,
                "script": Script,
            }
            if value is not None and not isinstance(value, model[field]):
                found = model[field].objects.filter(pk=value).first()
                if found is None:
                    raise ValidationFailed(
                        _("There is no %(what)s %(id)s.")
                        % {"what": model[field]._meta.verbose_name, "id": value},
                        field=field,
                    )
                value = found
        if field in ("budget", "cost") and value is not None:
            value = Decimal(str(value))
        setattr(
            campaign,
            field,
            value if value is not None or field not in ("budget", "cost") else Decimal(0),
        )
    campaign.name = (campaign.name or "").strip()
    _check(campaign)
    campaign.save()
    return campaign


def _audience(campaign: Campaign, by: User | None):
    if campaign.segment is not None:
        return segment_customers(user=by, rules=campaign.segment.rules)
    if campaign.static_list is not None:
        return list_customers(user=by, static_list=campaign.static_list)
    raise ValidationFailed(_("Choose a target segment or list."), field="segment")


def audience_summary(*, campaign: Campaign, by: User | None) -> dict[str, int]:
    """How many customers the campaign would reach now, and how many consent to
    marketing on its channel."""
    audience = _audience(campaign, by)
    return {
        "audience": audience.count(),
        "consenting": audience.filter(
            consent_granted(Consent.Purpose.MARKETING, consent_channel(campaign))
        ).count(),
    }


@transaction.atomic
def campaign_launch(*, by: User | None, campaign: Campaign) -> dict[str, int]:
    """Draw the audience into the ledger (target and control groups) and queue the
    sending, now or at ``scheduled_at``."""
    ensure_can(by, "marketing.send_campaigns")
    campaign = (
        # of=self: PostgreSQL refuses to lock the nullable side of the outer joins.
        Campaign.objects.select_for_update(of=("self",))
        .select_related("segment", "static_list", "template", "sms_account")
        .get(pk=campaign.pk)
    )
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("This campaign was already launched."), field="status")
    channel = campaign.channel
    # A portal banner is drawn like the others and shown from launch (or its scheduled
    # time) to its target group's customers who sign in (services/banners.py).
    if channel in (Campaign.Channel.EMAIL, Campaign.Channel.SMS, Campaign.Channel.BANNER):
        if campaign.template_id is None:
            raise ValidationFailed(_("Choose the message to send."), field="template")
        from .. import messages

        messages.Compiled(campaign.template)  # a template broken since it was saved
    if channel == Campaign.Channel.SMS:
        account = campaign.sms_account
        if account is None or not account.active or account.kind != MessagingAccount.Kind.SMS:
            raise ValidationFailed(
                _("Choose the active SMS account the texts go out from."), field="sms_account"
            )
    audience = _audience(campaign, by)
    summary = audience_summary(campaign=campaign, by=by)
    if not summary["audience"]:
        raise ValidationFailed(_("The target has no customers."), field="segment")
    if not summary["consenting"]:
        raise ValidationFailed(
            _(
                "None of the %(n)s customers targeted has consented to marketing on "
                "%(channel)s: nothing would be sent."
            )
            % {
                "n": summary["audience"],
                "channel": Consent.Channel(consent_channel(campaign)).label,
            },
            field="segment",
        )
    from .abtest import ab_slot, ab_variants_for_launch

    variants = ab_variants_for_launch(campaign)
    target = control = 0
    batch: list[Recipient] = []
    for customer_id in audience.order_by("pk").values_list("pk", flat=True).iterator(5000):
        held = in_control(campaign.control_seed, customer_id, campaign.control_percent)
        control += held
        target += not held
        status, variant = (Recipient.Status.HELD if held else Recipient.Status.PENDING), None
        if variants and not held:
            slot = ab_slot(campaign.control_seed, customer_id, campaign.ab_percent, len(variants))
            if slot is None:
                status = Recipient.Status.WAITING  # gets the winner after the test
            else:
                variant = variants[slot]
        batch.append(
            Recipient(
                campaign=campaign,
                customer_id=customer_id,
                group=Recipient.Group.CONTROL if held else Recipient.Group.TARGET,
                status=status,
                variant=variant,
                ab_tested=variant is not None,
            )
        )
        if len(batch) >= 5000:
            Recipient.objects.bulk_create(batch)
            batch = []
    Recipient.objects.bulk_create(batch)
    now = timezone.now()
    later = campaign.scheduled_at is not None and campaign.scheduled_at > now
    campaign.status = Campaign.Status.SCHEDULED if later else Campaign.Status.SENDING
    campaign.launched_at = now
    if variants:
        start = campaign.scheduled_at if later and campaign.scheduled_at else now
        campaign.ab_decide_at = start + datetime.timedelta(hours=campaign.ab_wait_hours)
    campaign.save(update_fields=["status", "launched_at", "ab_decide_at"])
    emit(
        "campaign.launched",
        campaign_id=campaign.pk,
        target=target,
        control=control,
        by=by.pk if by else None,
    )
    if not later and channel in (Campaign.Channel.EMAIL, Campaign.Channel.SMS):
        from ..tasks import campaign_send_task

        campaign_id = campaign.pk
        transaction.on_commit(lambda: campaign_send_task.enqueue(campaign_id))
    return {"target": target, "control": control}


def campaigns_due(now: datetime.datetime | None = None) -> list[int]:
    """Scheduled campaigns whose time has come (the worker's sweep queues them)."""
    now = now or timezone.now()
    return list(
        Campaign.objects.filter(
            status=Campaign.Status.SCHEDULED, scheduled_at__lte=now
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def campaign_cancel(*, by: User | None, campaign: Campaign) -> Campaign:
    ensure_can(by, "marketing.send_campaigns")
    if campaign.status in (Campaign.Status.SENT, Campaign.Status.CANCELLED):
        raise Conflict(_("This campaign is over: nothing to cancel."), field="status")
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
    skipped = Recipient.objects.filter(
        campaign=campaign, status__in=[Recipient.Status.PENDING, Recipient.Status.WAITING]
    ).update(status=Recipient.Status.SKIPPED, reason="")
    campaign.status = Campaign.Status.CANCELLED
    emit("campaign.cancelled", campaign_id=campaign.pk, skipped=skipped, by=by.pk if by else None)
    return campaign


def recipient_get(*, by: User | None, campaign: Campaign, customer_id: int) -> Recipient:
    from panorama.customers.selectors import customer_get

    if not 0 < customer_id < 2**63:
        raise ValidationFailed(
            _("There is no customer %(ids)s.") % {"ids": customer_id}, field="customer_id"
        )
    customer_get(user=by, customer_id=customer_id)  # the scope: 404 outside it
    recipient = Recipient.objects.filter(campaign=campaign, customer_id=customer_id).first()
    if recipient is None:
        raise ValidationFailed(
            _("This customer was not in the campaign's audience."), field="customer_id"
        )
    return recipient


RESPONSE_BECOMES = ("lead", "opportunity")


@transaction.atomic
def campaign_response_record(
    *,
    by: User | None,
    campaign: Campaign,
    customer_id: int,
    note: str = "",
    becomes: str = "lead",
) -> Recipient:
    """The customer answered the campaign: a lead for sales (through its lead service) or,
    with ``becomes="opportunity"``, an opportunity for this known customer in the default
    pipeline (through sales' opportunity service), kept on the ledger row so the results
    count it as a conversion, with its amount as revenue, once it is won. On his timeline.
    Once per customer and campaign (a second answer is a conflict)."""
    ensure_can(by, "marketing.record_response")
    if becomes not in RESPONSE_BECOMES:
        raise ValidationFailed(_("A response becomes a lead or an opportunity."), field="becomes")
    recipient = recipient_get(by=by, campaign=campaign, customer_id=customer_id)
    if recipient.responded_at is not None:
        raise Conflict(_("This customer's response is already recorded."), field="customer_id")
    customer = Customer.objects.get(pk=customer_id)
    if becomes == "opportunity":
        from panorama.sales.services.opportunity import opportunity_create

        opportunity = opportunity_create(
            by=by,
            customer_id=customer.pk,
            name=_("%(campaign)s: %(customer)s")
            % {"campaign": campaign.name, "customer": customer.display_name},
            owner=customer.owner or by,
        )
        recipient.opportunity_id = opportunity.pk
    else:
        recipient.lead_id = _response_lead(by, campaign, customer, note).pk
    recipient.responded_at = timezone.now()
    recipient.save(update_fields=["responded_at", "lead_id", "opportunity_id"])
    sales_ref: dict[str, int | None] = (
        {"lead_id": recipient.lead_id}
        if recipient.lead_id
        else {"opportunity_id": recipient.opportunity_id}
    )
    interaction_record(
        customer_id=customer.pk,
        by=None,
        channel=TIMELINE_CHANNEL.get(Campaign.Channel(campaign.channel), "note"),
        direction="inbound",
        subject=_("Answered the campaign %(name)s") % {"name": campaign.name},
        body=note,
        outcome="responded",
        agent=by,
        related=recipient,
        metadata={"campaign_id": campaign.pk, **sales_ref},
    )
    emit(
        "campaign.responded",
        campaign_id=campaign.pk,
        customer_id=customer.pk,
        recipient_id=recipient.pk,
        lead_id=recipient.lead_id,
        opportunity_id=recipient.opportunity_id,
        by=by.pk if by else None,
    )
    return recipient


def _response_lead(by: User | None, campaign: Campaign, customer: Customer, note: str) -> Any:
    from panorama.sales.models import Lead
    from panorama.sales.services.lead import lead_create

    email = (
        Identity.objects.filter(customer=customer, kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    source = {
        Campaign.Channel.EMAIL: Lead.Source.EMAIL,
        Campaign.Channel.CALL_LIST: Lead.Source.PHONE,
    }.get(Campaign.Channel(campaign.channel), Lead.Source.MANUAL)
    return lead_create(
        by=by,
        source=source,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.legal_name,
        email=email or "",
        notes=(_("Response to the campaign %(name)s.") % {"name": campaign.name})
        + (f"\n{note}" if note else ""),
        data={"campaign_id": campaign.pk, "customer_id": customer.pk},
        owner=customer.owner,
        team=customer.team,
    )


@transaction.atomic
def campaign_conversion_record(
    *, by: User | None, campaign: Campaign, customer_id: int, revenue: Decimal
) -> Recipient:
    """The customer bought (target or control group: both count for the uplift)."""
    ensure_can(by, "marketing.record_response")
    recipient = recipient_get(by=by, campaign=campaign, customer_id=customer_id)
    revenue = Decimal(str(revenue))
    if not revenue.is_finite() or revenue < 0:
        raise ValidationFailed(_("The revenue cannot be negative."), field="revenue")
    recipient.converted_at = recipient.converted_at or timezone.now()
    recipient.revenue = revenue
    rules_for(Recipient).check(recipient)
    recipient.save(update_fields=["converted_at", "revenue"])
    emit(
        "campaign.converted",
        campaign_id=campaign.pk,
        customer_id=customer_id,
        recipient_id=recipient.pk,
        revenue=str(revenue),
        by=by.pk if by else None,
    )
    return recipient
