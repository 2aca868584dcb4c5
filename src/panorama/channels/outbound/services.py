"""Sending e-mail to a customer through Django's mail (``EMAIL_URL``): from a sending
identity the user may use, from a template or typed, new or as a reply that threads
with the customer's message. Every message sent is kept (``SentMail``) with its
Message-ID and lands on the timeline; a delivery report marks it bounced (bounces.py).

Configuring identities and templates is for administrators and managers (templates'
merge fields: merge.py)."""

import smtplib
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template import Context, Template
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can, ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Customer, Identity

from ..failures import failure_record
from ..models import Interaction
from ..services import interaction_record
from .merge import merge_fields_check
from .models import MailTemplate, SendingIdentity, SentMail


def _email(value: str, field: str) -> str:
    value = (value or "").strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(value)s is not an e-mail address.") % {"value": value or '""'}, field=field
        ) from None
    return value


# --- configuration (administrators) -----------------------------------------------------


@transaction.atomic
def sending_identity_save(
    *, by: User | None, identity: SendingIdentity, user_ids: list[int] | None = None
) -> SendingIdentity:
    """Create or change a sending identity; ``user_ids`` (a shared one) who may use it."""
    ensure_can(by, "channels.configure_channels")
    identity.name = (identity.name or "").strip()
    identity.display_name = (identity.display_name or "").strip()
    identity.from_address = _email(identity.from_address, "from_address")
    rules_for(SendingIdentity).check(identity)
    if (
        identity.owner_id is not None
        and not User.objects.filter(pk=identity.owner_id, is_active=True).exists()
    ):
        raise ValidationFailed(
            _("User %(id)s does not exist or is not active.") % {"id": identity.owner_id},
            field="owner",
        )
    if SendingIdentity.objects.filter(name=identity.name).exclude(pk=identity.pk).exists():
        raise Conflict(
            _("A sending identity named %(name)s already exists.") % {"name": identity.name},
            field="name",
        )
    users = []
    if user_ids:
        if identity.owner_id is not None:
            raise ValidationFailed(
                _("A personal identity is its owner's only: list users on a shared one."),
                field="user_ids",
            )
        users = list(User.objects.filter(pk__in=set(user_ids), is_active=True))
        if len(users) != len(set(user_ids)):
            raise ValidationFailed(_("Some of these users do not exist."), field="user_ids")
    identity.save()
    identity.users.set(users)
    return identity


@transaction.atomic
def mail_template_save(*, by: User | None, template: MailTemplate) -> MailTemplate:
    ensure_can(by, "channels.configure_channels")
    template.name = (template.name or "").strip()
    rules_for(MailTemplate).check(template)
    for name in ("subject", "body"):
        merge_fields_check(getattr(template, name), field=name)
    clash = MailTemplate.objects.filter(name=template.name, language=template.language)
    if clash.exclude(pk=template.pk).exists():
        raise Conflict(
            _("A template %(name)s in this language already exists.") % {"name": template.name},
            field="name",
        )
    template.save()
    return template


def mail_template_get(*, by: User | None, template_id: int) -> MailTemplate:
    """A template to configure, active or not (administrators and managers)."""
    ensure_can(by, "channels.configure_channels")
    template = MailTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("Template %(id)s does not exist.") % {"id": template_id})
    return template


def mail_template_preview(
    *, by: User | None, template: MailTemplate, customer_id: int
) -> tuple[str, str]:
    """(subject, text) of ``template`` (saved or still being edited) as this customer,
    one ``by`` sees, would get it; checked like a save, so a broken field is named."""
    ensure_can(by, "channels.configure_channels")
    for name in ("subject", "body"):
        merge_fields_check(getattr(template, name), field=name)
    if not 0 < customer_id < 2**63:
        raise ValidationFailed(
            _("Customer %(id)s does not exist.") % {"id": customer_id}, field="customer_id"
        )
    customer = _customer(by=by, customer_id=customer_id)
    return template_render(template=template, customer=customer, user=by)


# --- who sends as whom ---------------------------------------------------------------------


def identities_usable(user: User | None):
    """The active identities ``user`` may send from: his own, and the shared ones that
    list him or list nobody."""
    qs = SendingIdentity.objects.filter(active=True)
    if user is None or user.is_superuser:
        return qs
    return qs.filter(
        Q(owner=user) | Q(owner__isnull=True, users=user) | Q(owner__isnull=True, users=None)
    ).distinct()


def _identity(*, by: User | None, identity_id: int) -> SendingIdentity:
    identity = SendingIdentity.objects.filter(pk=identity_id, active=True).first()
    if identity is None:
        raise NotFound(_("Sending identity %(id)s does not exist.") % {"id": identity_id})
    if not identities_usable(by).filter(pk=identity.pk).exists():
        raise PermissionDenied(_("You may not send from %(identity)s.") % {"identity": identity})
    return identity


def _customer(*, by: User | None, customer_id: int) -> Customer:
    from panorama.customers.selectors import customer_get

    if by is not None:
        return customer_get(user=by, customer_id=customer_id)
    customer = Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise NotFound(_("Customer %(id)s does not exist.") % {"id": customer_id})
    return customer


def customer_email(customer: Customer) -> str:
    """His primary e-mail address, else any; "" when he has none."""
    row = (
        customer.identities.filter(kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    return row or ""


def template_render(*, template: MailTemplate, customer: Customer, user: User | None):
    context = Context({"customer": customer, "user": user})

    def render(text: str) -> str:
        return Template("{% autoescape off %}" + text + "{% endautoescape %}").render(context)

    return render(template.subject).strip(), render(template.body)


def template_for(*, template_id: int) -> MailTemplate:
    template = MailTemplate.objects.filter(pk=template_id, active=True).first()
    if template is None:
        raise NotFound(_("Template %(id)s does not exist.") % {"id": template_id})
    return template


@dataclass
class Thread:
    in_reply_to: str
    references: str
    subject: str


def _thread(*, customer: Customer, interaction_id: int) -> Thread:
    """What a reply to one of the customer's e-mails carries so his client threads it."""
    interaction = Interaction.objects.filter(
        pk=interaction_id, customer=customer, channel=Interaction.Channel.EMAIL
    ).first()
    message_id = (interaction.metadata or {}).get("message_id", "") if interaction else ""
    if interaction is None or not message_id:
        raise ValidationFailed(
            _("Contact %(id)s is not an e-mail of this customer: there is nothing to reply to.")
            % {"id": interaction_id},
            field="reply_to",
        )
    references = (interaction.metadata or {}).get("references", "")
    subject = interaction.subject
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return Thread(message_id, f"{references} {message_id}".strip(), subject[:200])


def mail_send(
    *,
    by: User | None,
    customer_id: int,
    identity_id: int,
    subject: str = "",
    body: str = "",
    to_address: str = "",
    template_id: int | None = None,
    reply_to: int | None = None,
) -> SentMail:
    """Send one message to a customer ``by`` sees, from an identity he may use.

    ``template_id`` fills what is left empty; ``reply_to`` (an inbound e-mail on the
    timeline) threads it. A message the server refuses is kept as failed and the
    refusal is the error (ValidationFailed, 422), so the agent can correct and resend."""
    ensure_can(by, "channels.send")
    customer = _customer(by=by, customer_id=customer_id)
    identity = _identity(by=by, identity_id=identity_id)
    to_address = _email(to_address or customer_email(customer), "to_address")
    template = None
    if template_id is not None:
        template = template_for(template_id=template_id)
        rendered_subject, rendered_body = template_render(
            template=template, customer=customer, user=by
        )
        subject, body = subject or rendered_subject, body or rendered_body
    thread = _thread(customer=customer, interaction_id=reply_to) if reply_to else None
    subject = (subject or (thread.subject if thread else "")).strip()
    if not subject:
        raise ValidationFailed(_("A message needs a subject."), field="subject")
    if len(subject) > 200:
        raise ValidationFailed(_("A subject has at most 200 characters."), field="subject")
    if not (body or "").strip():
        raise ValidationFailed(_("A message needs a text."), field="body")
    if "\n" in subject or "\r" in subject or "\x00" in subject + body:
        raise ValidationFailed(_("The subject must be one line of text."), field="subject")
    sent = mail_deliver(
        by=by,
        customer=customer,
        identity=identity,
        to_address=to_address,
        subject=subject,
        body=body,
        thread=thread,
        template=template,
    )
    if sent.status == SentMail.Status.FAILED:
        raise ValidationFailed(
            _("The mail server did not accept the message: %(error)s") % {"error": sent.error},
            field="to_address",
        )
    return sent


def mail_deliver(
    *,
    by: User | None,
    customer: Customer,
    identity: SendingIdentity,
    to_address: str,
    subject: str,
    body: str,
    thread: Thread | None = None,
    template: MailTemplate | None = None,
    reply_to_address: str = "",
    attachments: list[tuple[str, bytes, str]] | tuple = (),
    related=None,
) -> SentMail:
    """Send one message whose parts are already checked, and keep it (``SentMail``): a
    refusal never raises, the SentMail is *failed* with the server's answer. A sent one
    lands on the timeline (``related``: the record it is about, e.g. a case). Used by
    ``mail_send`` and by the replies on a case (``service``)."""
    text = body.rstrip() + (f"\n\n-- \n{identity.signature}" if identity.signature else "")
    domain = identity.from_address.rsplit("@", 1)[1]
    message_id = make_msgid(domain=domain)
    headers = {"Message-ID": message_id}
    if thread:
        headers |= {"In-Reply-To": thread.in_reply_to, "References": thread.references}
    from panorama.automation.services.tracking import links_tracked

    message = EmailMessage(
        subject=subject,
        # Links to the company's tracked sites carry the customer's token (the stored
        # text is the one the agent wrote, without it).
        body=links_tracked(text, customer.pk),
        from_email=formataddr((identity.display_name, identity.from_address)),
        to=[to_address],
        reply_to=[reply_to_address] if reply_to_address else None,
        headers=headers,
        connection=get_connection(),
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    error = ""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        error = _mail_error(exc)
    return _record(
        by=by,
        customer=customer,
        identity=identity,
        to_address=to_address,
        subject=subject,
        text=text,
        template=template,
        message_id=message_id,
        thread=thread,
        error=error,
        related=related,
    )


def _mail_error(exc: Exception) -> str:
    """The server's answer, whole (``failure_record`` keeps it so, up to its bound)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = [
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in exc.recipients.values()
        ]
        return "; ".join(answers)
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


@transaction.atomic
def _record(
    *,
    by,
    customer,
    identity,
    to_address,
    subject,
    text,
    template,
    message_id,
    thread,
    error,
    related=None,
) -> SentMail:
    sent = SentMail(
        customer=customer,
        identity=identity,
        to_address=to_address,
        subject=subject,
        body=text,
        template=template,
        message_id=message_id,
        in_reply_to=thread.in_reply_to if thread else "",
        references=thread.references if thread else "",
        status=SentMail.Status.FAILED if error else SentMail.Status.SENT,
        error=error,
        sent_by=by,
    )
    parent = (
        Interaction.objects.filter(customer=customer, metadata__message_id=thread.in_reply_to)
        .values_list("pk", flat=True)
        .first()
        if thread
        else None
    )
    if error:
        # Not sent: on the timeline as failed, with the server's answer (failures.py).
        sent.save()
        sent.interaction = failure_record(
            customer_id=customer.pk,
            agent=by,
            channel=Interaction.Channel.EMAIL,
            kind="email",
            subject=subject,
            body=text,
            error=error,
            related=related,
            metadata={"sent_mail_id": sent.pk, "to": to_address, "thread_parent": parent},
        )
    else:
        sent.interaction = interaction_record(
            customer_id=customer.pk,
            by=by,
            agent=by,
            channel=Interaction.Channel.EMAIL,
            direction=Interaction.Direction.OUTBOUND,
            subject=subject,
            body=text,
            related=related,
            metadata={
                "kind": "email",
                "message_id": message_id,
                "references": sent.references,
                "in_reply_to": sent.in_reply_to,
                "thread_parent": parent,
                "from": identity.from_address,
                "to": to_address,
            },
        )
    sent.save()
    emit(
        "mail.sent",
        sent_id=sent.pk,
        customer_id=customer.pk,
        status=sent.status,
        by=by.pk if by else None,
    )
    return sent


def may_send_mail(user: User | None) -> bool:
    return can(user, "channels.send") and identities_usable(user).exists()
