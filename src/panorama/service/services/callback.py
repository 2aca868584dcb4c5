"""Callback requests: "call me back" from the portal, the public web form, the IVR or an
agent; assigned to the least loaded member of a queue; done or cancelled by the agent;
escalated to the queue's manager when still open after their window (``callback_sweep``,
run by the task worker like the SLA sweep)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers import identifiers
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import customer_get

from ..models import Call, CallbackForm, CallbackRequest, Queue, QueueMember, SlaPolicy
from ..selectors import callbacks_visible_to, queue_get

DEFAULT_WINDOW = datetime.timedelta(hours=2)
FURTHEST = datetime.timedelta(days=90)
HONEYPOT = "website"
S = CallbackRequest.Status


def least_loaded_callback_agent(*, queue: Queue) -> User | None:
    """The active member of ``queue`` with the fewest open callbacks (the longest-standing
    member on a tie), or None. Two queries."""
    members = list(
        QueueMember.objects.filter(queue=queue, active=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
    )
    if not members:
        return None
    load = dict(
        CallbackRequest.objects.filter(
            assigned_to_id__in=[m.user_id for m in members], status=S.OPEN
        )
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .values_list("assigned_to_id", "n")
    )
    return min(members, key=lambda m: load.get(m.user_id, 0)).user


def _system_customer(phone: str) -> Customer | None:
    """The one customer holding ``phone`` (none, or several: left unlinked)."""
    ids = list(
        Identity.objects.filter(
            kind=Identity.Kind.PHONE, value=phone, customer__merged_into__isnull=True
        )
        .values_list("customer_id", flat=True)
        .distinct()[:2]
    )
    return Customer.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None


def _customer_phone(customer: Customer) -> str:
    return (
        Identity.objects.filter(customer=customer, kind=Identity.Kind.PHONE)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def callback_request_create(
    *,
    by: User | None,
    source: str,
    phone: str = "",
    customer_id: int | None = None,
    name: str = "",
    window_start: datetime.datetime | None = None,
    window_end: datetime.datetime | None = None,
    reason: str = "",
    queue_id: int | None = None,
    assigned_to: User | None = None,
    call: Call | None = None,
) -> CallbackRequest:
    """Queue a callback. The window defaults to now and the next two hours. With a queue
    and no agent it goes to the queue's least loaded member; an agent's own request
    without a queue stays his."""
    if by is not None:
        ensure_can(by, "service.edit")
    if source not in CallbackRequest.Source.values:
        raise ValidationFailed(_("Unknown source %(value)s.") % {"value": source}, field="source")
    customer = customer_get(user=by, customer_id=customer_id) if customer_id else None
    phone = (phone or "").strip()
    if not phone and customer is not None:
        phone = _customer_phone(customer)
    if not phone:
        raise ValidationFailed(_("Give the phone number to call back."), field="phone")
    phone = identifiers.normalise_phone(phone)
    if customer is None:
        customer = _system_customer(phone)
        if customer is not None and by is not None:
            # Linked only when the requester may see the customer.
            from panorama.customers.selectors import customers_visible_to

            if not customers_visible_to(by).filter(pk=customer.pk).exists():
                customer = None
    now = timezone.now()
    start = window_start or now
    end = window_end or start + DEFAULT_WINDOW
    if end <= start:
        raise ValidationFailed(_("The window must end after it starts."), field="window_end")
    if start > now + FURTHEST:
        raise ValidationFailed(
            _("A callback can be asked at most 90 days ahead."), field="window_start"
        )
    if end < now - datetime.timedelta(minutes=5):
        raise ValidationFailed(_("The window is already over."), field="window_end")
    queue = queue_get(queue_id=queue_id) if queue_id is not None else None
    if assigned_to is not None and not assigned_to.is_active:
        raise ValidationFailed(
            _("%(user)s is not an active user.") % {"user": assigned_to}, field="assigned_to"
        )
    if assigned_to is None and queue is not None:
        assigned_to = least_loaded_callback_agent(queue=queue)
    if assigned_to is None and queue is None and source == CallbackRequest.Source.AGENT:
        assigned_to = by
    callback = CallbackRequest(
        customer=customer,
        name=(name or "").strip() or (customer.display_name if customer else ""),
        phone=phone,
        window_start=start,
        window_end=end,
        reason=(reason or "").strip(),
        source=source,
        queue=queue,
        assigned_to=assigned_to,
        call=call,
        created_by=by,
    )
    rules_for(CallbackRequest).check(callback)
    callback.save()
    emit(
        "callback.requested",
        callback_id=callback.pk,
        customer_id=callback.customer_id,
        source=source,
        queue_id=callback.queue_id,
        assigned_to_id=callback.assigned_to_id,
        by=by.pk if by else None,
    )
    return callback


def _get(by: User, callback_id: int) -> CallbackRequest:
    callback = (
        callbacks_visible_to(by).select_for_update(of=("self",)).filter(pk=callback_id).first()
    )
    if callback is None:
        raise NotFound(
            _("Callback %(id)s does not exist or is not visible to you.") % {"id": callback_id}
        )
    return callback


@transaction.atomic
def callback_assign(*, by: User, callback_id: int, assigned_to: User | None) -> CallbackRequest:
    ensure_can(by, "service.edit")
    callback = _get(by, callback_id)
    if callback.status != S.OPEN:
        raise Conflict(_("Only an open callback can be assigned."), field="assigned_to")
    if assigned_to is not None and not assigned_to.is_active:
        raise ValidationFailed(
            _("%(user)s is not an active user.") % {"user": assigned_to}, field="assigned_to"
        )
    callback.assigned_to = assigned_to
    callback.save(update_fields=["assigned_to"])
    emit(
        "callback.assigned",
        callback_id=callback.pk,
        assigned_to_id=callback.assigned_to_id,
        by=by.pk,
    )
    return callback


@transaction.atomic
def callback_close(
    *, by: User, callback_id: int, status: str = S.DONE, outcome: str = ""
) -> CallbackRequest:
    """Mark a callback done (called back) or cancelled, with what came of it."""
    ensure_can(by, "service.edit")
    callback = _get(by, callback_id)
    if status not in (S.DONE, S.CANCELLED):
        raise ValidationFailed(_("A callback is closed as done or cancelled."), field="status")
    if callback.status != S.OPEN:
        raise Conflict(
            _("This callback is already %(status)s.")
            % {"status": callback.get_status_display().lower()},
            field="status",
        )
    callback.status = status
    callback.outcome = (outcome or "").strip()
    callback.done_at = timezone.now()
    rules_for(CallbackRequest).check(callback)
    callback.save(update_fields=["status", "outcome", "done_at"])
    emit("callback.closed", callback_id=callback.pk, status=status, by=by.pk)
    return callback


# --- the sweep: overdue callbacks escalate ---------------------------------------------------


def _managers(queue_id: int | None, agents: set[int]) -> list[str]:
    """Who is told: the managers named on the queue's SLA policies, else the managers
    of the teams of the agents concerned."""
    emails: set[str] = set()
    if queue_id is not None:
        emails |= set(
            SlaPolicy.objects.filter(queue_id=queue_id, active=True)
            .exclude(manager_email="")
            .values_list("manager_email", flat=True)
        )
    if not emails and agents:
        emails |= set(
            User.objects.filter(managed_teams__members__in=agents, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    return sorted(emails)


def callback_sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    """Flag every open callback past its window as escalated (once) and e-mail each
    queue's manager the list. Set-based: one UPDATE, then one read of the rows marked."""
    now = now or timezone.now()
    with transaction.atomic():
        count = CallbackRequest.objects.filter(
            status=S.OPEN, window_end__lt=now, escalated_at=None
        ).update(escalated_at=now)
        rows = list(
            CallbackRequest.objects.filter(escalated_at=now, status=S.OPEN).values(
                "pk", "queue_id", "queue__name", "assigned_to_id", "name", "phone", "window_end"
            )
        )
        for row in rows:
            emit(
                "callback.escalated",
                callback_id=row["pk"],
                queue_id=row["queue_id"],
                assigned_to_id=row["assigned_to_id"],
            )
    by_queue: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_queue.setdefault(row["queue_id"], []).append(dict(row))
    mails = 0
    for queue_id, items in by_queue.items():
        recipients = _managers(
            queue_id, {r["assigned_to_id"] for r in items if r["assigned_to_id"]}
        )
        if not recipients:
            continue
        lines = [
            f"#{r['pk']} {r['name'] or '—'} {r['phone']} — "
            + _("due by %(when)s")
            % {"when": timezone.localtime(r["window_end"]).strftime("%Y-%m-%d %H:%M")}
            for r in items[:200]
        ]
        queue_name = items[0]["queue__name"] or _("no queue")
        send_mail(
            subject=_("[Panorama] %(n)s overdue callback(s) in %(queue)s")
            % {"n": len(items), "queue": queue_name},
            message=_("These callbacks were not made in time:") + "\n\n" + "\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        mails += 1
    return {"escalated": count, "mails": mails}


# --- the public web form -------------------------------------------------------------------------


def callback_form_get(*, token: str) -> CallbackForm:
    form = CallbackForm.objects.filter(token=token, active=True).first() if token else None
    if form is None:
        raise NotFound(_("This form does not exist or no longer takes submissions."))
    return form


@dataclass
class CallbackSubmission:
    callback: CallbackRequest | None  # None: the honeypot was filled, nothing was kept
    form: CallbackForm


def _value(values: dict[str, Any], name: str, limit: int) -> str:
    text = str(values.get(name) or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": limit}, field=name)
    return text


def _moment(values: dict[str, Any], name: str) -> datetime.datetime | None:
    text = _value(values, name, 40)
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ValidationFailed(_("Give a date and time as YYYY-MM-DDTHH:MM."), field=name)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def callback_form_submit(*, form: CallbackForm, values: dict[str, Any]) -> CallbackSubmission:
    """A visitor asks to be called back: name, phone, when (from/until), reason. A
    filled honeypot keeps nothing and says nothing."""
    if str(values.get(HONEYPOT) or "").strip():
        return CallbackSubmission(callback=None, form=form)
    callback = callback_request_create(
        by=None,
        source=CallbackRequest.Source.WEBFORM,
        phone=_value(values, "phone", 40),
        name=_value(values, "name", 200),
        window_start=_moment(values, "window_start"),
        window_end=_moment(values, "window_end"),
        reason=_value(values, "reason", 2000),
        queue_id=form.queue_id,
    )
    return CallbackSubmission(callback=callback, form=form)
