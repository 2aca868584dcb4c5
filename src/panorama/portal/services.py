"""Signing in to the portal without a password: the customer types his e-mail, the one
customer holding it gets a signed, expiring link that works once; opening it signs him
in and gives him his browser's tracking cookie (and its earlier anonymous events).

Nothing tells the visitor whether the address is known (the same answer either way, the
e-mail sent by the task worker, not while he waits), and the requests are rate-limited
per address with the public web forms' limit (``webform_throttle_hit``)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.core.exceptions import DomainError
from panorama.customers import identifiers
from panorama.customers.models import Customer
from panorama.customers.selectors import identify

from .models import LoginLink

LINK_SALT = "panorama.portal.login"


class LinkRefused(DomainError):
    """A sign-in link that cannot sign anyone in: expired, used, or not ours."""

    status_code = 400
    code = "link_refused"


def link_minutes() -> int:
    return settings.PANORAMA_PORTAL_LINK_MINUTES


def login_link_token(link_id: int) -> str:
    """The link's token: its id signed with the site's key and the time (no secret in the
    database: the row only says whether it was used)."""
    return signing.dumps(link_id, salt=LINK_SALT)


@transaction.atomic
def login_link_request(*, email: str, address: str | None, language: str = "") -> None:
    """Someone asks for a sign-in link for ``email``. Counted against the address's rate
    limit first (429 past it); an address that is not an e-mail is a 422 naming the field;
    then, only if exactly one customer holds it, a link is made and e-mailed (in the
    background). Returns nothing: the caller answers the same whether or not it was."""
    from panorama.sales.services.lead_webform import webform_throttle_hit

    webform_throttle_hit(address=address)
    value = identifiers.normalise_email(email)
    matches = identify(user=None, value=value, kind="email")
    if len(matches) != 1:  # nobody, or a shared address: no way to tell whose portal
        return
    customer = matches[0].customer
    link = LoginLink.objects.create(
        customer=customer,
        email=value,
        expires_at=timezone.now() + datetime.timedelta(minutes=link_minutes()),
    )
    emit("portal.link_sent", customer_id=customer.pk, link_id=link.pk)
    from .tasks import login_link_send_task

    link_id, lang = link.pk, language
    transaction.on_commit(lambda: login_link_send_task.enqueue(link_id, lang))


def login_link_mail(*, link_id: int, language: str = "") -> bool:
    """E-mail the link (the task's work): False when the row is gone or already used."""
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    link = LoginLink.objects.select_related("customer").filter(pk=link_id).first()
    if link is None or link.used_at is not None:
        return False
    url = settings.PANORAMA_PUBLIC_URL + reverse("portal:enter", args=[login_link_token(link.pk)])
    from panorama.marketing.messages import language_of

    lang = language or language_of(link.customer)
    with translation.override(lang):
        subject = _("Your link to sign in to the customer portal")
        body = _(
            "Hello %(name)s,\n\nopen this link to sign in to your customer area:\n\n%(url)s\n\n"
            "It works once, within %(minutes)s minutes. If you did not ask for it, ignore "
            "this message: nobody can sign in without it."
        ) % {"name": link.customer.display_name, "url": url, "minutes": link_minutes()}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])
    return True


@dataclass
class SignedIn:
    customer: Customer
    link: LoginLink
    visitor_events: int  # earlier anonymous events of his cookie now his


def _refused(kind: str) -> LinkRefused:
    messages = {
        "expired": _("This sign-in link has expired. Ask for a new one below."),
        "used": _("This sign-in link was already used. Ask for a new one below."),
        "invalid": _("This sign-in link is not valid. Ask for a new one below."),
    }
    error = LinkRefused(messages[kind])
    error.code = f"link_{kind}"
    return error


def login_link_check(*, token: str, for_update: bool = False) -> LoginLink:
    """The link's row if it may still sign in, else ``LinkRefused`` saying why (not ours,
    past its time, already used, its customer merged away)."""
    try:
        link_id = signing.loads(token, salt=LINK_SALT, max_age=link_minutes() * 60)
    except signing.SignatureExpired:
        raise _refused("expired") from None
    except signing.BadSignature:
        raise _refused("invalid") from None
    rows = LoginLink.objects.select_for_update() if for_update else LoginLink.objects.all()
    link = rows.filter(pk=link_id if isinstance(link_id, int) else 0).first()
    if link is None:
        raise _refused("invalid")
    if link.used_at is not None:
        raise _refused("used")
    if link.expires_at <= timezone.now():
        raise _refused("expired")
    return link


@transaction.atomic
def portal_sign_in(*, token: str, cookie: str = "", origin: str = "") -> SignedIn:
    """Use a sign-in link: refused (``LinkRefused`` saying why) when it is not ours, past
    its time or already used; else marked used and, when the browser carries the tracking
    cookie, that cookie becomes the customer's on the portal's tracked site
    (``site_for_portal(origin)``: the site listing the portal's origin, else the oldest
    active one, whose snippet the portal's pages carry) and its earlier anonymous events
    his (the tracked links', forms' and chat's own ``visitor_link``)."""
    link = login_link_check(token=token, for_update=True)
    customer = Customer.objects.filter(pk=link.customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise _refused("invalid")
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    moved = 0
    if cookie and origin:
        from panorama.automation.services.tracking import site_for_portal, visitor_link

        site = site_for_portal(origin)
        if site is not None:
            moved = visitor_link(site=site, cookie=cookie, customer_id=customer.pk, via="portal")
    emit("portal.signed_in", customer_id=customer.pk, link_id=link.pk, visitor_events=moved)
    return SignedIn(customer=customer, link=link, visitor_events=moved)


def login_links_sweep(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete the sign-in links used, or past their time, more than ``older_than`` ago
    (the worker's hourly sweep, ``tasks.login_links_tick``): a link still valid, or used
    or expired today, stays (its page can still say "already used" or "expired").
    How many were deleted."""
    from django.db.models import Q

    cutoff = timezone.now() - older_than
    deleted, _by_model = LoginLink.objects.filter(
        Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff)
    ).delete()
    return deleted
