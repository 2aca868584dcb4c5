"""One service contract: its terms, what it covers, the work orders charged to it, and
its actions (renew, extend, cancel) for whoever may manage contracts."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError

from ..forms import ContractCancelForm, ContractExtendForm, ContractRenewForm
from ..models import ServiceContract
from ..selectors import field as selectors
from ..services import contract as services

FORMS = {"renew": ContractRenewForm, "extend": ContractExtendForm, "cancel": ContractCancelForm}
ACTIONS = tuple(FORMS)


def _render(request, contract: ServiceContract, bound=None, status: int = 200):
    forms = {action: form_class(prefix=action) for action, form_class in FORMS.items()}
    if bound is not None:
        forms[bound.prefix] = bound
    active = contract.status == ServiceContract.Status.ACTIVE
    renewal = ServiceContract.objects.filter(renewed_from=contract).first()
    return render(
        request,
        "service/field/contract_detail.html",
        {
            "contract": contract,
            "assets": list(contract.assets.select_related("product")),
            "products": list(contract.products.all()),
            "work_orders": list(
                selectors.work_orders_visible_to(request.user)
                .filter(contract=contract)
                .select_related("asset__product", "technician")
                .order_by("-created_at")[:50]
            ),
            "renewal": renewal,
            "can_manage": active and permissions.can(request.user, "service.edit"),
            "renew_form": forms["renew"] if renewal is None else None,
            "next_period": services.renewal_period(contract),
            "extend_form": forms["extend"],
            "cancel_form": forms["cancel"],
            "open_action": bound.prefix if bound is not None else "",
        },
        status=status,
    )


@require_GET
def contract_detail(request, contract_id: int):
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    return _render(request, contract)


@require_POST
def contract_action(request, contract_id: int, action: str):
    """Renew, extend or cancel: the service decides; its refusal is shown beside the field
    (422), a cancelled contract answers 409 through the shared error page."""
    contract = selectors.contract_get(user=request.user, contract_id=contract_id)
    permissions.ensure_can(request.user, "service.edit")
    form = FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "renew":
                renewal = services.contract_renew(
                    by=request.user, contract_id=contract.pk, ends_on=data["ends_on"]
                )
                messages.success(
                    request,
                    _("Contract renewed as %(ref)s.") % {"ref": renewal.reference},
                )
                return redirect("service:contract_detail", renewal.pk)
            if action == "extend":
                changed = services.contract_extend(
                    by=request.user, contract_id=contract.pk, ends_on=data["ends_on"]
                )
                messages.success(
                    request,
                    _("Contract extended to %(date)s.")
                    % {"date": formats.date_format(changed.ends_on, "SHORT_DATE_FORMAT")},
                )
            else:
                services.contract_cancel(
                    by=request.user, contract_id=contract.pk, on=data["on"], reason=data["reason"]
                )
                messages.success(request, _("Contract cancelled."))
            return redirect("service:contract_detail", contract.pk)
        except DomainError as exc:
            if exc.status_code != 422:
                raise
            form.add_domain_error(exc)
    return _render(request, contract, bound=form, status=422)
