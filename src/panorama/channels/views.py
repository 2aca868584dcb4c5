"""Channel pages: logging a contact from the ficha."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.customers.selectors import customer_get

from . import selectors, services
from .forms import InteractionForm
from .models import Interaction


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
        "data": selectors.timeline_page(customer_id=customer.pk),
        "interaction_form": form if created is None else None,
        "created": created,
    }
    status = 200 if created is not None else 422
    return render(request, "channels/_timeline_panel.html", context, status=status)


def _before(request) -> tuple | None:
    """The keyset of "Load more" (the last shown contact's time and id), None for page 1."""
    when, pk = request.GET.get("before", ""), request.GET.get("before_id", "")
    if not when and not pk:
        return None
    try:
        parsed = parse_datetime(when)
        if parsed is not None and pk.isdigit():
            return (parsed, int(pk))
    except ValueError:
        pass
    raise ValidationFailed(_("The page cursor is not valid."), field="cursor")


@require_GET
def timeline(request, customer_id: int):
    """The ficha's timeline over HTMX: filtered by a channel chip (the whole list), or
    the next page after ``before``/``before_id`` ("Load more", appended)."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    before = _before(request)
    data = selectors.timeline_page(
        customer_id=customer.pk, channel=request.GET.get("channel", ""), before=before
    )
    if not request.htmx:
        # Without JavaScript the chips are plain links to the ficha; so is this address.
        url = reverse("customers:detail", args=[customer.pk])
        return redirect(f"{url}?channel={data.channel}" if data.channel else url)
    labels = dict(Interaction.Channel.choices)
    context = {
        "customer": customer,
        "data": data,
        "appended": before is not None,
        "channel_label": labels.get(data.channel, ""),
    }
    return render(request, "channels/_timeline_next.html", context)
