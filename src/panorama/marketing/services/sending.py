"""Sending a campaign: batch by batch, in the background, through Django's mail (the
``EMAIL_URL`` server), throttled, retried, one ledger row per recipient.

Consent is checked for each batch at the moment it is sent, not when the campaign was
launched: a customer who unsubscribed a minute ago is skipped ("no_consent"). A message
is handed to the server first and its row marked "sent" just after, 25 rows per
transaction: if the worker dies in between, those messages can go out twice when the
campaign resumes (at least once, never lost)."""

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.channels.failures import failure_fields
from panorama.channels.services import interactions_record
from panorama.core.bulk_update import objects_update
from panorama.core.events import emit_many
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Address, Consent, Customer, Holding, Identity

from .. import messages
from ..models import Campaign, CampaignVariant, MessageTemplate, Recipient
from .bounces import suppressed_among
from .handover import Handover
from .ledger import Reach, Sender, identities_first, ledger_walk
from .links import public_route, public_url, token_make, token_timestamp
from .mime import Envelope, PreparedEmail

BATCH = 200
# Messages ledgered per transaction: a worker dying between the server's acceptance and
# the commit can send at most this many twice when the campaign resumes.
COMMIT_EVERY = 25
_URL = re.compile(r"https?://[^\s<>\"')]+")


def customer_context(
    ids: Iterable[int], *, compiled: Iterable[messages.Compiled] = ()
) -> dict[int, dict[str, Any]]:
    """Each customer's merge fields: three queries for the whole batch, plus one per
    segment and one per consent the ``compiled`` templates' conditions test."""
    ids = list(ids)
    segments, consents = _tested_memberships(ids, list(compiled))
    products: dict[int, list[str]] = defaultdict(list)
    categories: dict[int, list[str]] = defaultdict(list)
    for cid, code, category in Holding.objects.filter(
        customer_id__in=ids, status=Holding.Status.ACTIVE
    ).values_list("customer_id", "product_code", "category"):
        products[cid].append(code)
        if category:
            categories[cid].append(category)
    cities: dict[int, str] = {}
    for cid, city in (
        Address.objects.filter(customer_id__in=ids)
        .order_by("-is_primary", "id")
        .values_list("customer_id", "city")
    ):
        cities.setdefault(cid, city)
    return {
        customer.pk: messages.context_for(
            customer,
            products=products[customer.pk],
            categories=categories[customer.pk],
            city=cities.get(customer.pk, ""),
            segments=[name for name, members in segments.items() if customer.pk in members],
            consents=[key for key, members in consents.items() if customer.pk in members],
        )
        # The columns ``context_for`` reads, not the customer's 19.
        for customer in Customer.objects.filter(pk__in=ids).only(*messages.CONTEXT_FIELDS)
    }


def _tested_memberships(
    ids: list[int], compiled: list[messages.Compiled]
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Which of ``ids`` are in each segment the templates test (its rules as they are
    now; a segment whose rules no longer validate contains nobody) and which consent to
    each "purpose:channel" they test: one query each for the whole batch."""
    from .. import rules as segment_rules
    from ..selectors import segment_customers

    named = {name: s for c in compiled for name, s in c.segments.items()}
    keys = {key for c in compiled for key in c.consents}
    segments: dict[str, set[int]] = {}
    catalogue = segment_rules.fields() if named else {}
    for name, segment in named.items():
        try:
            rule = segment_rules.validate(segment.rules, catalogue=catalogue)
        except ValidationFailed:
            segments[name] = set()
            continue
        members = segment_customers(user=None, rules=rule, validated=True, catalogue=catalogue)
        segments[name] = set(members.filter(pk__in=ids).values_list("pk", flat=True))
    consents: dict[str, set[int]] = {}
    for key in keys:
        purpose, channel = messages.consent_key(key) or ("", "")
        granted = Customer.objects.filter(pk__in=ids).filter(
            segment_rules.consent_granted(purpose, channel)
        )
        consents[key] = set(granted.values_list("pk", flat=True))
    return segments, consents


def html_body(text: str, *, pixel_url: str, link=lambda url: url) -> str:
    """The text part as simple HTML: escaped, links kept (through ``link``), the pixel."""
    paragraphs = html_paragraphs(text, link=link)
    pixel = f'<img src="{html.escape(pixel_url)}" width="1" height="1" alt="">' if pixel_url else ""
    return f"<!doctype html><html><body>{paragraphs}{pixel}</body></html>"


def html_paragraphs(text: str, *, link=lambda url: url) -> str:
    """``text`` as HTML paragraphs: escaped, its links kept (through ``link``)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        url = match.group(0)
        parts.append(f'<a href="{html.escape(link(url))}">{html.escape(url)}</a>')
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(
        f"<p>{block.replace(chr(10), '<br>')}</p>" for block in "".join(parts).split("\n\n")
    )


def message_id_new() -> str:
    """A Message-ID of our own domain: a delivery report quotes it, and the bounce
    handler finds the ledger row by it."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "panorama.invalid"
    return make_msgid(idstring="campaign", domain=domain)


def variant_template(variant: CampaignVariant) -> MessageTemplate:
    """The variant's message, its subject replaced by the variant's own (unsaved copy)."""
    template = variant.template
    if not variant.subject.strip():
        return template
    return MessageTemplate(
        name=template.name,
        subject_es=variant.subject,
        body_es=template.body_es,
        subject_en=variant.subject if template.subject_en.strip() else "",
        body_en=template.body_en,
    )


def campaign_envelope(campaign: Campaign) -> Envelope:
    """The headers all of a campaign's e-mails share, written once (``mime``)."""
    return Envelope(
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={
            # RFC 8058: a mail client unsubscribes with one POST, no page to click through.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Panorama-Campaign": str(campaign.pk),
        },
    )


def unsubscribe_footer(language: str, footers: dict[str, str] | None = None) -> str:
    """The text footer's sentence in ``language`` (a ``%(url)s`` left in it), kept in
    ``footers`` (a run's: translated once per language, not once per message)."""
    if footers is not None and language in footers:
        return footers[language]
    with translation.override(language):
        footer = _("To stop receiving these e-mails: %(url)s")
    if footers is not None:
        footers[language] = footer
    return footer


def message_build(
    *,
    campaign: Campaign,
    recipient: Recipient,
    compiled: messages.Compiled,
    context: dict,
    envelope: Envelope | None = None,
    footers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """One recipient's e-mail: the variant's compiled template rendered with his merge
    fields, his signed links (unsubscribe, pixel, each tracked link) and Message-ID.
    Every token of the message is signed at the same second, and a link that appears
    twice (the text and the HTML part, or twice in the text) is signed once: the same
    token ``signing`` would give it within that second."""
    stamp = token_timestamp()
    unsubscribe = public_url(
        "marketing:unsubscribe", token_make(recipient.pk, "unsubscribe", stamp=stamp)
    )
    rendered = compiled.render(context | {"unsubscribe_url": unsubscribe})
    signed: dict[str, str] = {}
    click_before, click_after = public_route("marketing:click")

    def tracked(url: str) -> str:
        link = signed.get(url)
        if link is None:
            token = token_make(recipient.pk, "click", url, stamp=stamp)
            link = signed[url] = f"{click_before}{token}{click_after}"
        return link

    footer = unsubscribe_footer(rendered.language, footers) % {"url": unsubscribe}
    text = _URL.sub(lambda m: tracked(m.group(0)), rendered.body)
    pixel = public_url("marketing:open", token_make(recipient.pk, "open", stamp=stamp))
    body_html = html_body(rendered.body, pixel_url=pixel, link=tracked)
    footer_html = (
        f'<p><a href="{html.escape(unsubscribe)}">{html.escape(footer.split(":")[0])}</a></p>'
    )
    return PreparedEmail(
        envelope=envelope or campaign_envelope(campaign),
        to=recipient.email,
        subject=rendered.subject,
        body=f"{text}\n\n--\n{footer}\n",
        html=body_html.replace("<img", footer_html + "<img", 1),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "Message-ID": recipient.message_id or message_id_new(),
        },
    )


# --- the run -------------------------------------------------------------------------------


def _record_sent(campaign: Campaign, handed: list[tuple[Recipient, str]]) -> None:
    """Ledger the messages the server accepted, with their timeline entries and events,
    in one transaction (one commit per ``COMMIT_EVERY`` messages, not per message): one
    prepared UPDATE of the ledger, one INSERT of the timeline entries, the events in bulk."""
    if not handed:
        return
    now = timezone.now()
    recipients = [recipient for recipient, _subject in handed]
    for recipient in recipients:
        recipient.status = Recipient.Status.SENT
        recipient.sent_at = recipient.sent_at or now  # set when handed over
    body = _("Campaign %(name)s") % {"name": campaign.name}
    subject_line = _("Campaign e-mail: %(subject)s")  # translated once, not per message
    with transaction.atomic():
        objects_update(recipients, ["status", "sent_at", "attempts", "email", "message_id"])
        interactions_record(
            by=None,
            contacts=[
                {
                    "customer_id": recipient.customer_id,
                    "channel": "email",
                    "direction": "outbound",
                    "subject": subject_line % {"subject": subject[:150]},
                    "body": body,
                    "outcome": "sent",
                    "related": recipient,
                    "metadata": {"campaign_id": campaign.pk},
                }
                for recipient, subject in handed
            ],
        )
        emit_many(
            "campaign.sent",
            [
                {"campaign_id": campaign.pk, "customer_id": r.customer_id, "recipient_id": r.pk}
                for r in recipients
            ],
        )
    handed.clear()


def _record_failed(campaign: Campaign, refused: list[tuple[Recipient, str]]) -> None:
    """The messages the server refused (their rows already ledgered ``failed``) on the
    customers' timelines as failed, with the server's answer: one INSERT."""
    if not refused:
        return
    interactions_record(
        by=None,
        contacts=[
            failure_fields(
                customer_id=recipient.customer_id,
                channel="email",
                kind="campaign_email",
                subject=_("Campaign e-mail: %(subject)s") % {"subject": subject[:150]},
                body=_("Campaign %(name)s") % {"name": campaign.name},
                error=recipient.error,
                source=("campaign", campaign.name, campaign.pk),
                related=recipient,
                metadata={"campaign_id": campaign.pk, "to": recipient.email},
            )
            for recipient, subject in refused
        ],
    )
    refused.clear()


class EmailSender(Handover, Sender):
    """E-mails through Django's mail (the SMTP side: ``handover``); a suppressed address
    is skipped; the accepted ones ledgered ``COMMIT_EVERY`` at a time, in the order they
    were handed over. The messages are built and ledgered in the caller's thread (which
    alone touches the database); the worker threads only talk SMTP."""

    consent, contact_field = Consent.Channel.EMAIL, "email"
    missing = Recipient.Reason.NO_EMAIL
    failed_fields = ("message_id",)

    def __init__(self, campaign: Campaign, backend: str | None):
        super().__init__(campaign)
        self.handover_init(backend)
        self.compiled = messages.Compiled(campaign.template)
        self.envelope = campaign_envelope(campaign)
        self.by_variant = {
            v.pk: messages.Compiled(variant_template(v))
            for v in CampaignVariant.objects.filter(campaign=campaign).select_related("template")
        }
        self.accepted: list[tuple[Recipient, str]] = []
        self.rejected: list[tuple[Recipient, str]] = []
        self.subjects: dict[int, str] = {}
        self.footers: dict[str, str] = {}  # the footer's sentence per language, for the run

    def contacts(self, ids: list[int]) -> dict[int, str]:
        return identities_first(ids, Identity.Kind.EMAIL)

    def batch_read(self, reach: Reach) -> None:
        # For the whole batch: one query for the suppressions, three for the merge fields.
        self.suppressed = suppressed_among(list(reach.contacts.values()))
        self.contexts = customer_context(
            reach.consenting, compiled=[self.compiled, *self.by_variant.values()]
        )

    def refused(self, recipient: Recipient) -> str | None:
        suppressed = recipient.email.lower() in self.suppressed
        return Recipient.Reason.SUPPRESSED if suppressed else None

    def build(self, recipient: Recipient) -> EmailMultiAlternatives:
        recipient.message_id = message_id_new()
        message = message_build(
            campaign=self.campaign,
            recipient=recipient,
            compiled=self.by_variant.get(recipient.variant_id or 0, self.compiled),
            context=self.contexts[recipient.customer_id],
            envelope=self.envelope,
            footers=self.footers,
        )
        self.subjects[recipient.pk] = str(message.subject)
        return message

    def sent(self, recipient: Recipient) -> None:
        self.accepted.append((recipient, self.subjects.pop(recipient.pk, "")))
        if len(self.accepted) >= COMMIT_EVERY:
            self.flush()

    def failed(self, recipient: Recipient) -> None:
        self.rejected.append((recipient, self.subjects.pop(recipient.pk, "")))

    def flush(self) -> None:
        _record_sent(self.campaign, self.accepted)
        _record_failed(self.campaign, self.rejected)


def campaign_send(
    *,
    campaign_id: int,
    rate: float | None = None,
    batch: int = BATCH,
    limit: int | None = None,
    backend: str | None = None,
) -> dict[str, int]:
    """Send what is pending in the campaign's ledger (resumable: a second run only sends
    what the first did not). ``rate``: messages per second at most (default
    ``PANORAMA_CAMPAIGN_RATE``, 0 for no limit); ``backend``: another mail backend than
    ``EMAIL_URL``'s (the demo's in-memory one). Returns the counts of this run."""
    campaign = Campaign.objects.select_related("template").get(pk=campaign_id)
    if campaign.status not in (Campaign.Status.SENDING, Campaign.Status.SCHEDULED):
        return {"sent": 0, "skipped": 0, "failed": 0}
    if campaign.status == Campaign.Status.SCHEDULED:
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    if campaign.channel == Campaign.Channel.SMS:
        from .sms import SmsSender

        return ledger_walk(SmsSender(campaign), rate=rate, batch=batch, limit=limit)
    if campaign.channel != Campaign.Channel.EMAIL:
        # A call list is worked by the agents, a direct mail exported: due is all it gets.
        return {"sent": 0, "skipped": 0, "failed": 0}
    return ledger_walk(EmailSender(campaign, backend), rate=rate, batch=batch, limit=limit)
