"""E-mail to case: a message to a case mailbox threads into its case or opens one.

Threading, first match wins: a message it answers (In-Reply-To, then References) that
belongs to a case of this customer, our auto-reply for that case, or an agent's reply
sent from the case; else the case
reference ("C-000123") in the subject, a case of this customer.

A reply to a case that is *resolved* reopens it (the customer says it is not solved);
one to a case *waiting on the customer* moves it back to open, its SLA clock running
again (``case_message_add``).
A reply to a *closed* case opens a new case that names the old one ("follow-up of
C-000123"): a closed case is final (its SLA and survey are done), as in most service
desks. New cases get an auto-reply from the mailbox's template, never for an automatic
or bulk message (loop protection), with the reference in the subject and In-Reply-To
set, so the customer's answer threads back.
"""

import logging
import re
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext as _

from panorama.customers.models import Customer
from panorama.service.models import Case, CaseMessage
from panorama.service.services.case import case_message_add, case_open, case_set_status

from ..models import Interaction
from .importer import thread_entries
from .models import Mailbox, MailEntry
from .parse import Parsed

logger = logging.getLogger(__name__)
REFERENCE_RE = re.compile(r"\bC-\d{6,}\b")


def default_subject() -> str:
    return _("[{{ case.reference }}] We received your message: {{ subject }}")


def default_body() -> str:
    return _(
        "Hello {{ customer.display_name }},\n\n"
        "We received your message and opened case {{ case.reference }}. "
        "We will answer you as soon as we can.\n\n"
        "Keep {{ case.reference }} in the subject when you write to us about it.\n\n"
        "{{ mailbox.name }}"
    )


def template_check(text: str) -> None:
    """Raise TemplateSyntaxError when ``text`` is not a valid template."""
    Template(text)


def _render(text: str, context: dict) -> str:
    return Template("{% autoescape off %}" + text + "{% endautoescape %}").render(Context(context))


def case_find(*, parsed: Parsed, customer: Customer) -> Case | None:
    ids = parsed.thread_ids()
    if ids:
        hit = (
            MailEntry.objects.filter(thread_entries(ids), case__customer=customer)
            .select_related("case")
            .order_by("-id")
            .first()
        )
        if hit is not None:
            return hit.case
        # An agent's reply sent from the case (service/services/reply.py).
        replied = (
            CaseMessage.objects.filter(sent_mail__message_id__in=ids, case__customer=customer)
            .select_related("case")
            .order_by("-id")
            .first()
        )
        if replied is not None:
            return replied.case
    for reference in REFERENCE_RE.findall(parsed.subject or ""):
        case = Case.objects.filter(reference=reference, customer=customer).first()
        if case is not None:
            return case
    return None


def case_for_message(*, entry: MailEntry, parsed: Parsed, customer: Customer) -> Case:
    """The case this message belongs to, opened or reopened as needed."""
    mailbox = entry.mailbox
    assert mailbox is not None
    case = case_find(parsed=parsed, customer=customer)
    if case is not None and case.status == Case.Status.RESOLVED:
        return case_set_status(
            by=None,
            case_id=case.pk,
            status=Case.Status.REOPENED,
            note=_("Reopened by the customer's e-mail."),
        )
    if case is not None and case.status != Case.Status.CLOSED:
        return case
    subject = (parsed.subject or _("(no subject)")).strip()[:200]
    description = parsed.text
    if case is not None:  # closed: a follow-up
        description = (
            _("Follow-up of the closed case %(ref)s.") % {"ref": case.reference}
            + "\n\n"
            + description
        )
    new = case_open(
        by=None,
        customer_id=customer.pk,
        subject=subject,
        description=description,
        channel=Interaction.Channel.EMAIL,
        queue_id=mailbox.queue_id,
    )
    new._opened_by_mail = True  # type: ignore[attr-defined]
    return new


def case_record_message(
    *, entry: MailEntry, parsed: Parsed, case: Case, interaction: Interaction
) -> None:
    """The customer's message on the case, then the auto-reply for a new case."""
    if getattr(case, "_opened_by_mail", False):
        mailbox = entry.mailbox
        if mailbox is not None and mailbox.auto_reply and not parsed.bulk:
            auto_reply_schedule(entry=entry, parsed=parsed, case=case, mailbox=mailbox)
        return
    case_message_add(
        by=None,
        case_id=case.pk,
        body=parsed.text.strip() or parsed.subject or _("(no text)"),
        kind=CaseMessage.Kind.CUSTOMER,
        interaction=interaction,
    )


def auto_reply_schedule(*, entry: MailEntry, parsed: Parsed, case: Case, mailbox: Mailbox) -> None:
    domain = mailbox.address.rpartition("@")[2] or "panorama.invalid"
    message_id = make_msgid(domain=domain)
    entry.reply_message_id = message_id
    entry.save(update_fields=["reply_message_id", "updated_at"])
    customer = case.customer
    language = customer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"case": case, "customer": customer, "mailbox": mailbox, "subject": case.subject}
        try:
            subject = _render(mailbox.auto_reply_subject or default_subject(), context)
            body = _render(mailbox.auto_reply_body or default_body(), context)
        except TemplateSyntaxError:  # validated on save; a default never fails
            subject, body = _render(default_subject(), context), _render(default_body(), context)
    subject = " ".join(subject.split())
    if case.reference and case.reference not in subject:
        subject = f"[{case.reference}] {subject}"
    references = " ".join([*parsed.references, parsed.message_id])
    message = EmailMessage(
        subject=subject[:250],
        body=body,
        from_email=mailbox.address,
        to=[parsed.from_address],
        headers={
            "Message-ID": message_id,
            "In-Reply-To": parsed.message_id,
            "References": references,
            "Auto-Submitted": "auto-replied",  # RFC 3834: their robots do not answer it
            "X-Auto-Response-Suppress": "All",
        },
    )
    entry_id = entry.pk

    def send() -> None:
        try:
            message.send()
        except Exception as exc:  # the message is in; only the courtesy reply failed
            logger.exception("auto-reply for case %s failed", case.reference)
            MailEntry.objects.filter(pk=entry_id).update(
                detail=_("The auto-reply could not be sent: %(error)s") % {"error": exc}
            )

    transaction.on_commit(send)
