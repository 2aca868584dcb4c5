"""Send a text from the ficha; the unknown numbers (messages and faxes) to link."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get, customers_matching, identify

from ..fax.models import Fax
from . import selectors, services
from .forms import TextForm


@require_http_methods(["GET", "POST"])
def text_send(request, customer_id: int):
    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "channels.send")
    status = 200
    if request.method == "POST":
        form = TextForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.message_send(
                    by=request.user,
                    customer_id=customer.pk,
                    account_id=data["account"].pk,
                    body=data["body"],
                    number=data["number"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Message sent to %(name)s.") % {"name": customer})
                return redirect("customers:detail", customer.pk)
        status = 422
    else:
        form = TextForm()
    return render(
        request, "channels/sms/send.html", {"customer": customer, "form": form}, status=status
    )


@require_GET
def unknown_numbers(request):
    numbers = selectors.unknown_numbers(user=request.user)
    return render(
        request,
        "channels/unknown.html",
        {
            "title": _("Unknown numbers"),
            "subtitle": _(
                "Messages and faxes from numbers no customer has: link each number to a customer."
            ),
            "caption": _("Unknown numbers, most recent first"),
            "key_label": _("Number"),
            "extra_label": _("Faxes"),
            "extra_numeric": True,
            "detail_url": reverse("channels:unknown_number_detail"),
            "key_param": "number",
            "blank_key": "",
            "empty_icon": "bi-telephone-inbound",
            "empty_title": _("No unknown numbers"),
            "empty_text": _("Every message and fax received so far came from a known customer."),
            "rows": [
                {
                    "key": row["number"],
                    "messages": row["messages"],
                    "extra": row["faxes"],
                    "last_at": row["last_at"],
                }
                for row in numbers
            ],
        },
    )


def _number(request) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return source.get("number", "").replace("\x00", "").strip()[:40]


@require_GET
def unknown_number_detail(request):
    number = _number(request)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    found = []
    if len(text) >= 2:
        found = [m.customer for m in identify(user=request.user, value=text)] or list(
            customers_matching(user=request.user, search=text).order_by("search_name", "id")[:8]
        )
    return render(
        request,
        "channels/sms/unknown_detail.html",
        {
            "number": number,
            "texts": selectors.unknown_messages(user=request.user, number=number),
            "faxes": Fax.objects.filter(status=Fax.Status.UNKNOWN, number=number)[:50],
            "found": found[:8],
            "q": text,
        },
    )


@require_POST
def unknown_number_link(request):
    number = _number(request)
    customer_id = request.POST.get("customer", "")
    if not customer_id.isdigit() or len(customer_id) > 18:
        messages.error(request, _("Choose a customer."))
        return redirect("channels:unknown_numbers")
    count = services.number_link(by=request.user, number=number, customer_id=int(customer_id))
    messages.success(request, _("%(count)s messages given to the customer.") % {"count": count})
    return redirect("customers:detail", int(customer_id))
