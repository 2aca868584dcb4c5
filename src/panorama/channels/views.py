"""Channel pages: logging a contact from the ficha."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get

from . import selectors, services
from .forms import InteractionForm


@require_POST
def interaction_create(request, customer_id: int):
    """Log a call, note or e-mail; HTMX gets the refreshed timeline, new entry on top."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    form = InteractionForm(request.POST)
    created = None
    if form.is_valid():
        try:
            created = services.interaction_record(
                customer_id=customer.pk, by=request.user, agent=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
    if not request.htmx:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("customers:detail", customer.pk)
    context = {
        "customer": customer,
        "data": selectors.timeline(customer_id=customer.pk),
        "interaction_form": form if created is None else None,
        "created": created,
    }
    status = 200 if created is not None else 422
    return render(request, "channels/_timeline_panel.html", context, status=status)
