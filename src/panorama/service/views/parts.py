"""The parts stock page: stock per location (the reorder list with ``?low=1``) and a
transfer between locations."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError

from ..forms import TransferForm
from ..selectors import field as selectors
from ..services.parts import stock_transfer


def _page(request, form: TransferForm, status: int = 200):
    low = request.GET.get("low") == "1"
    location = request.GET.get("location", "")
    return render(
        request,
        "service/field/stock.html",
        {
            "levels": selectors.stock_levels(
                low_only=low, location_id=int(location) if location.isdigit() else None
            ),
            "locations": selectors.stock_locations(),
            "location": int(location) if location.isdigit() else None,
            "low": low,
            "form": form,
            "can_move": permissions.can(request.user, "service.parts"),
        },
        status=status,
    )


@require_GET
def stock(request):
    return _page(request, TransferForm())


@require_POST
def stock_transfer_view(request):
    form = TransferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            move = stock_transfer(
                by=request.user,
                part_id=data["part"].pk,
                from_location_id=data["from_location"].pk,
                to_location_id=data["to_location"].pk,
                quantity=data["quantity"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("%(n)s × %(part)s moved from %(from)s to %(to)s.")
                % {
                    "n": move.quantity,
                    "part": move.part.name,
                    "from": data["from_location"].name,
                    "to": data["to_location"].name,
                },
            )
            return redirect("service:stock")
    return _page(request, form, status=422)
