"""The call management API: the PBX's webhook (public, signed with the PBX's secret),
calls (an agent's own, a manager's teams') and callback requests."""

import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed
from panorama.core.pagination import Keyset

from .. import selectors
from ..models import CallbackRequest
from ..services import call as calls
from ..services import callback as callbacks

router = Router(tags=["calls"])


# --- schemas (the API's own shapes, never "all fields") ----------------------------------


class PbxEventIn(Schema):
    """One PBX event (docs/pbx.md). Signed: ``X-Panorama-Signature: sha256=<hex
    HMAC-SHA256 of the raw body with the PBX's secret>``, or ``Authorization: Bearer
    <secret>``."""

    event: str = Field(description="ringing, answered, ended or callback")
    call_id: str = Field("", description="the PBX's id of the call (unique per PBX)")
    caller: str = Field("", description="the caller's number, any format")
    dialled: str = Field("", description="the number dialled")
    extension: str = Field("", description="the agent's extension that rings (ringing)")
    timestamp: str = Field("", description="when it happened, ISO 8601 (default: now)")
    outcome: str = Field("", description="ended: answered, missed, busy, failed, voicemail")
    duration: int | None = Field(None, description="ended: seconds talked")
    wrap_up: str = Field("", description="ended: the wrap-up code the agent chose on the phone")
    window_start: str = Field("", description="callback: call from (ISO 8601)")
    window_end: str = Field("", description="callback: call until (ISO 8601)")
    reason: str = Field("", description="callback: why")
    queue_id: int | None = Field(None, description="callback: the queue to put it in")


class PbxEventOut(Schema):
    detail: str
    call: int | None
    callback: int | None


class CallOut(Schema):
    id: int
    call_id: str
    direction: str
    status: str
    caller_number: str
    dialled_number: str
    extension: str
    agent_id: int | None
    customer_id: int | None
    started_at: datetime.datetime
    answered_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    duration_seconds: int | None
    outcome: str
    wrap_up_code: str
    notes: str
    case_id: int | None


class CallPageOut(Schema):
    items: list[CallOut]
    next_cursor: str | None


class DialIn(Schema):
    number: str = Field(max_length=40)
    customer_id: int | None = None


class LinkIn(Schema):
    customer_id: int


class CallLogIn(Schema):
    notes: str = ""
    wrap_up_code: str = ""
    open_case: bool = False
    subject: str = ""
    queue_id: int | None = None
    priority: str = "normal"


class CallbackIn(Schema):
    phone: str = ""
    customer_id: int | None = None
    name: str = ""
    window_start: datetime.datetime | None = None
    window_end: datetime.datetime | None = None
    reason: str = ""
    queue_id: int | None = None
    assigned_to_id: int | None = None


class CallbackOut(Schema):
    id: int
    customer_id: int | None
    name: str
    phone: str
    window_start: datetime.datetime
    window_end: datetime.datetime
    reason: str
    source: str
    status: str
    queue_id: int | None
    assigned_to_id: int | None
    escalated_at: datetime.datetime | None
    done_at: datetime.datetime | None
    outcome: str
    created_at: datetime.datetime


class CallbackPageOut(Schema):
    items: list[CallbackOut]
    next_cursor: str | None


class CallbackCloseIn(Schema):
    status: str = "done"
    outcome: str = ""


class CallbackAssignIn(Schema):
    assigned_to_id: int | None = None


# --- the PBX's webhook ------------------------------------------------------------------------


@router.post(
    "/telephony/{pbx_id}/events",
    auth=None,
    response={200: PbxEventOut, 201: PbxEventOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PbxEventIn.model_json_schema()}},
        }
    },
)
def telephony_event(request, pbx_id: int):
    """A PBX reports a call event (docs/pbx.md). The raw body is what is signed, so it is
    read here, checked, then parsed; a refusal is 401/404/422 JSON and logged."""
    authorization = request.headers.get("Authorization", "")
    result = calls.call_event_receive(
        pbx_id=pbx_id,
        body=request.body,
        signature=request.headers.get("X-Panorama-Signature", ""),
        bearer=authorization[7:] if authorization[:7].lower() == "bearer " else "",
    )
    return Status(
        result.status,
        {
            "detail": result.message,
            "call": result.call.pk if result.call else None,
            "callback": result.callback_id,
        },
    )


# --- calls --------------------------------------------------------------------------------------

NEWEST = Keyset("-id", types=(int,))


@router.get("/calls", response=CallPageOut)
def call_list(
    request,
    agent_id: int | None = None,
    customer_id: int | None = None,
    cursor: str = "",
    limit: int = 50,
):
    qs = selectors.calls_visible_to(request.user)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    page = NEWEST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/calls/dial", response={201: CallOut})
def call_dial(request, payload: DialIn):
    """Click-to-call: the agent's PBX is asked to call ``number`` from his extension."""
    return Status(
        201,
        calls.call_dial(by=request.user, number=payload.number, customer_id=payload.customer_id),
    )


@router.get("/calls/{call_id}", response=CallOut)
def call_detail(request, call_id: int):
    return calls.call_get(user=request.user, call_id=call_id)


@router.post("/calls/{call_id}/link", response=CallOut)
def call_link(request, call_id: int, payload: LinkIn):
    return calls.call_link_customer(
        by=request.user, call_id=call_id, customer_id=payload.customer_id
    )


@router.post("/calls/{call_id}/log", response=CallOut)
def call_log(request, call_id: int, payload: CallLogIn):
    return calls.call_log(by=request.user, call_id=call_id, **payload.dict())


# --- callbacks ----------------------------------------------------------------------------------

EARLIEST = Keyset("id", types=(int,))  # oldest request first


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first() if 0 < user_id < 2**62 else None
    if user is None:
        raise ValidationFailed(_("User %(id)s does not exist.") % {"id": user_id}, field=field)
    return user


@router.get("/callbacks", response=CallbackPageOut)
def callback_list(
    request,
    status: str = "open",
    assigned_to_id: int | None = None,
    cursor: str = "",
    limit: int = 50,
):
    qs = selectors.callbacks_visible_to(request.user)
    if status:
        if status not in CallbackRequest.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if assigned_to_id is not None:
        qs = qs.filter(assigned_to_id=assigned_to_id)
    page = EARLIEST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/callbacks", response={201: CallbackOut})
def callback_create(request, payload: CallbackIn):
    callback = callbacks.callback_request_create(
        by=request.user,
        source=CallbackRequest.Source.AGENT,
        phone=payload.phone,
        customer_id=payload.customer_id,
        name=payload.name,
        window_start=payload.window_start,
        window_end=payload.window_end,
        reason=payload.reason,
        queue_id=payload.queue_id,
        assigned_to=_user(payload.assigned_to_id, "assigned_to_id"),
    )
    return Status(201, callback)


@router.post("/callbacks/{callback_id}/close", response=CallbackOut)
def callback_close(request, callback_id: int, payload: CallbackCloseIn):
    return callbacks.callback_close(
        by=request.user, callback_id=callback_id, status=payload.status, outcome=payload.outcome
    )


@router.post("/callbacks/{callback_id}/assign", response=CallbackOut)
def callback_assign(request, callback_id: int, payload: CallbackAssignIn):
    return callbacks.callback_assign(
        by=request.user,
        callback_id=callback_id,
        assigned_to=_user(payload.assigned_to_id, "assigned_to_id"),
    )
