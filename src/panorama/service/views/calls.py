"""Call management pages: the screen-pop stream (server-sent events) and its polling
fallback, the pop's own actions (log the call, open a case, link or create the caller),
click-to-call, the agents' callbacks list, and the public callback form's endpoint.

The stream and the production server. ``panorama serve`` runs granian's WSGI interface:
a request holds one of a worker's few threads (2 per core + 1) for as long as it lasts.
So a stream is bounded twice: at most ``PANORAMA_CALL_STREAMS`` at once per process
(the next page is told to poll once a second instead), and each lasts
``PANORAMA_CALL_STREAM_SECONDS`` before the browser reconnects (``retry``, carrying
``Last-Event-ID``), which also frees the thread of a tab that was closed. Events come
from the database (``CallEvent``, polled every ``POLL_SECONDS`` by the stream), so a
webhook answered by another process reaches the agent all the same, on SQLite or
PostgreSQL, without Redis."""

import json
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError, PermissionDenied
from panorama.core.http import client_ip
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get, customers_matching, identify
from panorama.customers.services.customer import CustomerData, IdentityData, customer_create

from .. import selectors
from ..forms import CallbackNewForm, CallCustomerForm, CallLogForm
from ..lists import CALLBACKS, CALLS
from ..models import Call, CallbackRequest, CallEvent, Extension
from ..services import call as calls
from ..services import callback as callbacks

log = logging.getLogger("panorama.telephony")
POLL_SECONDS = 0.1  # how often a stream looks for new events (one indexed query)
KEEPALIVE_SECONDS = 2  # a comment line: a closed tab fails this write and frees the thread
RECENT = timedelta(seconds=60)  # a page opened during a call still gets its pop

_streams_lock = threading.Lock()
_streams_open = 0


def _take_stream() -> bool:
    global _streams_open
    with _streams_lock:
        if _streams_open >= settings.PANORAMA_CALL_STREAMS:
            return False
        _streams_open += 1
        return True


def _give_stream() -> None:
    global _streams_open
    with _streams_lock:
        _streams_open = max(0, _streams_open - 1)


def _start_after(request) -> int:
    """The last event id the page has: ``Last-Event-ID`` (a reconnect), ``?after=``, or
    the events of the last minute (a page opened during a call)."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("after", "")):
        if raw.isdigit() and len(raw) < 19:
            return int(raw)
    before = (
        CallEvent.objects.filter(user=request.user, created_at__lt=timezone.now() - RECENT)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return before or 0


def _pop_context(request, call: Call, **extra) -> dict:
    matches = []
    if call.customer_id is None and call.number:
        matches = [m.customer for m in identify(user=request.user, value=call.number, kind="phone")]
    cases = (
        selectors.open_cases_for_panel(customer=call.customer, user=request.user)
        if call.customer
        else []
    )
    return {
        "call": call,
        "customer": call.customer,
        "matches": matches,
        "open_cases": cases[:5],
        "log_form": extra.pop("log_form", None)
        or CallLogForm(
            initial={
                "subject": _("Call from %(number)s") % {"number": call.number},
                "wrap_up_code": call.wrap_up_code,
                "notes": call.notes,
            },
            prefix=f"call{call.pk}",
        ),
        "customer_form": extra.pop("customer_form", None)
        or CallCustomerForm(initial={"phone": call.number}, prefix=f"call{call.pk}"),
        **extra,
    }


def _pop_html(request, call: Call, **extra) -> str:
    return render_to_string(
        "service/calls/_pop.html", _pop_context(request, call, **extra), request=request
    )


def _events_after(request, after: int) -> list[dict]:
    rows = list(
        CallEvent.objects.filter(user=request.user, id__gt=after)
        .select_related("call", "call__customer", "call__case")
        .order_by("id")[:20]
    )
    out = []
    for row in rows:
        out.append(
            {
                "id": row.pk,
                "kind": row.kind,
                "call": row.call_id,
                "created": int(row.created_at.timestamp() * 1000),
                "html": _pop_html(request, row.call),
            }
        )
    return out


def _sse(event: str, data: dict | None = None, event_id: int | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data or {}))
    return "\n".join(lines) + "\n\n"


@require_GET
def call_stream(request):
    """The signed-in agent's screen pops as server-sent events. 204 for a user with no
    extension (the browser's EventSource then stops for good)."""
    if not Extension.objects.filter(user=request.user, active=True, pbx__active=True).exists():
        return HttpResponse(status=204)
    dial = calls.extension_of(request.user)
    hello = {"dial": bool(dial and dial.pbx.outbound_url), "extension": dial.number if dial else ""}
    if not _take_stream():
        # Every stream slot of this process is taken: this page polls instead.
        body = "retry: 60000\n\n" + _sse("poll", hello)
        return HttpResponse(body, content_type="text/event-stream")
    after = _start_after(request)

    def events():
        nonlocal after
        try:
            yield "retry: 1000\n\n" + _sse("hello", hello)
            deadline = time.monotonic() + settings.PANORAMA_CALL_STREAM_SECONDS
            quiet_since = time.monotonic()
            while time.monotonic() < deadline:
                try:
                    found = _events_after(request, after)
                except Exception:  # the database went away: end quietly, the page reconnects
                    log.warning("Screen-pop stream of user %s ended on an error", request.user.pk)
                    return
                for event in found:
                    after = event["id"]
                    yield _sse("call", event, event_id=event["id"])
                    quiet_since = time.monotonic()
                if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"  # a closed tab fails this write
                    quiet_since = time.monotonic()
                time.sleep(POLL_SECONDS)
        finally:
            _give_stream()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
    return response


@require_GET
def call_events(request):
    """The polling fallback: the events after ``?after=``, as JSON; ``agent`` false for a
    user without an extension (the page then opens no stream)."""
    if not Extension.objects.filter(user=request.user, active=True, pbx__active=True).exists():
        return JsonResponse({"agent": False, "events": [], "last": 0})
    after = _start_after(request)
    events = _events_after(request, after)
    last = events[-1]["id"] if events else after
    return JsonResponse({"agent": True, "events": events, "last": last})


def _pop_response(request, call_id: int, status: int = 200, **extra) -> HttpResponse:
    call = calls.call_get(user=request.user, call_id=call_id)
    return HttpResponse(_pop_html(request, call, **extra), status=status)


@require_GET
def call_list(request):
    """Every call the user sees (his own; his teams' for a manager; all for an admin)."""
    return list_response(request, CALLS, template="service/calls/list.html")


@require_GET
def call_pop(request, call_id: int):
    return _pop_response(request, call_id)


@require_POST
def call_log_view(request, call_id: int):
    form = CallLogForm(request.POST, prefix=f"call{call_id}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            call = calls.call_log(
                by=request.user,
                call_id=call_id,
                notes=data["notes"],
                wrap_up_code=data["wrap_up_code"],
                open_case=data["open_case"],
                subject=data["subject"],
                queue_id=data["queue"].pk if data["queue"] else None,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            done = (
                _("Case %(ref)s opened.") % {"ref": call.case.reference}
                if data["open_case"] and call.case
                else _("Call logged.")
            )
            return _pop_response(request, call_id, notice=done)
    return _pop_response(request, call_id, 422, log_form=form)


@require_POST
def call_link_view(request, call_id: int):
    customer_id = request.POST.get("customer", "")
    if not customer_id.isdigit():
        return _pop_response(request, call_id, 422, notice=_("Choose a customer."))
    calls.call_link_customer(by=request.user, call_id=call_id, customer_id=int(customer_id))
    return _pop_response(request, call_id, notice=_("Call linked to the customer."))


@require_GET
def call_find(request, call_id: int):
    """Customers matching what the agent typed, each with a "link" button."""
    call = calls.call_get(user=request.user, call_id=call_id)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    found = []
    if len(text) >= 2:
        found = [m.customer for m in identify(user=request.user, value=text)] or list(
            customers_matching(user=request.user, search=text).order_by("search_name", "id")[:8]
        )
    return render(
        request, "service/calls/_find.html", {"call": call, "found": found[:8], "q": text}
    )


@require_POST
def call_customer_create(request, call_id: int):
    """A new customer for an unknown caller, then the call is linked to him."""
    call = calls.call_get(user=request.user, call_id=call_id)
    form = CallCustomerForm(request.POST, prefix=f"call{call.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_create(
                data=CustomerData(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    identities=[IdentityData(kind="phone", value=data["phone"], is_primary=True)],
                ),
                by=request.user,
            )
            calls.call_link_customer(by=request.user, call_id=call.pk, customer_id=customer.pk)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return _pop_response(
                request, call.pk, notice=_("Customer %(name)s created.") % {"name": customer}
            )
    return _pop_response(request, call.pk, 422, customer_form=form)


@require_POST
def call_dial_view(request):
    """Click-to-call from a phone number on any page: an alert says what happened."""
    customer = request.POST.get("customer", "")
    try:
        call = calls.call_dial(
            by=request.user,
            number=request.POST.get("number", ""),
            customer_id=int(customer) if customer.isdigit() and len(customer) < 19 else None,
        )
    except DomainError as exc:
        return render(
            request,
            "service/calls/_dial.html",
            {"ok": False, "message": exc.message},
            status=exc.status_code,
        )
    return render(
        request,
        "service/calls/_dial.html",
        {
            "ok": True,
            "message": _("Calling %(number)s from extension %(ext)s…")
            % {"number": call.dialled_number, "ext": call.extension},
        },
    )


# --- callbacks ----------------------------------------------------------------------------------


@require_GET
def callback_list(request):
    return list_response(request, CALLBACKS, template="service/callbacks/list.html")


@require_http_methods(["GET", "POST"])
def callback_new(request):
    customer = None
    wanted = request.POST.get("customer") or request.GET.get("customer") or ""
    if wanted.isdigit() and len(wanted) < 19:
        customer = customer_get(user=request.user, customer_id=int(wanted))
    form = CallbackNewForm(
        request.POST if request.method == "POST" else None,
        initial={
            "customer": customer.pk if customer else None,
            "phone": request.GET.get("phone", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            callback = callbacks.callback_request_create(
                by=request.user,
                source=CallbackRequest.Source.AGENT,
                customer_id=data["customer"],
                name=data["name"],
                phone=data["phone"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                queue_id=data["queue"].pk if data["queue"] else None,
                reason=data["reason"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            who = callback.assigned_to
            messages.success(
                request,
                _("Callback recorded for %(who)s.") % {"who": who.get_full_name() or who.username}
                if who
                else _("Callback recorded."),
            )
            return redirect("service:callback_list")
    return render(
        request,
        "service/callbacks/form.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )


@require_POST
def callback_close_view(request, callback_id: int):
    status = request.POST.get("status", "done")
    try:
        callbacks.callback_close(
            by=request.user,
            callback_id=callback_id,
            status=status,
            outcome=request.POST.get("outcome", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Callback marked done.") if status == "done" else _("Callback cancelled.")
        )
    return redirect("service:callback_list")


# --- the public callback form ---------------------------------------------------------------------


def _form_error(exc: DomainError, origin: str | None) -> HttpResponse:
    response = JsonResponse(
        {"detail": str(exc.message), "code": exc.code, "errors": exc.errors},
        status=exc.status_code,
    )
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
    return _cors(response, origin)


def _cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response["Vary"] = "Origin"
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def callback_form_submit_view(request, token: str):
    """``/forms/callback/<token>/submit``: a visitor asks to be called back. No login,
    no CSRF token: the form's token (404 when wrong), the honeypot and the rate limit
    per address (the lead web form's, shared) protect it; CORS for the form's origins."""
    from panorama.sales.services.lead_webform import webform_throttle_hit

    origin = None
    try:
        form = callbacks.callback_form_get(token=token)
        sent = request.headers.get("Origin", "").rstrip("/")
        own = request.build_absolute_uri("/").rstrip("/")
        if sent and (sent == own or sent in form.origins()):
            origin = sent
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204), origin)
        if sent and origin is None:
            raise PermissionDenied(_("This site may not send this form."))
        webform_throttle_hit(address=client_ip(request))
        callbacks.callback_form_submit(form=form, values=request.POST.dict())
    except DomainError as exc:
        return _form_error(exc, origin)
    body = {"ok": True, "message": _("Thank you: we will call you back.")}
    return _cors(JsonResponse(body, status=201), origin)


@require_GET
def callback_detail(request, callback_id: int):
    from panorama.core.exceptions import NotFound

    callback = (
        selectors.callbacks_visible_to(request.user)
        .select_related("customer", "queue", "assigned_to", "call")
        .filter(pk=callback_id)
        .first()
    )
    if callback is None:
        raise NotFound(
            _("Callback %(id)s does not exist or is not visible to you.") % {"id": callback_id}
        )
    return render(request, "service/callbacks/detail.html", {"callback": callback})
