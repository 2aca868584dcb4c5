"""The links in a campaign e-mail, followed by recipients who are not signed in: the
unsubscribe page and its one-click POST (RFC 8058), the open pixel, tracked links.
A tampered token answers 400; a replayed unsubscribe answers the same page again."""

import base64

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.signing import BadSignature
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from panorama.core.exceptions import DomainError, ValidationFailed

from ..messages import language_of
from ..services import signups, tracking
from ..services.links import token_read

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _bad() -> HttpResponse:
    return HttpResponseBadRequest(_("This link is not valid."), content_type="text/plain")


@login_not_required
@csrf_exempt  # a mail client posts "List-Unsubscribe=One-Click" with no session or token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a confirmation button (a link scanner's GET must not unsubscribe);
    POST unsubscribes at once, from the button or the mail client's one click."""
    try:
        recipient_id = token_read(token, "unsubscribe")["r"]
    except BadSignature:
        return _bad()
    from ..models import Recipient

    recipient = (
        Recipient.objects.select_related("customer", "campaign").filter(pk=recipient_id).first()
    )
    if recipient is None:
        return _bad()
    with translation.override(language_of(recipient.customer)):
        if request.method == "POST":
            try:
                recipient, _done = tracking.recipient_unsubscribe(token=token)
            except BadSignature:
                return _bad()
        return render(request, "marketing/unsubscribe.html", {"recipient": recipient})


@login_not_required
@never_cache
@require_GET
def open_pixel(request, token: str):
    try:
        tracking.recipient_open(token=token)
    except BadSignature:
        return _bad()
    return HttpResponse(PIXEL, content_type="image/gif")


@login_not_required
@never_cache
@require_GET
def journey_open(request, token: str):
    from ..services.journeys import journey_message_open

    try:
        journey_message_open(token=token)
    except BadSignature:
        return _bad()
    return HttpResponse(PIXEL, content_type="image/gif")


@login_not_required
@never_cache
@require_GET
def journey_click(request, token: str):
    from ..services.journeys import journey_message_click

    try:
        url = journey_message_click(token=token)
    except BadSignature:
        return _bad()
    return HttpResponseRedirect(url)


@login_not_required
@never_cache
@require_GET
def click(request, token: str):
    try:
        url = tracking.recipient_click(token=token)
    except BadSignature:
        return _bad()
    return HttpResponseRedirect(url)


# --- sign-up forms (double opt-in) ---------------------------------------------------------


def _public_error(request, exc: DomainError, status: int | None = None):
    return render(
        request,
        "marketing/signup_done.html",
        {"error": str(exc.message)},
        status=status or exc.status_code,
    )


@login_not_required
@csrf_exempt  # embedded on other sites: the form's token, the honeypot and the rate limit
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request, token: str):
    """A list's public sign-up page: GET the form, POST asks for the confirmation mail."""
    from panorama.core.http import client_ip
    from panorama.sales.services.lead_webform import webform_throttle_hit

    try:
        form = signups.signup_form_public(token=token)
    except DomainError as exc:
        return _public_error(request, exc)
    language = translation.get_language() or "es"
    context = {"form": form, "text": form.consent_text(language[:2]), "values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            webform_throttle_hit(address=client_ip(request))
            signups.optin_request(
                form=form, values=request.POST.dict(), ip=client_ip(request), language=language
            )
        except ValidationFailed as exc:
            context["error"] = str(exc.message)
            return render(request, "marketing/signup.html", context, status=422)
        except DomainError as exc:
            return _public_error(request, exc)
        return render(request, "marketing/signup_done.html", {"asked": True, "form": form})
    return render(request, "marketing/signup.html", context)


@login_not_required
@csrf_exempt  # followed from an e-mail, with no session
@never_cache
@require_http_methods(["GET", "POST"])
def optin_confirm(request, token: str):
    """GET shows a confirmation button (a link scanner's GET must not confirm); POST
    records the consent. A tampered link is a 400, an expired one a 410."""
    from panorama.core.http import client_ip

    try:
        optin = signups.optin_read(token)
    except DomainError as exc:
        return _public_error(request, exc)
    with translation.override(optin.language or None):
        if request.method == "POST":
            try:
                optin, _done = signups.optin_confirm(token=token, ip=client_ip(request))
            except DomainError as exc:
                return _public_error(request, exc)
            return render(request, "marketing/signup_done.html", {"optin": optin})
        return render(request, "marketing/signup_confirm.html", {"optin": optin})


@login_not_required
@csrf_exempt  # a mail client posts "List-Unsubscribe=One-Click" with no session or token
@never_cache
@require_http_methods(["GET", "POST"])
def journey_unsubscribe(request, token: str):
    from ..models import Enrolment
    from ..services.journeys import UNSUBSCRIBE_SALT, journey_unsubscribe

    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except BadSignature:
        return _bad()
    enrolment = (
        Enrolment.objects.select_related("customer")
        .filter(
            pk=payload["r"]
            if isinstance(payload, dict) and isinstance(payload.get("r"), int)
            else 0
        )
        .first()
    )
    if enrolment is None:
        return _bad()
    with translation.override(language_of(enrolment.customer)):
        if request.method == "POST":
            journey_unsubscribe(token=token)
            return render(
                request, "marketing/unsubscribe.html", {"recipient": {"unsubscribed_at": True}}
            )
        return render(request, "marketing/unsubscribe.html", {"recipient": {}})


@login_not_required
@csrf_exempt  # a mail client posts "List-Unsubscribe=One-Click" with no session or token
@never_cache
@require_http_methods(["GET", "POST"])
def customer_unsubscribe(request, token: str):
    """The link in a business rule's e-mail (it names the customer, not a campaign):
    GET a confirmation button, POST withdraws his consent to marketing e-mail."""
    from ..services.templates import template_unsubscribe, unsubscribe_customer, unsubscribed

    try:
        customer = unsubscribe_customer(token)
    except BadSignature:
        return _bad()
    with translation.override(language_of(customer)):
        if request.method == "POST":
            template_unsubscribe(token=token)
            return render(
                request, "marketing/unsubscribe.html", {"recipient": {"unsubscribed_at": True}}
            )
        done = {"unsubscribed_at": True} if unsubscribed(customer) else {}
        return render(request, "marketing/unsubscribe.html", {"recipient": done})
