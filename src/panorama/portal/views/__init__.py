"""The portal's pages. Every one is ``@login_not_required`` for the staff middleware and
checks the portal's own session (``access.portal_required``), except the sign-in pages.
Pages render with an anonymous ``user``: the staff shell never shows in the portal,
even to someone also signed in as staff in the same browser."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.channels.models import Interaction
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.http import client_ip, own_origin
from panorama.service.services.case import case_open

from .. import selectors, services
from ..access import SESSION_KEY, portal_customer, portal_login, portal_logout, portal_required
from ..forms import CallbackForm, CaseForm, SignInForm

TRACKING_COOKIE = "pn_vid"  # the tracking snippet's first-party cookie (track.js)
BANNERS_SEEN = "banners"  # in the portal session: the campaign banners already counted


def _render(request, template: str, context: dict | None = None, status: int = 200):
    """A portal page: an anonymous ``user``, the signed-in customer, and the tracked site
    whose snippet and chat widget the page carries (``site_for_portal``; none: neither)."""
    from panorama.automation.services.tracking import site_for_portal

    context = {"user": AnonymousUser(), **(context or {})}
    context.setdefault("tracked_site", site_for_portal(own_origin(request)))
    customer = getattr(request, "portal_customer", None)
    context.setdefault("customer", customer)
    return render(request, template, context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Type your e-mail, get a link. The same answer whether or not the address is a
    customer's; a bad address (422) or too many tries from this address (429) say so."""
    if request.method == "GET":
        customer, _expired = portal_customer(request)
        if customer is not None:
            return redirect("portal:home")
        notice = _("Your session has ended: sign in again.") if request.GET.get("expired") else ""
        return _render(request, "portal/sign_in.html", {"form": SignInForm(), "notice": notice})
    form = SignInForm(request.POST)
    form.is_valid()
    try:
        services.login_link_request(
            email=form.cleaned_data.get("email", ""),
            address=client_ip(request),
            language=translation.get_language() or "",
        )
    except ValidationFailed as error:
        form.add_domain_error(error)
        return _render(request, "portal/sign_in.html", {"form": form}, status=422)
    except DomainError as error:  # 429: too many requests from this address
        response = _render(
            request,
            "portal/sign_in.html",
            {"form": form, "refused": str(error.message)},
            status=error.status_code,
        )
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
        return response
    return _render(
        request,
        "portal/link_sent.html",
        {"minutes": services.link_minutes()},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def enter(request, token: str):
    """The e-mailed link. GET shows a button (a mail scanner that follows links does not
    use it up); POST signs in, links the browser's tracking cookie, goes home."""
    try:
        if request.method == "GET":
            services.login_link_check(token=token)
            return _render(request, "portal/enter.html", {"token": token})
        signed = services.portal_sign_in(
            token=token,
            cookie=request.COOKIES.get(TRACKING_COOKIE, ""),
            origin=own_origin(request),
        )
    except services.LinkRefused as error:
        return _render(
            request,
            "portal/sign_in.html",
            {"form": SignInForm(), "refused": str(error.message)},
            status=error.status_code,
        )
    portal_login(request, signed.customer)
    response = redirect("portal:home")
    language = (signed.customer.language or "")[:2].lower()
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_not_required
@require_POST
def sign_out(request):
    portal_logout(request)
    return redirect("portal:login")


def _home(request, form: CaseForm | None = None, status: int = 200):
    from panorama.marketing.services.banners import banner_show

    customer = request.portal_customer
    # One impression per sign-in and banner (its ledger row), not one per view: the rows
    # counted are kept in his portal session (a new sign-in starts it afresh).
    session = request.session[SESSION_KEY]
    seen = [pk for pk in session.get(BANNERS_SEEN, []) if isinstance(pk, int)]
    banner = banner_show(customer=customer, counted=seen)
    if banner is not None and banner.recipient_id not in seen:
        session[BANNERS_SEEN] = [*seen, banner.recipient_id]
        request.session.modified = True
    return _render(
        request,
        "portal/home.html",
        {
            "banner": banner,
            "cases": selectors.customer_cases(customer=customer),
            "form": form or CaseForm(),
        },
        status=status,
    )


@require_GET
@portal_required
def home(request):
    return _home(request)


@require_POST
@portal_required
def case_create(request):
    """Open a case for the signed-in customer through the service app (channel portal)."""
    form = CaseForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        case = case_open(
            by=None,
            customer_id=request.portal_customer.pk,
            subject=data.get("subject", ""),
            description=data.get("description", ""),
            type=data.get("type") or "question",
            channel=Interaction.Channel.PORTAL,
        )
    except ValidationFailed as error:
        form.add_domain_error(error)
        return _home(request, form, status=422)
    return redirect("portal:case", case_id=case.pk)


@require_GET
@portal_required
def case_detail(request, case_id: int):
    case = selectors.customer_case_get(customer=request.portal_customer, case_id=case_id)
    return _render(
        request,
        "portal/case.html",
        {"case": case, "thread": selectors.case_thread(case=case)},
    )


@require_http_methods(["GET", "POST"])
@portal_required
def callback(request):
    """ "Call me back": queued through the service app's callback service (source portal),
    with his phone unless he gives another."""
    from panorama.service.services.callback import callback_request_create

    if request.method == "GET":
        return _render(request, "portal/callback.html", {"form": CallbackForm()})
    form = CallbackForm(request.POST)
    if not form.is_valid():  # a "when" that is no date and time
        return _render(request, "portal/callback.html", {"form": form}, status=422)
    data = form.cleaned_data
    try:
        callback_request_create(
            by=None,
            source="portal",
            customer_id=request.portal_customer.pk,
            phone=data["phone"],
            window_start=data["when"],
            reason=data["reason"],
        )
    except ValidationFailed as error:
        form.add_domain_error(error)
        return _render(request, "portal/callback.html", {"form": form}, status=422)
    messages.success(request, _("Thank you: we will call you back."))
    return redirect("portal:home")


@require_GET
@portal_required
def faq(request):
    """The help centre's public articles in his language, by topic."""
    from panorama.service.selectors import knowledge as kb

    language = "en" if (translation.get_language() or "").startswith("en") else "es"
    return _render(
        request,
        "portal/faq.html",
        {
            "shelves": kb.public_categories(language=language),
            "loose": kb.public_uncategorised(language=language),
            "language": language,
        },
    )
