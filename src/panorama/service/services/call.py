"""Calls: the PBX's events (ringing, answered, ended, a callback asked in the IVR), the
screen pop they leave for the agent's browser, what the agent does with the call
(link a customer, log it, open a case) and click-to-call.

The PBX authenticates each request with its secret (``pbx_requests.py``, docs/pbx.md): an
``X-Panorama-Signature: sha256=<hex HMAC-SHA256 of the body>`` header, or
``Authorization: Bearer <secret>``; both compared in constant time. A refused or
malformed event is answered 4xx, logged, and writes nothing (one transaction)."""

import datetime
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from panorama.customers import identifiers
from panorama.customers.selectors import customer_get, identify

from ..models import Call, CallEvent, Extension, Pbx
from .pbx_requests import (
    event_parse,
    event_text,
    event_when,
    pbx_authenticate,
    phone_number,
    signature_for,
)

log = logging.getLogger("panorama.telephony")

EVENT_KEEP = datetime.timedelta(days=1)


class PbxUnavailable(DomainError):
    status_code = 502
    code = "pbx_unavailable"


# --- the webhook ---------------------------------------------------------------------------


@dataclass
class EventResult:
    call: Call | None
    status: int  # 201 a new call, 200 an update
    message: str
    callback_id: int | None = None


def _extension(pbx: Pbx, number: str) -> Extension:
    ext = (
        Extension.objects.filter(pbx=pbx, number=number, active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if ext is None:
        raise ValidationFailed(
            _("Unknown extension %(ext)s on this PBX.") % {"ext": number}, field="extension"
        )
    return ext


def _call(pbx: Pbx, call_id: str, *, for_update: bool = True) -> Call:
    qs = Call.objects.filter(pbx=pbx, call_id=call_id)
    call = (qs.select_for_update() if for_update else qs).first()
    if call is None:
        raise NotFound(_("Unknown call %(id)s.") % {"id": call_id})
    return call


def notify(call: Call, kind: str) -> None:
    """Leave a notification for the call's agent's pages (the stream picks it up)."""
    if call.agent_id is None:
        return
    CallEvent.objects.create(user_id=call.agent_id, call=call, kind=kind)


def _ringing(pbx: Pbx, data: dict) -> EventResult:
    call_id = event_text(data, "call_id", required=True)
    ext = _extension(pbx, event_text(data, "extension", required=True, max_length=20))
    caller = phone_number(event_text(data, "caller", max_length=40))
    dialled = event_text(data, "dialled", max_length=40)
    started = event_when(data, "timestamp", None) or timezone.now()
    existing = Call.objects.select_for_update().filter(pbx=pbx, call_id=call_id).first()
    if existing is not None:
        if existing.status != Call.Status.RINGING or existing.agent_id == ext.user_id:
            # The PBX sent it again: nothing new to pop.
            return EventResult(existing, 200, _("Already known."))
        existing.agent, existing.extension = ext.user, ext.number  # transferred
        existing.save(update_fields=["agent", "extension"])
        notify(existing, CallEvent.Kind.RINGING)
        return EventResult(existing, 200, _("Transferred."))
    # The caller as the agent sees him: through identify, in the agent's scope. Several
    # customers on one number (a family phone) stay unlinked: the pop lets him choose.
    matches = identify(user=ext.user, value=caller, kind="phone") if caller else []
    call = Call(
        pbx=pbx,
        call_id=call_id,
        direction=Call.Direction.INBOUND,
        status=Call.Status.RINGING,
        caller_number=caller,
        dialled_number=dialled,
        extension=ext.number,
        agent=ext.user,
        customer=matches[0].customer if len(matches) == 1 else None,
        started_at=started,
    )
    call.save()
    notify(call, CallEvent.Kind.RINGING)
    # Forget the notifications nobody needs any more (an indexed range, a few rows).
    CallEvent.objects.filter(created_at__lt=timezone.now() - EVENT_KEEP).delete()
    emit(
        "call.received",
        call_id=call.pk,
        customer_id=call.customer_id,
        agent_id=call.agent_id,
        matches=len(matches),
    )
    return EventResult(call, 201, _("Call received."))


def _answered(pbx: Pbx, data: dict) -> EventResult:
    call = _call(pbx, event_text(data, "call_id", required=True))
    if call.status in (Call.Status.RINGING, Call.Status.REQUESTED):
        call.status = Call.Status.ANSWERED
        call.answered_at = event_when(data, "timestamp", timezone.now())
        call.save(update_fields=["status", "answered_at"])
        notify(call, CallEvent.Kind.ANSWERED)
    return EventResult(call, 200, _("Call answered."))


def _ended(pbx: Pbx, data: dict) -> EventResult:
    call = _call(pbx, event_text(data, "call_id", required=True))
    if call.status == Call.Status.ENDED:
        return EventResult(call, 200, _("Already ended."))
    outcome = event_text(data, "outcome", max_length=10) or (
        Call.Outcome.ANSWERED if call.answered_at else Call.Outcome.MISSED
    )
    if outcome not in Call.Outcome.values:
        raise ValidationFailed(
            _("outcome must be one of: %(values)s.") % {"values": ", ".join(Call.Outcome.values)},
            field="outcome",
        )
    ended = event_when(data, "timestamp", timezone.now())
    assert ended is not None
    duration = data.get("duration")
    if duration is None:
        start = call.answered_at or call.started_at
        duration = max(0, int((ended - start).total_seconds())) if call.answered_at else 0
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration < 86400:
        raise ValidationFailed(
            _("duration must be a whole number of seconds (0 to 86399)."), field="duration"
        )
    call.status = Call.Status.ENDED
    call.ended_at = ended
    call.duration_seconds = duration
    call.outcome = outcome
    call.wrap_up_code = event_text(data, "wrap_up", max_length=40) or call.wrap_up_code
    call.save(update_fields=["status", "ended_at", "duration_seconds", "outcome", "wrap_up_code"])
    _timeline(call)
    notify(call, CallEvent.Kind.ENDED)
    emit(
        "call.ended",
        call_id=call.pk,
        customer_id=call.customer_id,
        agent_id=call.agent_id,
        outcome=call.outcome,
        duration_seconds=call.duration_seconds or 0,
    )
    return EventResult(call, 200, _("Call ended."))


def _timeline(call: Call) -> None:
    """The ended call on its customer's timeline, with its agent (once)."""
    if call.customer_id is None or call.interaction_id is not None or call.ended_at is None:
        return
    inbound = call.direction == Call.Direction.INBOUND
    subject = (_("Call from %(number)s") if inbound else _("Call to %(number)s")) % {
        "number": call.number or _("unknown number")
    }
    outcome = call.get_outcome_display() if call.outcome else ""
    if call.wrap_up_code:
        outcome = f"{outcome} · {call.wrap_up_code}" if outcome else call.wrap_up_code
    call.interaction = interaction_record(
        customer_id=call.customer_id,
        by=None,
        agent=call.agent,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND if inbound else Interaction.Direction.OUTBOUND,
        subject=subject[:200],
        body=call.notes,
        outcome=outcome[:100],
        occurred_at=call.started_at,
        duration_seconds=call.duration_seconds,
        related=None,
        metadata={"kind": "call", "call_id": call.pk, "pbx_call_id": call.call_id},
    )
    call.save(update_fields=["interaction"])


def _callback(pbx: Pbx, data: dict) -> EventResult:
    from .callback import callback_request_create

    call = None
    call_id = event_text(data, "call_id")
    if call_id:
        call = Call.objects.filter(pbx=pbx, call_id=call_id).first()
    phone = event_text(data, "caller", max_length=40) or (call.caller_number if call else "")
    queue_id = data.get("queue_id")
    if queue_id is not None and (isinstance(queue_id, bool) or not isinstance(queue_id, int)):
        raise ValidationFailed(_("queue_id must be a whole number."), field="queue_id")
    callback = callback_request_create(
        by=None,
        source="ivr",
        phone=phone,
        window_start=event_when(data, "window_start", None),
        window_end=event_when(data, "window_end", None),
        reason=event_text(data, "reason", max_length=2000),
        queue_id=queue_id,
        call=call,
    )
    return EventResult(call, 201, _("Callback requested."), callback_id=callback.pk)


HANDLERS = {"ringing": _ringing, "answered": _answered, "ended": _ended, "callback": _callback}


def call_event_receive(
    *, pbx_id: int, body: bytes, signature: str = "", bearer: str = ""
) -> EventResult:
    """Authenticate, parse and apply one PBX event, in one transaction. A refusal is
    logged (PBX, event, reason) and raised for a 4xx answer; nothing is written."""
    kind = "?"
    try:
        pbx = pbx_authenticate(pbx_id=pbx_id, body=body, signature=signature, bearer=bearer)
        data = event_parse(body)
        kind = data["event"]
        with transaction.atomic():
            return HANDLERS[kind](pbx, data)
    except DomainError as exc:
        log.warning(
            "Telephony event refused: pbx=%s event=%s status=%s field=%s: %s",
            pbx_id,
            kind,
            exc.status_code,
            exc.field or "",
            exc.message,
        )
        raise


# --- what the agent does with a call --------------------------------------------------------


def call_get(*, user: User, call_id: int, for_update: bool = False) -> Call:
    from ..selectors import calls_visible_to

    qs = calls_visible_to(user)
    qs = qs.select_for_update(of=("self",)) if for_update else qs
    call = qs.select_related("customer", "agent", "case").filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call %(id)s does not exist or is not visible to you.") % {"id": call_id})
    return call


@transaction.atomic
def call_link_customer(*, by: User, call_id: int, customer_id: int) -> Call:
    """Say who was on the phone (an unknown or shared number); an ended call then lands
    on that customer's timeline."""
    ensure_can(by, "service.edit")
    call = call_get(user=by, call_id=call_id, for_update=True)
    customer = customer_get(user=by, customer_id=customer_id)
    if call.customer_id not in (None, customer.pk) and call.interaction_id is not None:
        raise Conflict(
            _("This call is already on another customer's timeline."), field="customer_id"
        )
    call.customer = customer
    call.save(update_fields=["customer"])
    _timeline(call)
    emit("call.linked", call_id=call.pk, customer_id=customer.pk, case_id=call.case_id, by=by.pk)
    return call


@transaction.atomic
def call_log(
    *,
    by: User,
    call_id: int,
    notes: str = "",
    wrap_up_code: str = "",
    open_case: bool = False,
    subject: str = "",
    queue_id: int | None = None,
    priority: str = "normal",
) -> Call:
    """The agent's notes and wrap-up on a call, and a case opened from it (on the
    phone channel, linked to the call)."""
    from .case import case_open

    ensure_can(by, "service.edit")
    call = call_get(user=by, call_id=call_id, for_update=True)
    call.notes = (notes or "").strip()
    wrap = (wrap_up_code or "").strip()
    if len(wrap) > 40:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": 40}, field="wrap_up_code")
    call.wrap_up_code = wrap or call.wrap_up_code
    if open_case:
        if call.customer_id is None:
            raise ValidationFailed(
                _("Link the call to a customer before opening a case."), field="customer"
            )
        if call.case_id is not None:
            raise Conflict(_("A case was already opened from this call."), field="subject")
        call.case = case_open(
            by=by,
            customer_id=call.customer_id,
            subject=subject or _("Call from %(number)s") % {"number": call.number},
            description=call.notes,
            channel=Interaction.Channel.PHONE,
            priority=priority,
            queue_id=queue_id,
            owner=by,
        )
    call.save(update_fields=["notes", "wrap_up_code", "case"])
    if call.interaction_id is not None and call.notes:
        Interaction.objects.filter(pk=call.interaction_id).update(body=call.notes)
    emit(
        "call.linked",
        call_id=call.pk,
        customer_id=call.customer_id,
        case_id=call.case_id,
        by=by.pk,
    )
    return call


# --- click-to-call ----------------------------------------------------------------------------


def extension_of(user: User) -> Extension | None:
    return (
        Extension.objects.filter(user=user, active=True, pbx__active=True)
        .select_related("pbx")
        .order_by("id")
        .first()
    )


def call_dial(*, by: User, number: str, customer_id: int | None = None) -> Call:
    """Ask the agent's PBX to call ``number`` from his extension: a signed POST of
    ``{"action": "dial", "extension", "number", "call_id"}`` to the PBX's outbound URL
    (docs/pbx.md). The call is kept as *requested*; the PBX's answer other than 2xx
    (or none within 5 s) marks it *failed* and is reported (502)."""
    ensure_can(by, "service.call")
    ext = extension_of(by)
    if ext is None or not ext.pbx.outbound_url:
        raise Conflict(_("Your extension's PBX takes no click-to-call requests."), field="number")
    try:
        e164 = identifiers.normalise_phone(number)
    except ValidationFailed:
        raise ValidationFailed(
            _("%(value)s is not a valid phone number.") % {"value": number}, field="number"
        ) from None
    customer = customer_get(user=by, customer_id=customer_id) if customer_id else None
    if customer is None:
        matches = identify(user=by, value=e164, kind="phone")
        customer = matches[0].customer if len(matches) == 1 else None
    with transaction.atomic():
        call = Call(
            pbx=ext.pbx,
            call_id="",
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.REQUESTED,
            caller_number=ext.number,
            dialled_number=e164,
            extension=ext.number,
            agent=by,
            customer=customer,
            started_at=timezone.now(),
        )
        call.save()
        call.call_id = f"panorama-{call.pk}"
        call.save(update_fields=["call_id"])
    body = json.dumps(
        {"action": "dial", "call_id": call.call_id, "extension": ext.number, "number": e164}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL set by an administrator
        ext.pbx.outbound_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Panorama-Signature": signature_for(ext.pbx.secret, body),
            "User-Agent": "Panorama",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.PANORAMA_PBX_TIMEOUT) as answer:  # noqa: S310
            ok = 200 <= answer.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("Click-to-call to %s failed: %s", ext.pbx.outbound_url, exc)
        ok = False
    if not ok:
        Call.objects.filter(pk=call.pk).update(status=Call.Status.FAILED, outcome="failed")
        raise PbxUnavailable(
            _("The PBX did not accept the call request: try again or dial by hand."),
            field="number",
        )
    emit(
        "call.dialled",
        call_id=call.pk,
        customer_id=call.customer_id,
        agent_id=by.pk,
        number=e164,
    )
    return call
