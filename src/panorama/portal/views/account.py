"""The portal's pages of the customer's own account: *My details*, *My consents*, *My
contracts* (service contracts and loyalty card), and the answer to the web-tracking
banner. Each page is the signed-in customer's only (``portal_required``; no id in the
address), and writes through ``portal.account``, i.e. the owning apps' services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.http import own_origin
from panorama.customers.models import Consent

from .. import account, email_change
from ..access import portal_customer, portal_required
from ..forms import DetailsForm
from . import TRACKING_COOKIE, _render

CONSENT_COOKIE = "pn_consent"  # the tracking snippet's own (track.js): "yes" or "no"
CONSENT_COOKIE_AGE = 60 * 60 * 24 * 395  # as long as the snippet keeps it


def _details_form(details: account.Details) -> DetailsForm:
    return DetailsForm(
        language=details.language,
        initial={
            "email": details.email,
            "phone": details.phone,
            "language": details.language,
            **details.address,
        },
    )


@require_http_methods(["GET", "POST"])
@portal_required
def details(request):
    """His contact details: shown, and changed through the customers app's services."""
    customer = request.portal_customer
    if request.method == "GET":
        form = _details_form(account.details_get(customer=customer))
        return _render(request, "portal/account/details.html", {"form": form})
    form = DetailsForm(request.POST, language=customer.language)
    form.is_valid()
    data = form.cleaned_data
    given = account.Details(
        email=data.get("email", ""),
        phone=data.get("phone", ""),
        language=data.get("language", ""),
        address={name: data.get(name, "") for name in account.ADDRESS_FIELDS},
    )
    try:
        saved = account.details_update(
            customer=customer, details=given, language=translation.get_language() or ""
        )
    except DomainError as error:  # 422 a refused value, 409 one he already holds
        form.add_domain_error(error)
        form.mark_errors()
        return _render(
            request, "portal/account/details.html", {"form": form}, status=error.status_code
        )
    if saved.email_pending:
        messages.info(
            request,
            _(
                "We sent a link to %(email)s: open it to make it the address you sign in "
                "with. Until then your e-mail stays as it was."
            )
            % {"email": saved.email_pending},
        )
    if saved.changed:
        messages.success(request, _("Saved: %(what)s.") % {"what": ", ".join(saved.changed)})
    elif not saved.email_pending:
        messages.info(request, _("Nothing changed."))
        return redirect("portal:account")
    response = redirect("portal:account")
    if given.language in dict(settings.LANGUAGES):  # the portal speaks his language now
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, given.language, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
@portal_required
def consents(request):
    """His consents, purpose by purpose and channel by channel, each a switch; saving
    records each one he changed (a withdrawal is in force at once)."""
    customer = request.portal_customer
    if request.method == "POST":
        try:
            recorded = account.consents_set(
                customer=customer, granted=set(request.POST.getlist("consent"))
            )
        except ValidationFailed as error:
            return _render(
                request,
                "portal/account/consents.html",
                {"groups": account.consents_current(customer=customer), "error": error.message},
                status=422,
            )
        messages.success(
            request,
            _("Your choices are saved and in force now.") if recorded else _("Nothing changed."),
        )
        response = redirect("portal:consents")
        for row in recorded:  # profiling is the web-tracking banner's question too
            if row.purpose == Consent.Purpose.PROFILING:
                _tracking_cookie(request, response, yes=row.granted)
        return response
    return _render(
        request,
        "portal/account/consents.html",
        {"groups": account.consents_current(customer=customer)},
    )


@require_GET
@portal_required
def contracts(request):
    """His service contracts and warranties, and his loyalty cards."""
    customer = request.portal_customer
    return _render(
        request,
        "portal/account/contracts.html",
        {
            "contracts": account.customer_contracts(customer=customer),
            "cards": account.customer_cards(customer=customer),
        },
    )


@login_not_required
@require_POST
def tracking_consent(request):
    """The web-tracking banner's answer (the sign-in pages' too): remembered in the
    tracking snippet's own cookie (``pn_consent``, what ``panorama("consent", …)`` sets),
    so the banner does not come back; an acceptance by a signed-in customer is recorded
    as his consent to profiling and analytics. The banner's script posts it and calls the
    snippet itself (204); without JavaScript the form posts it and comes back (302)."""
    decision = request.POST.get("decision")
    if decision not in ("accept", "refuse"):
        return HttpResponse(_("Accept or refuse."), status=400, content_type="text/plain")
    customer, _expired = portal_customer(request)
    if decision == "accept" and customer is not None:
        from panorama.automation.services.tracking import site_for_portal

        if site_for_portal(own_origin(request)) is not None:
            account.tracking_consent_record(customer=customer)
    if request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(status=204)
    else:
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        response = redirect(back if safe and back else "portal:home")
    _tracking_cookie(request, response, yes=decision == "accept")
    return response


def _tracking_cookie(request, response: HttpResponse, *, yes: bool) -> None:
    """The answer as the snippet keeps it (``panorama("consent", yes)``): ``pn_consent``,
    and on a refusal its visitor cookie gone."""
    response.set_cookie(
        CONSENT_COOKIE,
        "yes" if yes else "no",
        max_age=CONSENT_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,  # the snippet reads it
    )
    if not yes and TRACKING_COOKIE in request.COOKIES:
        response.delete_cookie(TRACKING_COOKIE, samesite="Lax")


@login_not_required
@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """The link mailed to a new address. GET shows a button (a mail scanner that follows
    links changes nothing); POST makes it his sign-in address. Works without a portal
    session: the signed link is the proof (he may open it on another device)."""
    try:
        if request.method == "GET":
            change = email_change.email_change_check(token=token)
            return _render(
                request, "portal/account/email_confirm.html", {"token": token, "new": change.new}
            )
        change = email_change.email_change_confirm(token=token)
    except DomainError as error:  # the link refused, or the address taken since
        return _render(
            request,
            "portal/account/email_confirm.html",
            {"refused": str(error.message)},
            status=error.status_code,
        )
    return _render(request, "portal/account/email_confirm.html", {"done": change.new})
