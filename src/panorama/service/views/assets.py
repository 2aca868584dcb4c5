"""The installed base and contracts pages: the installed base (a list), an asset with
its coverage and history, a new asset for a customer, the contracts (those ending soon
first); one contract and its actions are in ``contracts.py``."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get

from ..forms import AssetForm, ContractForm
from ..lists.field import ASSETS, CONTRACTS
from ..selectors import field as selectors
from ..selectors.defects import asset_defects, defects_to_link
from ..services.asset import asset_register, asset_update, contract_create


@require_GET
def asset_list(request):
    """The installed base the user may see (his customers' assets), as the shared list."""
    return list_response(request, ASSETS, template="service/field/asset_list.html")


@require_GET
def asset_detail(request, asset_id: int):
    asset = selectors.asset_get(user=request.user, asset_id=asset_id)
    context = {
        "asset": asset,
        "coverage": selectors.asset_coverage(asset),
        "can_edit": permissions.can(request.user, "service.edit"),
        "defects": asset_defects(asset=asset),
        "defects_to_link": defects_to_link(asset=asset),
        **selectors.asset_history(user=request.user, asset=asset),
    }
    return render(request, "service/field/asset_detail.html", context)


@require_http_methods(["GET", "POST"])
def asset_new(request, customer_id: int):
    customer = customer_get(user=request.user, customer_id=customer_id)
    permissions.ensure_can(request.user, "service.edit")
    form = AssetForm(
        request.POST if request.method == "POST" else None,
        customer=customer,
        initial={"parent": request.GET.get("parent")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = asset_register(
                by=request.user,
                customer_id=customer.pk,
                product_id=data["product"].pk,
                serial_number=data["serial_number"],
                install_date=data["install_date"],
                site=data["site"],
                parent_id=data["parent"].pk if data["parent"] else None,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Asset %(asset)s registered.") % {"asset": asset})
            return redirect("service:asset_detail", asset.pk)
    return render(
        request,
        "service/field/asset_form.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def asset_edit(request, asset_id: int):
    """Change an asset through ``asset_update`` (the API's service and rules)."""
    asset = selectors.asset_get(user=request.user, asset_id=asset_id)
    permissions.ensure_can(request.user, "service.edit")
    initial = {
        "product": asset.product_id,
        "serial_number": asset.serial_number,
        "install_date": asset.install_date,
        "site": asset.site,
        "parent": asset.parent_id,
    }
    form = AssetForm(
        request.POST if request.method == "POST" else None,
        customer=asset.customer,
        initial=initial,
        exclude_pk=asset.pk,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset_update(
                by=request.user,
                asset_id=asset.pk,
                changes={
                    "product_id": data["product"].pk,
                    "serial_number": data["serial_number"],
                    "install_date": data["install_date"],
                    "site": data["site"],
                    "parent_id": data["parent"].pk if data["parent"] else None,
                },
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Asset %(asset)s saved.") % {"asset": asset})
            return redirect("service:asset_detail", asset.pk)
    return render(
        request,
        "service/field/asset_form.html",
        {"form": form, "customer": asset.customer, "asset": asset},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def contract_new(request, customer_id: int):
    """A service contract or warranty for a customer: the assets it covers, its
    entitlements and service level."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    permissions.ensure_can(request.user, "service.edit")
    today = timezone.localdate()
    form = ContractForm(
        request.POST if request.method == "POST" else None,
        customer=customer,
        initial={
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=364),
            "assets": request.GET.getlist("asset"),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = contract_create(
                by=request.user,
                customer_id=customer.pk,
                name=data["name"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                asset_ids=[a.pk for a in data["assets"]],
                product_ids=[p.pk for p in data["products"]],
                visits_included=data["visits_included"],
                hours_included=data["hours_included"],
                sla_policy_id=data["sla_policy"].pk if data["sla_policy"] else None,
                renewal_notice_days=data["renewal_notice_days"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Contract %(ref)s created.") % {"ref": contract.reference})
            return redirect("service:contract_detail", contract.pk)
    return render(
        request,
        "service/field/contract_form.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )


@require_GET
def contract_list(request):
    """The contracts the user sees (his customers'), ending first, as the shared list;
    ``?ending=N``: those ending within N days (the renewals to offer)."""
    return list_response(request, CONTRACTS, template="service/field/contract_list.html")
