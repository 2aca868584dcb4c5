"""Promotion pages: the list, one promotion (with its uses), create, edit, archive or
restore, and "try it" (``catalog.manage`` writes; the services check)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from ..forms import PromotionForm, TryForm
from ..lists import PROMOTIONS
from ..selectors import terms
from ..services import promotions as services
from .terms import try_pricing


@require_GET
def promotion_list(request):
    return list_response(request, PROMOTIONS, template="catalog/terms/promotion_list.html")


@require_GET
def promotion_detail(request, promotion_id: int):
    promotion = terms.promotion_get(promotion_id=promotion_id)
    context = {
        "promotion": promotion,
        "record": promotion,
        "try_form": TryForm(),
        "try_url": "catalog:promotion_try",
        "may_manage": can(request.user, "catalog.manage"),
    }
    return render(request, "catalog/terms/promotion_detail.html", context)


def _form_page(request, form, promotion=None):
    form.mark_errors()
    return render(
        request,
        "catalog/terms/form.html",
        {
            "form": form,
            "record": promotion,
            "list_url": "catalog:promotion_list",
            "list_label": _("Promotions"),
            "new_label": _("New promotion"),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def promotion_create(request):
    ensure_can(request.user, "catalog.manage")
    form = PromotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.promotion_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Promotion saved."))
            return redirect("catalog:promotion_detail", created.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def promotion_edit(request, promotion_id: int):
    promotion = terms.promotion_get(promotion_id=promotion_id)
    ensure_can(request.user, "catalog.manage")
    form = PromotionForm(
        request.POST or None, initial=PromotionForm.initial_of(promotion), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.promotion_update(by=request.user, promotion=promotion, changes=form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Promotion saved."))
            return redirect("catalog:promotion_detail", promotion.pk)
    return _form_page(request, form, promotion)


@require_POST
def promotion_archive(request, promotion_id: int):
    """Archive an active promotion, restore an archived one (never deleted: quotes and
    orders counted their uses of it)."""
    promotion = terms.promotion_get(promotion_id=promotion_id)
    services.promotion_update(
        by=request.user, promotion=promotion, changes={"active": not promotion.active}
    )
    if promotion.active:
        messages.success(request, _("Promotion archived."))
    else:
        messages.success(request, _("Promotion restored."))
    return redirect("catalog:promotion_detail", promotion.pk)


@require_GET
def promotion_try(request, promotion_id: int):
    promotion = terms.promotion_get(promotion_id=promotion_id)
    return try_pricing(
        request,
        coupon=promotion.coupon_code,
        currency=promotion.currency,
        channel=promotion.channel,
    )
