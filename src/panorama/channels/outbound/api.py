"""/api/v1/channels/...: sending identities and templates (administrators and managers
configure and preview templates, senders list theirs) and e-mail to a customer (send,
reply, list what was sent)."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import NotFound

from . import selectors, services
from .models import MailTemplate, SendingIdentity
from .schemas import (
    MailSendIn,
    MailTemplateIn,
    MailTemplateOut,
    MailTemplatePreviewIn,
    MailTemplatePreviewOut,
    SendingIdentityIn,
    SendingIdentityOut,
    SentMailOut,
)

router = Router(tags=["e-mail out"])


@router.get("/channels/sending-identities", response=list[SendingIdentityOut])
def identity_list(request):
    """The identities you may send from."""
    return list(services.identities_usable(request.user).order_by("name"))


@router.post("/channels/sending-identities", response={201: SendingIdentityOut})
def identity_create(request, payload: SendingIdentityIn):
    identity = SendingIdentity(**payload.dict(exclude={"user_ids"}))
    return Status(
        201,
        services.sending_identity_save(
            by=request.user, identity=identity, user_ids=payload.user_ids
        ),
    )


@router.put("/channels/sending-identities/{identity_id}", response=SendingIdentityOut)
def identity_update(request, identity_id: int, payload: SendingIdentityIn):
    ensure_can(request.user, "channels.configure_channels")
    identity = SendingIdentity.objects.filter(pk=identity_id).first()
    if identity is None:
        raise NotFound(_("Sending identity %(id)s does not exist.") % {"id": identity_id})
    for name, value in payload.dict(exclude={"user_ids"}).items():
        setattr(identity, name, value)
    return services.sending_identity_save(
        by=request.user, identity=identity, user_ids=payload.user_ids
    )


@router.get("/channels/mail-templates", response=list[MailTemplateOut])
def template_list(request, language: str = ""):
    return selectors.templates(language=language)


@router.post("/channels/mail-templates", response={201: MailTemplateOut})
def template_create(request, payload: MailTemplateIn):
    template = MailTemplate(**payload.dict())
    return Status(201, services.mail_template_save(by=request.user, template=template))


@router.get("/channels/mail-templates/{template_id}", response=MailTemplateOut)
def template_detail(request, template_id: int):
    return services.mail_template_get(by=request.user, template_id=template_id)


@router.put("/channels/mail-templates/{template_id}", response=MailTemplateOut)
def template_update(request, template_id: int, payload: MailTemplateIn):
    template = services.mail_template_get(by=request.user, template_id=template_id)
    for name, value in payload.dict().items():
        setattr(template, name, value)
    return services.mail_template_save(by=request.user, template=template)


@router.post("/channels/mail-templates/{template_id}/preview", response=MailTemplatePreviewOut)
def template_preview(request, template_id: int, payload: MailTemplatePreviewIn):
    """The template as the customer would get it (``subject``/``body``: try unsaved text)."""
    template = services.mail_template_get(by=request.user, template_id=template_id)
    if payload.subject is not None:
        template.subject = payload.subject
    if payload.body is not None:
        template.body = payload.body
    subject, body = services.mail_template_preview(
        by=request.user, template=template, customer_id=payload.customer_id
    )
    return {"subject": subject, "body": body}


@router.post("/customers/{customer_id}/emails", response={201: SentMailOut})
def mail_send(request, customer_id: int, payload: MailSendIn):
    """Send an e-mail to the customer (``reply_to``: answer one of his)."""
    return Status(
        201, services.mail_send(by=request.user, customer_id=customer_id, **payload.dict())
    )


@router.get("/customers/{customer_id}/emails", response=list[SentMailOut])
def mail_list(request, customer_id: int, limit: int = 50):
    return selectors.sent_mails(user=request.user, customer_id=customer_id, limit=limit)
