"""The widget's public endpoints (no login, no CSRF token): the site's public key, its
allowed origins (and Panorama's own, for the portal's pages), the visitor's conversation
token, size limits and a rate limit per address protect them; CORS answers only the
site's origins. Every refusal is a 4xx with a JSON ``detail`` the widget shows as it is.
On the portal's own pages (same origin) a customer signed in to the portal is who
starts the chat: ``_portal_customer`` reads the server's portal session.

``GET  w/<key>/``                   on line?, the form's words in the visitor's language
``POST w/<key>/start/``             start a chat (or leave a message when nobody is on line)
``POST w/<key>/<token>/send/``      the visitor writes
``GET  w/<key>/<token>/stream/``    server-sent events (``message``), else ``poll``
``GET  w/<key>/<token>/messages/``  the polling fallback (``?after=``)
``POST w/<key>/<token>/close/``     the visitor ends the chat
"""

import json
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from panorama.automation.models import TrackedSite
from panorama.automation.services.tracking import origin_check, site_for_key
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.http import client_ip, own_origin

from . import selectors, services
from .models import Conversation
from .stream import start_after, stream_response

MAX_BODY = 16 * 1024  # bytes of one request


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


def _origin(request) -> str:
    origin = request.headers.get("Origin", "")
    if origin:
        return origin
    # A same-origin GET (EventSource) sends no Origin: its Referer tells the page.
    referer = urlsplit(request.headers.get("Referer", ""))
    return f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""


def _cors(request, response: HttpResponse, site: TrackedSite | None) -> HttpResponse:
    origin = request.headers.get("Origin", "").rstrip("/")
    if site is not None and origin and origin in site.origin_list():
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Last-Event-ID"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _error(request, exc: DomainError, site: TrackedSite | None) -> HttpResponse:
    body = {"detail": str(exc.message), "code": exc.code, "errors": exc.errors}
    response = JsonResponse(body, status=exc.status_code)
    if isinstance(exc, services.ChatThrottled):
        response["Retry-After"] = str(exc.retry_after)
    return _cors(request, response, site)


def _json(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise TooLarge(_("A chat request is at most 16 KB."), field="body")
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        raise ValidationFailed(_("The body is not JSON."), field="body") from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), field="body")
    return data


def _endpoint(method: str):
    """Site, origin and (for writes) rate limit checked; DomainErrors as JSON 4xx; the
    one method the endpoint takes, and OPTIONS (the CORS preflight)."""
    return lambda handler: _wrap(handler, method)


def _wrap(handler, method: str):
    @login_not_required
    @csrf_exempt
    @require_http_methods([method, "OPTIONS"])
    def view(request, public_key: str, **kwargs):
        site = None
        try:
            site = site_for_key(public_key)
            if request.method == "OPTIONS":
                return _cors(request, HttpResponse(status=204), site)
            origin_check(site, _origin(request), own_origin=own_origin(request))
            if request.method == "POST":
                services.chat_throttle(site_id=site.pk, address=client_ip(request))
            response = handler(request, site, **kwargs)
        except DomainError as exc:
            return _error(request, exc, site)
        return _cors(request, response, site)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _portal_customer(request):
    """The customer signed in to the portal, from the server's portal session, and only
    for a request from Panorama's own pages (the portal's): never an id the browser
    posts, and never for another site's page, even one listed on the tracked site."""
    if _origin(request).rstrip("/").lower() != own_origin(request).lower():
        return None
    from panorama.portal.access import portal_customer  # the one way into the portal

    customer, _expired = portal_customer(request)
    return customer


def _texts() -> dict:
    return {
        "title": _("Chat with us"),
        "open": _("Chat"),
        "close": _("Close"),
        "name": _("Your name"),
        "email": _("E-mail (optional)"),
        "phone": _("Phone (optional)"),
        "message": _("Your message"),
        "consent": services.consent_text(),
        "start": _("Start the chat"),
        "send": _("Send"),
        "write": _("Write a message"),
        "end": _("End the chat"),
        "offline": _("No one is on line now: leave us a message and we will answer you."),
        "leave": _("Send the message"),
        "left": _("Thank you: we have your message and will answer you soon."),
        "waiting": _("Thank you: an agent will be with you in a moment."),
        "closed": _("The chat was closed. Thank you."),
    }


@_endpoint("GET")
def widget_status(request, site):
    customer = _portal_customer(request)
    texts = _texts()
    if customer is not None:
        texts["signed_in"] = _("You are signed in as %(name)s: no need to tell us who you are.") % {
            "name": customer.display_name or customer
        }
    return JsonResponse(
        {"online": services.agents_online(), "texts": texts, "signed_in": customer is not None}
    )


@_endpoint("POST")
def widget_start(request, site):
    conversation = services.chat_start(
        site=site, data=_json(request), customer=_portal_customer(request)
    )
    offline = conversation.status == Conversation.Status.OFFLINE
    return JsonResponse(
        {
            "token": None if offline else conversation.token,
            "status": conversation.status,
            "messages": []
            if offline
            else selectors.message_rows(conversation_id=conversation.pk, after=0, for_agent=False),
        },
        status=201,
    )


@_endpoint("POST")
def widget_send(request, site, token: str):
    conversation = services.conversation_for_visitor(site=site, token=token)
    data = _json(request)
    message = services.chat_visitor_send(conversation=conversation, body=data.get("body"))
    return JsonResponse({"id": message.pk}, status=201)


@_endpoint("POST")
def widget_close(request, site, token: str):
    conversation = services.conversation_for_visitor(site=site, token=token)
    services.chat_close(by=None, conversation_id=conversation.pk)
    return JsonResponse({"status": Conversation.Status.CLOSED})


@_endpoint("GET")
def widget_messages(request, site, token: str):
    conversation = services.conversation_for_visitor(site=site, token=token)
    rows = selectors.message_rows(
        conversation_id=conversation.pk, after=start_after(request), for_agent=False
    )
    return JsonResponse({"messages": rows})


@_endpoint("GET")
def widget_stream(request, site, token: str):
    conversation = services.conversation_for_visitor(site=site, token=token)
    return stream_response(
        after=start_after(request),
        fetch=lambda after: selectors.message_rows(
            conversation_id=conversation.pk, after=after, for_agent=False
        ),
    )
