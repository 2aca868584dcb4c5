"""Log a visit at a branch: from the ficha (the customer known, his document, card or
PIN confirms him) or at the desk (the document or card finds him)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get

from . import services
from .forms import VisitForm


@require_http_methods(["GET", "POST"])
def visit_log(request):
    ensure_can(request.user, "channels.record")
    raw_id = request.GET.get("customer", "")
    customer = (
        customer_get(user=request.user, customer_id=int(raw_id))
        if raw_id.isdigit() and len(raw_id) < 18
        else None
    )
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                interaction = services.visit_log(
                    by=request.user,
                    branch_id=data["branch"].pk,
                    method=data["method"],
                    value=data["value"],
                    customer_id=customer.pk if customer else None,
                    subject=data["subject"],
                    body=data["body"],
                    outcome=data["outcome"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, _("Visit logged for %(name)s.") % {"name": interaction.customer}
                )
                return redirect("customers:detail", interaction.customer_id)
        status = 422
    else:
        form = VisitForm()
    return render(
        request, "channels/visits/log.html", {"form": form, "customer": customer}, status=status
    )
