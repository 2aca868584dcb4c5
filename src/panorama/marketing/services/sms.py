"""SMS campaigns: the same message templates, rendered as plain text in the customer's
language, sent one by one through the channels' messaging account (its provider, its
``TextMessage`` and timeline entry), with the consent to marketing by SMS read for each
batch at send time. The ledger row keeps the number and the outcome; the timeline entry
the adapter writes is tied to the row."""

import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.models import Interaction
from panorama.channels.sms.services import MAX_BODY, message_send
from panorama.core.events import emit
from panorama.core.exceptions import DomainError
from panorama.customers.models import Consent, Customer, Identity

from .. import messages
from ..models import Campaign, Recipient
from ..rules import consent_granted
from .sending import customer_context, public_url, token_make

BATCH = 200
# GSM 03.38: the basic set (one septet each) and its extension (two septets each). A
# text with any other character (á, í, ó, ú, emoji) goes as UCS-2: 70 characters a part.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_length(text: str) -> dict:
    """How the text travels: its encoding (``gsm`` or ``ucs2``), its length in that
    encoding's units and how many SMS parts it takes (160/153 GSM, 70/67 UCS-2)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "gsm"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "ucs2"
    segments = 1 if units <= single else -(-units // part)
    return {"characters": len(text), "units": units, "segments": segments, "encoding": encoding}


def sms_text(compiled: messages.Compiled, context: dict, unsubscribe_url: str) -> str:
    """The message's body as the SMS text (the subject is not sent)."""
    return compiled.render(context | {"unsubscribe_url": unsubscribe_url}).body


def _phones(ids: list[int]) -> dict[int, str]:
    phones: dict[int, str] = {}
    for cid, value in (
        Identity.objects.filter(customer_id__in=ids, kind=Identity.Kind.PHONE)
        .order_by("-is_primary", "id")
        .values_list("customer_id", "value")
    ):
        phones.setdefault(cid, value)
    return phones


def _tie(recipient: Recipient, interaction_id: int | None, campaign: Campaign) -> None:
    """The adapter's timeline entry names the campaign and points at the ledger row."""
    if interaction_id:
        Interaction.objects.filter(pk=interaction_id).update(
            subject=(_("Campaign SMS: %(name)s") % {"name": campaign.name})[:200],
            related_type=ContentType.objects.get_for_model(Recipient),
            related_id=recipient.pk,
        )


def campaign_send_sms(
    *, campaign: Campaign, rate: float | None = None, batch: int = BATCH, limit: int | None = None
) -> dict[str, int]:
    """Send what is pending in an SMS campaign's ledger (resumable, like the e-mails)."""
    account_id = campaign.sms_account_id
    rate = settings.PANORAMA_CAMPAIGN_RATE if rate is None else rate
    compiled = messages.Compiled(campaign.template)
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    started, handed, last_id = time.monotonic(), 0, 0
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
        ids = [r.customer_id for r in rows]
        live = Customer.objects.filter(pk__in=ids, merged_into__isnull=True)
        consenting = set(
            live.filter(
                consent_granted(Consent.Purpose.MARKETING, Consent.Channel.SMS)
            ).values_list("pk", flat=True)
        )
        alive = set(live.values_list("pk", flat=True))
        phones = _phones(ids)
        contexts = customer_context(consenting)
        for recipient in rows:
            cid = recipient.customer_id
            reason = (
                Recipient.Reason.MERGED
                if cid not in alive
                else Recipient.Reason.NO_CONSENT
                if cid not in consenting
                else Recipient.Reason.NO_PHONE
                if cid not in phones
                else None
            )
            if reason is not None:
                recipient.status, recipient.reason = Recipient.Status.SKIPPED, reason
                recipient.save(update_fields=["status", "reason"])
                counts["skipped"] += 1
                continue
            unsubscribe = public_url(
                "marketing:unsubscribe", token_make(recipient.pk, "unsubscribe")
            )
            text = sms_text(compiled, contexts[cid], unsubscribe)
            recipient.phone = phones[cid]
            recipient.attempts += 1
            if rate:
                wait = started + handed / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            handed += 1
            try:
                if account_id is None:
                    raise DomainError(_("Choose the active SMS account the texts go out from."))
                if len(text) > MAX_BODY:
                    raise DomainError(
                        _("The text has %(n)s characters, more than %(max)s.")
                        % {"n": len(text), "max": MAX_BODY}
                    )
                message = message_send(
                    by=None, customer_id=cid, account_id=account_id, body=text, number=phones[cid]
                )
            except DomainError as exc:
                recipient.status, recipient.error = Recipient.Status.FAILED, str(exc.message)[:300]
                recipient.save(update_fields=["status", "error", "attempts", "phone"])
                counts["failed"] += 1
                continue
            with transaction.atomic():
                recipient.status, recipient.sent_at = Recipient.Status.SENT, timezone.now()
                recipient.save(update_fields=["status", "sent_at", "attempts", "phone"])
                _tie(recipient, message.interaction_id, campaign)
                emit(
                    "campaign.sent",
                    campaign_id=campaign.pk,
                    customer_id=cid,
                    recipient_id=recipient.pk,
                )
            counts["sent"] += 1
    unfinished = (Recipient.Status.PENDING, Recipient.Status.WAITING)
    if not Recipient.objects.filter(campaign=campaign, status__in=unfinished).exists():
        Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, finished_at=timezone.now()
        )
    return counts
