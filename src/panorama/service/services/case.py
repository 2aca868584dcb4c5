"""Opening cases, routing and assigning them, moving them through their lifecycle, and
what is said on them (replies, customer messages, internal notes)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.selectors import customer_get

from ..models import Case, CaseMessage
from ..selectors import case_get, least_loaded_agent, queue_get
from . import sla
from .attachment import attachments_save, uploads_check
from .reply import reply_channel, reply_deliver

S = Case.Status
# Where a case may go from each status. Resolving or closing stops the clock; a
# resolved or closed case comes back as "reopened".
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.OPEN, S.WAITING, S.RESOLVED, S.CLOSED},
    S.OPEN: {S.WAITING, S.RESOLVED, S.CLOSED},
    S.WAITING: {S.OPEN, S.RESOLVED, S.CLOSED},
    S.REOPENED: {S.OPEN, S.WAITING, S.RESOLVED, S.CLOSED},
    S.RESOLVED: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
}


def _choice(value: str, choices, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(message % {"value": value}, field=field)
    return value


def product_and_asset_set(case: Case, *, product_id: int | None, asset_id: int | None) -> None:
    """Give the case (not saved) its product and asset, checked: the product exists (the
    catalogue is everyone's), the asset is one of the case's customer's; an asset
    without a product named brings its own product."""
    case.product_id = product_id
    if product_id is not None:
        from panorama.catalog.models import Product

        if not Product.objects.filter(pk=product_id).exists():
            raise ValidationFailed(
                _("Product %(id)s does not exist.") % {"id": product_id}, field="product"
            )
    case.asset = None
    if asset_id is not None:
        from ..models import Asset

        asset = Asset.objects.filter(pk=asset_id, customer_id=case.customer_id).first()
        if asset is None:
            raise ValidationFailed(
                _("Asset %(id)s is not one of this customer's.") % {"id": asset_id},
                field="asset",
            )
        case.asset = asset
        case.product_id = case.product_id or asset.product_id


@transaction.atomic
def case_open(
    *,
    by: User | None,
    customer_id: int,
    subject: str,
    description: str = "",
    channel: str = Interaction.Channel.PHONE,
    type: str = Case.Type.QUESTION,
    priority: str = Case.Priority.NORMAL,
    queue_id: int | None = None,
    skill: str = "",
    product_id: int | None = None,
    owner: User | None = None,
    asset_id: int | None = None,
    attachments=(),
) -> Case:
    """Open a case for a customer ``by`` sees. With a queue and no owner it is routed to
    the queue's least-loaded member having ``skill``. It lands on the timeline as an
    inbound contact on its channel. ``attachments``: files kept on the case from the
    start, on an internal note (``case_message_add``'s rules, checked before anything
    is written: a refused file opens no case)."""
    ensure_can(by, "service.edit")
    uploads = uploads_check(attachments)
    customer = customer_get(user=by, customer_id=customer_id)
    case = Case(
        customer=customer,
        subject=(subject or "").strip(),
        description=description or "",
        channel=_choice(channel, Interaction.Channel, "channel", _("Unknown channel %(value)s.")),
        type=_choice(type, Case.Type, "type", _("Unknown case type %(value)s.")),
        priority=_choice(priority, Case.Priority, "priority", _("Unknown priority %(value)s.")),
        skill=(skill or "").strip().lower(),
        product_id=product_id,
        created_by=by,
    )
    if not case.subject:
        raise ValidationFailed(_("A case needs a subject."), field="subject")
    product_and_asset_set(case, product_id=product_id, asset_id=asset_id)
    if queue_id is not None:
        case.queue = queue_get(queue_id=queue_id)
    case.owner = owner
    if owner is None and case.queue is not None:
        case.owner = least_loaded_agent(queue=case.queue, skill=case.skill)
    if case.owner is not None:
        case.status = S.OPEN
    rules_for(Case).check(case)
    sla.sla_start(case, timezone.now())
    case.save()
    case.reference = f"C-{case.pk:06d}"
    case.save(update_fields=["reference"])
    interaction_record(
        customer_id=customer.pk,
        by=None,
        agent=by,
        channel=case.channel,
        direction=Interaction.Direction.INBOUND,
        subject=(
            _("Case %(ref)s opened: %(subject)s") % {"ref": case.reference, "subject": case.subject}
        )[:200],
        body=case.description,
        related=case,
        metadata={"kind": "case", "status": case.status},
    )
    emit(
        "case.opened",
        case_id=case.pk,
        customer_id=customer.pk,
        channel=case.channel,
        queue_id=case.queue_id,
        owner_id=case.owner_id,
        by=by.pk if by else None,
    )
    if uploads:
        case_message_add(
            by=by,
            case_id=case.pk,
            kind=CaseMessage.Kind.NOTE,
            body=_("Files attached when the case was opened."),
            attachments=uploads,
        )
    return case


@transaction.atomic
def case_assign(*, by: User | None, case_id: int, owner: User | None) -> Case:
    """Give the case to ``owner`` (None: back to the queue, nobody in charge)."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    if owner is not None and not owner.is_active:
        raise ValidationFailed(
            _("%(user)s is not an active user.") % {"user": owner}, field="owner"
        )
    case.owner = owner
    if owner is not None and case.status == S.NEW:
        case.status = S.OPEN
    case.save(update_fields=["owner", "status", "updated_at"])
    emit("case.assigned", case_id=case.pk, owner_id=case.owner_id, by=by.pk if by else None)
    return case


@transaction.atomic
def case_set_status(
    *, by: User | None, case_id: int, status: str, note: str = "", restore: bool = False
) -> Case:
    """Move the case to ``status`` when its lifecycle allows it (else a Conflict naming
    both statuses). ``note`` is kept as an internal note. ``restore``: put back a status
    the case had (a bulk action's undo) without the lifecycle's usual steps: an open one
    forgets when it was resolved or closed, a resolved one keeps when it was resolved,
    and no satisfaction survey goes out again."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    _choice(status, Case.Status, "status", _("Unknown status %(value)s."))
    if status == case.status:
        return case
    if not restore and status not in TRANSITIONS[case.status]:
        raise Conflict(
            _("A case that is %(from)s cannot become %(to)s.")
            % {"from": Case.Status(case.status).label, "to": Case.Status(status).label},
            field="status",
        )
    previous = case.status
    now = timezone.now()
    case.status = status
    # The clock pauses while the case waits on the customer, and stops once resolved.
    if status == S.WAITING:
        sla.sla_pause(case, now)
    elif previous == S.WAITING:
        sla.sla_resume(case, now)
    if status == S.RESOLVED:
        case.resolved_at = (case.resolved_at or now) if restore else now
        case.closed_at = None
    elif status == S.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    elif status == S.REOPENED or restore:
        case.resolved_at = None
        case.closed_at = None
    case.save(
        update_fields=[
            "status",
            "resolved_at",
            "closed_at",
            "updated_at",
            "sla_paused_at",
            "sla_paused_minutes",
            "first_response_due",
            "resolution_due",
        ]
    )
    if note.strip():
        _message(case, kind=CaseMessage.Kind.NOTE, body=note, by=by)
    interaction_record(
        customer_id=case.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=(
            _("Case %(ref)s: %(from)s → %(to)s")
            % {
                "ref": case.reference,
                "from": Case.Status(previous).label,
                "to": Case.Status(status).label,
            }
        )[:200],
        related=case,
        metadata={"kind": "case", "status": status},
    )
    if status == S.RESOLVED and not restore:
        from .csat import survey_send_safely

        transaction.on_commit(lambda: survey_send_safely(case))
    emit(
        "case.status_changed",
        case_id=case.pk,
        customer_id=case.customer_id,
        from_status=previous,
        to_status=status,
        by=by.pk if by else None,
    )
    return case


def _message(case: Case, *, kind: str, body: str, by: User | None) -> CaseMessage:
    message = CaseMessage(case=case, kind=kind, body=body.strip(), author=by)
    rules_for(CaseMessage).check(message)
    message.save()
    emit(
        "case.message_added",
        case_id=case.pk,
        message_id=message.pk,
        kind=kind,
        by=by.pk if by else None,
    )
    return message


@transaction.atomic
def case_message_add(
    *,
    by: User | None,
    case_id: int,
    body: str,
    kind: str = CaseMessage.Kind.REPLY,
    interaction: Interaction | None = None,
    attachments=(),
) -> CaseMessage:
    """Add a reply to the customer, a message from him, or an internal note.

    ``interaction``: the contact a channel already put on the timeline for it (an
    inbound e-mail, with its attachments): linked instead of recording another.
    ``attachments``: files kept with the message (``services/attachment.py``: at most
    five, each under ``PANORAMA_CASE_ATTACHMENT_MAX_BYTES``, documents and images only;
    else 422 naming the file, nothing written); a reply's go out with its e-mail.

    A reply or a customer message goes on the timeline (on the case's channel); an
    internal note does not (and is never sent). A reply to a case opened by e-mail, or
    whose customer has an e-mail address, is sent to him by e-mail after the commit (by
    SMS for a case that came by SMS)
    (``services/reply.py``; its ``delivery`` says how it went). A closed case takes no
    reply nor message (reopen it first); the first reply records the case's first
    response. A customer message on a case waiting on him moves it back to open
    (``case_set_status``: the SLA clock resumes, the change is on the timeline).
    """
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    _choice(kind, CaseMessage.Kind, "kind", _("Unknown message kind %(value)s."))
    if not (body or "").strip():
        raise ValidationFailed(_("A message cannot be empty."), field="body")
    if case.status == S.CLOSED and kind != CaseMessage.Kind.NOTE:
        raise Conflict(
            _("Case %(ref)s is closed: reopen it to write to the customer.")
            % {"ref": case.reference},
            field="body",
        )
    uploads = uploads_check(attachments)
    message = _message(case, kind=kind, body=body, by=by)
    attachments_save(message, uploads)
    reply = kind == CaseMessage.Kind.REPLY
    if interaction is not None:
        message.interaction = interaction
        message.save(update_fields=["interaction"])
    elif reply and reply_channel(case):
        # It goes out (e-mail, SMS) after the commit; what is sent is its timeline entry.
        message.delivery = CaseMessage.Delivery.PENDING
        message.save(update_fields=["delivery"])
        transaction.on_commit(lambda: reply_deliver(message.pk))
    elif kind != CaseMessage.Kind.NOTE:
        message.interaction = interaction_record(
            customer_id=case.customer_id,
            by=None,
            agent=by if reply else None,
            channel=case.channel,
            direction=Interaction.Direction.OUTBOUND if reply else Interaction.Direction.INBOUND,
            subject=(
                (_("Reply on case %(ref)s") if reply else _("Customer wrote on case %(ref)s"))
                % {"ref": case.reference}
            ),
            body=message.body,
            related=case,
            # The ficha names the files it came with.
            metadata={"kind": "case_message", "message_id": message.pk}
            | ({"files": [u.name for u in uploads]} if uploads else {}),
        )
        message.save(update_fields=["interaction"])
    if reply and interaction is None and case.first_response_at is None:
        case.first_response_at = message.created_at
        case.save(update_fields=["first_response_at", "updated_at"])
    if kind == CaseMessage.Kind.CUSTOMER and case.status == S.WAITING:
        # The customer answered what the case waited for: open again, the clock runs.
        case_set_status(
            by=by,
            case_id=case.pk,
            status=S.OPEN,
            note=_("The customer answered: the case is open again and its SLA clock runs."),
        )
    return message
