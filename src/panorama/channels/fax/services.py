"""Fax in and out. Inbound: a PDF or TIFF from the fax gateway's mailbox (an attachment
of a message to it: mail/importer.py hands it here), an upload or the API; the sender
number is identified, the document stored with a preview of its first page, and the
fax lands on the customer's timeline (an unknown number waits to be linked). Staff may
open a case from it. Outbound: the e-mail-to-fax convention, a message to
``<number>@<gateway domain>`` with the document attached; the gateway reports
delivery through the status API."""

import logging
import re
import smtplib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers import identifiers
from panorama.customers.models import Customer
from panorama.customers.selectors import customer_get, identify

from ..failures import failure_mark, failure_record, reason_kept
from ..mail.models import MailEntry
from ..mail.parse import Parsed
from ..models import Interaction
from ..services import interaction_record
from .models import Fax
from .preview import kind_of, render

logger = logging.getLogger(__name__)
DIGITS_RE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def max_fax_bytes() -> int:
    return int(getattr(settings, "PANORAMA_FAX_MAX_BYTES", 20 * 1024 * 1024))


def _number(raw: str) -> str:
    try:
        return identifiers.normalise_phone(raw)
    except ValidationFailed:
        raise ValidationFailed(
            _("%(value)s is not a valid fax number.") % {"value": (raw or "").strip()[:40]},
            field="number",
        ) from None


def _document(content: bytes) -> str:
    if not content:
        raise ValidationFailed(_("The fax document is empty."), field="document")
    if len(content) > max_fax_bytes():
        raise ValidationFailed(
            _("A fax document has at most %(limit)s bytes.") % {"limit": max_fax_bytes()},
            field="document",
        )
    content_type = kind_of(content)
    if not content_type:
        raise ValidationFailed(_("A fax must be a PDF or a TIFF file."), field="document")
    return content_type


def _store(fax: Fax, content: bytes) -> None:
    extension = "pdf" if fax.content_type == "application/pdf" else "tif"
    name = uuid.uuid4().hex
    fax.document.save(f"{name}.{extension}", ContentFile(content), save=False)
    try:
        preview = render(content, fax.content_type)
    except ValueError as exc:
        fax.note = (_("No preview: %(error)s") % {"error": exc})[:500]
        return
    fax.pages = preview.pages
    fax.preview.save(f"{name}.png", ContentFile(preview.png), save=False)


def _on_timeline(fax: Fax, customer: Customer, by: User | None) -> None:
    inbound = fax.direction == Interaction.Direction.INBOUND
    subject = (_("Fax from %(number)s") if inbound else _("Fax to %(number)s")) % {
        "number": fax.number
    }
    fax.interaction = interaction_record(
        customer_id=customer.pk,
        by=by,
        agent=by,
        channel=Interaction.Channel.FAX,
        direction=fax.direction,
        subject=subject,
        body=fax.note,
        metadata={
            "kind": "fax",
            "fax_id": fax.pk,
            "pages": fax.pages,
            "number": fax.number,
            "preview": bool(fax.preview),
        },
    )
    fax.customer = customer
    fax.save(update_fields=["interaction", "customer"])


@transaction.atomic
def fax_receive(
    *,
    by: User | None,
    number: str,
    content: bytes,
    note: str = "",
    mail_entry: MailEntry | None = None,
) -> Fax:
    """Store an inbound fax; ``number`` is the sender's. ``by`` None: the gateway."""
    if by is not None:
        ensure_can(by, "channels.record")
    number = _number(number)
    fax = Fax(
        direction=Interaction.Direction.INBOUND,
        number=number,
        content_type=_document(content),
        status=Fax.Status.UNKNOWN,
        note=(note or "").strip()[:500],
        mail_entry=mail_entry,
        by=by,
    )
    _store(fax, content)
    fax.save()
    matches = identify(user=None, value=number, kind="phone")
    if len(matches) == 1:
        fax.status = Fax.Status.RECEIVED
        fax.save(update_fields=["status"])
        _on_timeline(fax, matches[0].customer, by)
    emit("fax.received", fax_id=fax.pk, customer_id=fax.customer_id)
    return fax


def number_in(parsed: Parsed) -> str:
    """The sender's number as gateways give it: the From address's local part
    (``+34911222333@fax.example``), else the first number in the subject."""
    local = parsed.from_address.split("@")[0]
    for text in (local, parsed.subject, parsed.from_name):
        found = DIGITS_RE.search(text or "")
        if found:
            return found.group(0)
    return ""


def fax_from_mail(*, entry: MailEntry, parsed: Parsed, notes: list[str]) -> None:
    """A message to the fax gateway's mailbox: its PDF/TIFF attachments are the fax
    (inside the importer's transaction; the ledger line says what became of it)."""
    S, R = MailEntry.Status, MailEntry.Reason
    documents = [a for a in parsed.attachments if kind_of(a.content)]
    number = number_in(parsed)
    entry.reason = R.FAX
    if not documents:
        entry.status = S.SKIPPED
        entry.detail = "\n".join([_("A message to the fax mailbox with no PDF or TIFF."), *notes])
    else:
        entry.save()
        try:
            faxes = [
                fax_receive(
                    by=None,
                    number=number,
                    content=a.content,
                    note=parsed.text.strip()[:500],
                    mail_entry=entry,
                )
                for a in documents
            ]
        except ValidationFailed as exc:
            entry.status = S.FAILED
            entry.detail = "\n".join([str(exc.message), *notes])
        else:
            entry.status = S.IMPORTED
            entry.customer_id = faxes[0].customer_id
            entry.interaction_id = faxes[0].interaction_id
            entry.detail = "\n".join(
                [_("Fax from %(number)s.") % {"number": faxes[0].number}, *notes]
            )
    entry.detail = entry.detail[:4000]
    entry.save()
    from ..mail.importer import _emit

    _emit(entry)


# --- staff: read, link, open a case --------------------------------------------------------


def fax_get(*, user: User | None, fax_id: int) -> Fax:
    """A fax ``user`` may see: one of a customer he sees; an unknown one for those who
    link unknown senders."""
    fax = Fax.objects.select_related("customer", "case").filter(pk=fax_id).first()
    if fax is None:
        raise NotFound(_("Fax %(id)s does not exist.") % {"id": fax_id})
    if user is None:
        return fax
    if fax.customer_id is None:
        ensure_can(user, "channels.link_sender")
        return fax
    try:
        customer_get(user=user, customer_id=fax.customer_id)
    except NotFound:
        raise NotFound(_("Fax %(id)s does not exist.") % {"id": fax_id}) from None
    return fax


@transaction.atomic
def fax_link(*, by: User | None, fax_id: int, customer_id: int, remember: bool = True) -> Fax:
    """Give an unknown sender's fax to a customer (``remember``: his number too)."""
    from ..sms.services import number_remember

    ensure_can(by, "channels.link_sender")
    fax = fax_get(user=by, fax_id=fax_id)
    if fax.customer_id is not None:
        raise Conflict(_("This fax is already on a customer's timeline."), field="fax")
    customer = (
        customer_get(user=by, customer_id=customer_id)
        if by
        else Customer.objects.get(pk=customer_id)
    )
    if remember:
        number_remember(customer=customer, number=fax.number, by=by)
    fax.status = Fax.Status.RECEIVED
    fax.save(update_fields=["status"])
    _on_timeline(fax, customer, by)
    return fax


@transaction.atomic
def fax_open_case(*, by: User | None, fax_id: int, subject: str = "") -> Fax:
    """Open a service case from a fax on a customer's timeline; the timeline entry then
    points at the case."""
    from panorama.service.services.case import case_open

    fax = fax_get(user=by, fax_id=fax_id)
    if fax.customer_id is None:
        raise Conflict(_("Link the fax to a customer before opening a case."), field="fax")
    if fax.case is not None:
        raise Conflict(
            _("Case %(ref)s was already opened from this fax.") % {"ref": fax.case.reference},
            field="fax",
        )
    case = case_open(
        by=by,
        customer_id=fax.customer_id,
        subject=(subject or "").strip() or _("Fax from %(number)s") % {"number": fax.number},
        description=fax.note,
        channel=Interaction.Channel.FAX,
    )
    fax.case = case
    fax.save(update_fields=["case"])
    if fax.interaction_id:
        Interaction.objects.filter(pk=fax.interaction_id).update(
            related_type=_content_type(case), related_id=case.pk
        )
    return fax


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


# --- outbound -------------------------------------------------------------------------------


def gateway_address(number: str) -> str:
    domain = getattr(settings, "PANORAMA_FAX_GATEWAY_DOMAIN", "")
    if not domain:
        raise Conflict(
            _("No fax gateway is configured (PANORAMA_FAX_GATEWAY_DOMAIN)."), field="number"
        )
    return f"{number.lstrip('+')}@{domain}"


def fax_send(
    *, by: User | None, customer_id: int, number: str, content: bytes, cover: str = ""
) -> Fax:
    """Fax a PDF/TIFF to a customer ``by`` sees through the e-mail-to-fax gateway. A
    refusal by the mail server is kept as a failed fax and raised (422)."""
    ensure_can(by, "channels.send")
    customer = (
        customer_get(user=by, customer_id=customer_id)
        if by
        else Customer.objects.filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound(_("Customer %(id)s does not exist.") % {"id": customer_id})
    number = _number(number)
    content_type = _document(content)
    to = gateway_address(number)
    message = EmailMessage(
        subject=_("Fax for %(number)s") % {"number": number},
        body=cover or "",
        from_email=getattr(settings, "PANORAMA_FAX_FROM", settings.DEFAULT_FROM_EMAIL),
        to=[to],
        connection=get_connection(),
    )
    extension = "pdf" if content_type == "application/pdf" else "tif"
    message.attach(f"fax.{extension}", content, content_type)
    error = ""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        error = reason_kept(f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        fax = Fax(
            direction=Interaction.Direction.OUTBOUND,
            number=number,
            content_type=content_type,
            status=Fax.Status.FAILED if error else Fax.Status.SENT,
            error=error,
            note=(cover or "").strip()[:500],
            by=by,
            customer=customer,
        )
        _store(fax, content)
        fax.save()
        if not error:
            _on_timeline(fax, customer, by)
        else:  # on the timeline as failed, with the gateway's answer (failures.py)
            fax.interaction = failure_record(
                customer_id=customer.pk,
                agent=by,
                channel=Interaction.Channel.FAX,
                kind="fax",
                subject=_("Fax to %(number)s") % {"number": number},
                body=(cover or "").strip()[:500],
                error=error,
                metadata={"fax_id": fax.pk, "number": number, "cover": (cover or "")[:500]},
            )
            fax.save(update_fields=["interaction"])
        emit("fax.sent", fax_id=fax.pk, customer_id=customer.pk, status=fax.status)
    if error:
        raise ValidationFailed(
            _("The fax gateway did not accept the fax: %(error)s") % {"error": error},
            field="number",
        )
    return fax


@transaction.atomic
def fax_status_set(*, by: User | None, fax_id: int, status: str, error: str = "") -> Fax:
    """The gateway's delivery report for an outbound fax: delivered or failed."""
    ensure_can(by, "channels.configure_channels")
    fax = Fax.objects.select_for_update().filter(pk=fax_id).first()
    if fax is None:
        raise NotFound(_("Fax %(id)s does not exist.") % {"id": fax_id})
    if fax.direction != Interaction.Direction.OUTBOUND:
        raise Conflict(_("Only a fax we sent has a delivery status."), field="status")
    if status not in (Fax.Status.DELIVERED, Fax.Status.FAILED):
        raise ValidationFailed(
            _("A fax's delivery status is delivered or failed, not %(value)s.") % {"value": status},
            field="status",
        )
    fax.status, fax.error = status, reason_kept((error or "").strip())
    fax.save(update_fields=["status", "error"])
    if status == Fax.Status.FAILED:  # the entry becomes a failed one, with the reason
        failure_mark(interaction_id=fax.interaction_id, error=fax.error)
    elif fax.interaction_id:
        Interaction.objects.filter(pk=fax.interaction_id).update(
            outcome=Fax.Status(status).label[:100]
        )
    return fax
