"""/api/v1/channels/...: mailboxes (administrators configure, managers read), the sync
ledger with its retry, and the unknown senders to link."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.core.exceptions import ValidationFailed

from . import selectors, services
from .models import Mailbox, MailEntry
from .schemas import (
    ConnectionOut,
    EntryOut,
    LedgerPageOut,
    LinkIn,
    LinkOut,
    MailboxIn,
    MailboxOut,
    UnknownSenderOut,
)

router = Router(tags=["mail"])


def _fill(mailbox: Mailbox, payload: MailboxIn) -> Mailbox:
    for name, value in payload.dict(exclude={"password"}).items():
        setattr(mailbox, name, value)
    return mailbox


@router.get("/channels/mailboxes", response=list[MailboxOut])
def mailbox_list(request):
    return selectors.mailboxes(user=request.user)


@router.post("/channels/mailboxes", response={201: MailboxOut})
def mailbox_create(request, payload: MailboxIn):
    mailbox = services.mailbox_save(
        by=request.user, mailbox=_fill(Mailbox(), payload), password=payload.password
    )
    return Status(201, mailbox)


@router.get("/channels/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_detail(request, mailbox_id: int):
    return selectors.mailbox_for_ledger(user=request.user, mailbox_id=mailbox_id)


@router.put("/channels/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_update(request, mailbox_id: int, payload: MailboxIn):
    mailbox = selectors.mailbox_for_ledger(user=request.user, mailbox_id=mailbox_id)
    return services.mailbox_save(
        by=request.user, mailbox=_fill(mailbox, payload), password=payload.password
    )


@router.post("/channels/mailboxes/{mailbox_id}/test", response=ConnectionOut)
def mailbox_test(request, mailbox_id: int):
    return {"messages": services.mailbox_test(by=request.user, mailbox_id=mailbox_id)}


@router.post("/channels/mailboxes/{mailbox_id}/sync", response={202: dict})
def mailbox_sync(request, mailbox_id: int):
    services.mailbox_sync(by=request.user, mailbox_id=mailbox_id)
    return Status(202, {"detail": _("The mailbox will be polled now.")})


@router.get("/channels/mailboxes/{mailbox_id}/ledger", response=LedgerPageOut)
def mailbox_ledger(request, mailbox_id: int, status: str = "", cursor: str = "", limit: int = 50):
    selectors.mailbox_for_ledger(user=request.user, mailbox_id=mailbox_id)
    if status and status not in MailEntry.Status.values:
        raise ValidationFailed(_("Unknown status %(value)s.") % {"value": status}, field="status")
    page = selectors.ledger(
        user=request.user, mailbox_id=mailbox_id, status=status, cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/channels/mail/{entry_id}/retry", response=EntryOut)
def mail_retry(request, entry_id: int):
    return services.mail_entry_retry(by=request.user, entry_id=entry_id)


@router.get("/channels/mail/unknown-senders", response=list[UnknownSenderOut])
def unknown_sender_list(request):
    return selectors.unknown_senders(user=request.user)


@router.post("/channels/mail/unknown-senders/link", response=LinkOut)
def unknown_sender_link(request, payload: LinkIn):
    imported = services.mail_sender_link(
        by=request.user,
        from_address=payload.address,
        customer_id=payload.customer_id,
        remember=payload.remember,
    )
    return {"imported": imported}
