"""SMS campaigns: the same message templates, rendered as plain text in the customer's
language, sent one by one through the channels' messaging account (its provider, its
``TextMessage`` and timeline entry), with the consent to marketing by SMS read for each
batch at send time. The ledger row keeps the number and the outcome; the timeline entry
the adapter writes is tied to the row."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.models import Interaction
from panorama.channels.services import interaction_metadata_merge
from panorama.channels.sms.services import MAX_BODY, message_send
from panorama.core.events import emit
from panorama.core.exceptions import DomainError
from panorama.customers.models import Consent, Identity

from .. import messages
from ..models import Campaign, Recipient
from .ledger import Reach, Sender, identities_first, ledger_walk
from .links import public_url, token_make
from .sending import customer_context

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


def _tie(recipient: Recipient, interaction_id: int | None, campaign: Campaign) -> None:
    """The adapter's timeline entry names the campaign and points at the ledger row."""
    if interaction_id:
        Interaction.objects.filter(pk=interaction_id).update(
            subject=(_("Campaign SMS: %(name)s") % {"name": campaign.name})[:200],
            related_type=ContentType.objects.get_for_model(Recipient),
            related_id=recipient.pk,
        )


class SmsSender(Sender):
    """Texts one by one through the campaign's messaging account (its adapter writes the
    ``TextMessage`` and the timeline entry); each sent row ledgered at once."""

    consent, contact_field = Consent.Channel.SMS, "phone"
    missing = Recipient.Reason.NO_PHONE

    def __init__(self, campaign: Campaign):
        super().__init__(campaign)
        self.compiled = messages.Compiled(campaign.template)
        self.interaction_id: int | None = None

    def contacts(self, ids: list[int]) -> dict[int, str]:
        return identities_first(ids, Identity.Kind.PHONE)

    def batch_read(self, reach: Reach) -> None:
        self.contexts = customer_context(reach.consenting, compiled=[self.compiled])

    def hand(self, recipient: Recipient) -> str:
        unsubscribe = public_url("marketing:unsubscribe", token_make(recipient.pk, "unsubscribe"))
        text = sms_text(self.compiled, self.contexts[recipient.customer_id], unsubscribe)
        recipient.attempts += 1
        account_id = self.campaign.sms_account_id
        try:
            if account_id is None:
                raise DomainError(_("Choose the active SMS account the texts go out from."))
            if len(text) > MAX_BODY:
                raise DomainError(
                    _("The text has %(n)s characters, more than %(max)s.")
                    % {"n": len(text), "max": MAX_BODY}
                )
            message = message_send(
                by=None,
                customer_id=recipient.customer_id,
                account_id=account_id,
                body=text,
                number=recipient.phone,
            )
        except DomainError as exc:
            failed = getattr(exc, "failed", None)  # MessageRefused: its failed entry
            self.interaction_id = failed.interaction_id if failed is not None else None
            return str(exc.message)
        self.interaction_id = message.interaction_id
        return ""

    def failed(self, recipient: Recipient) -> None:
        """The refused text's failed entry (the adapter's) names the campaign too."""
        if self.interaction_id:
            _tie(recipient, self.interaction_id, self.campaign)
            interaction_metadata_merge(
                interaction_id=self.interaction_id,
                values={
                    "source": "campaign",
                    "source_name": self.campaign.name[:200],
                    "source_id": self.campaign.pk,
                    "campaign_id": self.campaign.pk,
                },
            )
            self.interaction_id = None

    def sent(self, recipient: Recipient) -> None:
        with transaction.atomic():
            recipient.status = Recipient.Status.SENT
            recipient.sent_at = recipient.sent_at or timezone.now()
            recipient.save(update_fields=["status", "sent_at", "attempts", "phone"])
            _tie(recipient, self.interaction_id, self.campaign)
            emit(
                "campaign.sent",
                campaign_id=self.campaign.pk,
                customer_id=recipient.customer_id,
                recipient_id=recipient.pk,
            )


def campaign_send_sms(
    *, campaign: Campaign, rate: float | None = None, batch: int = BATCH, limit: int | None = None
) -> dict[str, int]:
    """Send what is pending in an SMS campaign's ledger (resumable, like the e-mails)."""
    return ledger_walk(SmsSender(campaign), rate=rate, batch=batch, limit=limit)
