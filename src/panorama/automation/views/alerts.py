"""The home page ("My alerts" and today's agenda at a glance) and marking alerts seen."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError

from ..selectors import alerts_for_user
from ..services.alerts import alert_mark_seen


def _today() -> datetime.date:
    return timezone.localdate()


@require_GET
def home(request):
    from panorama.sales.agenda import agenda_day

    alerts = list(alerts_for_user(request.user)[:50])
    unseen = [a for a in alerts if not getattr(a, "seen_by_me", False)]
    day = agenda_day(user=request.user, owner=request.user, day=_today())
    return render(
        request,
        "automation/home.html",
        {"alerts": alerts, "unseen": len(unseen), "day": day},
    )


@require_POST
def alert_seen(request, alert_id: int):
    try:
        alert_mark_seen(by=request.user, alert_id=alert_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Alert marked as seen."))
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("automation:home")


@require_http_methods(["GET", "POST"])
def alert_new(request, customer_id: int):
    """Raise an alert about a customer by hand, for oneself or a colleague (the service
    the rules use); it lands in the assignee's alerts and on the customer's timeline."""
    from panorama.customers.selectors import customer_get

    from ..forms import AlertRaiseForm
    from ..services.alerts import alert_raise

    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "automation.raise_alerts")
    form = AlertRaiseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                alert_raise(by=request.user, customer_id=customer.pk, by_hand=True, **form.values())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Alert raised."))
                return redirect("customers:detail", customer.pk)
        form.mark_errors()
    return render(
        request, "automation/alert_new.html", {"form": form, "customer": customer}, status=status
    )
