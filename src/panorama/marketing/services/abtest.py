"""A/B tests of a campaign: two variants or more (each its own message, or the same
message with another subject), a test share of the target group, a winner metric (the
open or the click rate) and a wait.

At launch, ``ab_percent`` % of the target group is drawn from the campaign's seed and
each customer's id (the same customers, and the same variant for each, whenever it is
drawn again) and sent its variant at once; the rest of the target group waits
("waiting"). When ``ab_decide_at`` has come, the worker's sweep picks the variant with
the best rate (opens or clicks over messages sent; a tie goes to the first label) and
sends it to everyone waiting. The control group is drawn first and is never part of
the test."""

import datetime
import hashlib

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed

from .. import messages
from ..models import Campaign, CampaignVariant, MessageTemplate, Recipient

MAX_VARIANTS = 5
METRICS = ("opens", "clicks")


def ab_slot(seed: int, customer_id: int, percent: int, variants: int) -> int | None:
    """The variant (its index) this customer tests, or None when he waits for the
    winner: reproducible from the seed, like the control group's draw."""
    digest = hashlib.sha256(f"{seed}:ab:{customer_id}".encode()).digest()
    if int.from_bytes(digest[:4], "big") % 10_000 >= percent * 100:
        return None
    return int.from_bytes(digest[4:8], "big") % variants


def _draft(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("Only a draft campaign's A/B test can be changed."), field="status")


@transaction.atomic
def variant_save(
    *,
    by: User | None,
    campaign: Campaign,
    label: str,
    template: MessageTemplate | int | None,
    subject: str = "",
    variant: CampaignVariant | None = None,
) -> CampaignVariant:
    """Add a variant to a draft campaign (or change one); its subject's merge fields are
    checked now, with the field named."""
    ensure_can(by, "marketing.send_campaigns")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _draft(campaign)
    label = " ".join((label or "").split())
    if not label:
        raise ValidationFailed(_("A variant needs a label (A, B…)."), field="label")
    if len(label) > 20:
        raise ValidationFailed(_("A variant's label is 20 characters at most."), field="label")
    subject = " ".join((subject or "").split())
    if len(subject) > 200:
        raise ValidationFailed(_("A subject is 200 characters at most."), field="subject")
    if not isinstance(template, MessageTemplate):
        found = (
            MessageTemplate.objects.filter(pk=template).first()
            if isinstance(template, int) and 0 < template < 2**63
            else None
        )
        if found is None:
            raise ValidationFailed(_("Choose the variant's message."), field="template")
        template = found
    others = CampaignVariant.objects.filter(campaign=campaign)
    if variant is not None:
        others = others.exclude(pk=variant.pk)
    if others.filter(label__iexact=label).exists():
        raise ValidationFailed(
            _("The campaign already has a variant %(label)s.") % {"label": label}, field="label"
        )
    if variant is None and others.count() >= MAX_VARIANTS:
        raise ValidationFailed(
            _("A campaign tests %(n)s variants at most.") % {"n": MAX_VARIANTS}, field="label"
        )
    variant = variant or CampaignVariant(campaign=campaign)
    variant.label, variant.template, variant.subject = label, template, subject
    from .sending import variant_template

    try:
        messages.Compiled(variant_template(variant))
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, field="subject" if subject else "template") from exc
    variant.save()
    return variant


@transaction.atomic
def variant_remove(*, by: User | None, variant: CampaignVariant) -> None:
    ensure_can(by, "marketing.send_campaigns")
    _draft(Campaign.objects.select_for_update().get(pk=variant.campaign_id))
    variant.delete()


def ab_check(campaign: Campaign) -> None:
    """The campaign's A/B settings (called by ``campaign_save``)."""
    if not 0 <= (campaign.ab_percent or 0) <= 50:
        raise ValidationFailed(
            _("The A/B test share is between 0% and 50% of the target group."),
            field="ab_percent",
        )
    if campaign.ab_percent and campaign.ab_metric not in METRICS:
        raise ValidationFailed(_("The winner is chosen by opens or by clicks."), field="ab_metric")
    if not 1 <= (campaign.ab_wait_hours or 0) <= 336:
        raise ValidationFailed(
            _("The A/B test lasts between 1 hour and 14 days."), field="ab_wait_hours"
        )


def ab_variants_for_launch(campaign: Campaign) -> list[CampaignVariant]:
    """The variants to draw (empty when the campaign is not A/B tested); refuses a test
    without two variants."""
    if not campaign.ab_percent:
        return []
    variants = list(CampaignVariant.objects.filter(campaign=campaign).order_by("label", "pk"))
    if len(variants) < 2:
        raise ValidationFailed(
            _("An A/B test needs two variants or more (add them on the campaign's page)."),
            field="ab_percent",
        )
    for variant in variants:  # a message broken since the variant was saved
        from .sending import variant_template

        messages.Compiled(variant_template(variant))
    return variants


def ab_due(now: datetime.datetime | None = None) -> list[int]:
    """A/B-tested campaigns whose test is over and whose winner is not chosen yet."""
    now = now or timezone.now()
    return list(
        Campaign.objects.filter(
            status__in=[Campaign.Status.SENDING, Campaign.Status.SCHEDULED],
            ab_percent__gt=0,
            ab_winner__isnull=True,
            ab_decide_at__lte=now,
        ).values_list("pk", flat=True)
    )


def variant_figures(campaign: Campaign) -> list[dict]:
    """Each variant's test figures (one query): sent, opened, clicked and their rates."""
    sent_q = Q(recipients__status__in=[Recipient.Status.SENT, Recipient.Status.BOUNCED])
    test_q = Q(recipients__ab_tested=True)
    rows = (
        CampaignVariant.objects.filter(campaign=campaign)
        .select_related("template")
        .annotate(
            sent=Count("recipients", filter=sent_q & test_q),
            opened=Count(
                "recipients", filter=sent_q & test_q & Q(recipients__opened_at__isnull=False)
            ),
            clicked=Count(
                "recipients", filter=sent_q & test_q & Q(recipients__clicked_at__isnull=False)
            ),
            total=Count("recipients", filter=sent_q),
        )
        .order_by("label", "pk")
    )
    out = []
    for v in rows:
        out.append(
            {
                "variant": v,
                "id": v.pk,
                "label": v.label,
                "template": v.template.name,
                "subject": v.subject,
                "sent": v.sent,
                "opened": v.opened,
                "clicked": v.clicked,
                "open_rate": v.opened / v.sent if v.sent else 0.0,
                "click_rate": v.clicked / v.sent if v.sent else 0.0,
                "sent_total": v.total,
                "winner": v.pk == campaign.ab_winner_id,
            }
        )
    return out


@transaction.atomic
def ab_decide(
    *, campaign_id: int, by: User | None = None, now: datetime.datetime | None = None
) -> CampaignVariant:
    """Choose the winner and queue it for everyone waiting. The worker calls it when
    the test is over; a marketer (``by``) may end the test early."""
    if by is not None:
        ensure_can(by, "marketing.send_campaigns")
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if not campaign.ab_percent or campaign.status not in (
        Campaign.Status.SENDING,
        Campaign.Status.SCHEDULED,
    ):
        raise Conflict(_("This campaign has no A/B test running."), field="status")
    if campaign.ab_winner_id is not None:
        raise Conflict(_("The A/B test's winner is already chosen."), field="status")
    if by is None and (campaign.ab_decide_at is None or campaign.ab_decide_at > now):
        raise Conflict(_("The A/B test is not over yet."), field="status")
    if campaign.ab_decide_at is None or campaign.ab_decide_at > now:
        campaign.ab_decide_at = now  # ended early: the figures are the ones until now
    key = "open_rate" if campaign.ab_metric == "opens" else "click_rate"
    figures = variant_figures(campaign)
    # Highest rate; a tie goes to the first label (the list is in label order).
    best = max(figures, key=lambda f: (f[key], -figures.index(f)))
    winner = best["variant"]
    campaign.ab_winner = winner
    campaign.save(update_fields=["ab_winner", "ab_decide_at"])
    Recipient.objects.filter(campaign=campaign, status=Recipient.Status.WAITING).update(
        status=Recipient.Status.PENDING, variant=winner
    )
    emit(
        "campaign.ab_decided",
        campaign_id=campaign.pk,
        variant_id=winner.pk,
        label=winner.label,
        metric=campaign.ab_metric,
    )
    if campaign.status == Campaign.Status.SENDING:
        from ..tasks import campaign_send_task

        transaction.on_commit(lambda: campaign_send_task.enqueue(campaign.pk))
    return winner
