"""The portal's own session, apart from staff sign-in.

A signed-in customer is a key in the session (``portal``: his id and when he signed in),
never ``request.user``: the staff pages (``LoginRequiredMiddleware``) and the API (its
session and token authentication) see an anonymous visitor and refuse him. The portal's
pages are ``@login_not_required`` for that middleware and ``@portal_required`` for their
own check. The session ends ``PANORAMA_PORTAL_SESSION_MINUTES`` after the sign-in."""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse

from panorama.customers.models import Customer

SESSION_KEY = "portal"


def portal_login(request, customer: Customer) -> None:
    """Sign ``customer`` in: a new session key (no fixation), his id and the time."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"customer": customer.pk, "since": int(time.time())}


def portal_logout(request) -> None:
    """Forget the portal's sign-in (a staff sign-in in the same browser is not touched)."""
    if request.session.pop(SESSION_KEY, None) is not None:
        request.session.cycle_key()


def portal_customer(request) -> tuple[Customer | None, bool]:
    """(the signed-in customer or None, True when his session just ran out)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None, False
    age = time.time() - float(data.get("since", 0))
    if age > settings.PANORAMA_PORTAL_SESSION_MINUTES * 60:
        request.session.pop(SESSION_KEY, None)
        return None, True
    customer_id = data.get("customer")
    customer = (
        Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
        if isinstance(customer_id, int)
        else None
    )
    if customer is None:
        request.session.pop(SESSION_KEY, None)
    return customer, False


def portal_required(view):
    """A portal page: the signed-in customer in ``request.portal_customer``, else the
    portal's sign-in page (saying so when his session ran out)."""

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        customer, expired = portal_customer(request)
        if customer is None:
            url = reverse("portal:login")
            return redirect(f"{url}?expired=1" if expired else url)
        request.portal_customer = customer
        return view(request, *args, **kwargs)

    return wrapped
