"""Compose an e-mail from the ficha: new, from a template, or a reply to the
customer's message (``?reply_to=<timeline id>``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get

from ..models import Interaction
from . import services
from .forms import ComposeForm


@require_http_methods(["GET", "POST"])
def compose(request, customer_id: int):
    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "channels.send")
    identities = services.identities_usable(request.user).order_by("name")
    status = 200
    if request.method == "POST":
        form = ComposeForm(request.POST, identities=identities)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.mail_send(
                    by=request.user,
                    customer_id=customer.pk,
                    identity_id=data["identity"].pk,
                    subject=data["subject"],
                    body=data["body"],
                    to_address=data["to_address"],
                    template_id=data["template"].pk if data["template"] else None,
                    reply_to=data["reply_to"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("E-mail sent to %(name)s.") % {"name": customer})
                return redirect("customers:detail", customer.pk)
        status = 422
    else:
        initial: dict[str, object] = {"to_address": services.customer_email(customer)}
        reply_to = request.GET.get("reply_to", "")
        if reply_to.isdigit() and len(reply_to) < 18:
            original = Interaction.objects.filter(
                pk=int(reply_to), customer=customer, channel=Interaction.Channel.EMAIL
            ).first()
            if original is not None:
                subject = original.subject
                initial |= {
                    "reply_to": original.pk,
                    "subject": subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    "to_address": (original.metadata or {}).get("from") or initial["to_address"],
                }
        if identities:
            initial["identity"] = identities[0].pk
        form = ComposeForm(initial=initial, identities=identities)
    return render(
        request,
        "channels/outbound/compose.html",
        {"customer": customer, "form": form, "has_identities": identities.exists()},
        status=status,
    )
