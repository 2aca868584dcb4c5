"""A product's options pages (``catalog.manage`` only): its option groups, options and
rules on one page, and their create, edit and delete. Every write goes through
``services.options``, which checks the permission, validates, and refuses a change that
would leave an option impossible to choose or a required group without options."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, ValidationFailed

from .. import selectors
from ..forms import OptionForm, OptionGroupForm, OptionRuleForm
from ..models import Product
from ..selectors import options as option_selectors
from ..services import options as services


def _product(request, product_id: int) -> Product:
    """The product, for a user who may change the catalogue (403 for anyone else)."""
    ensure_can(request.user, "catalog.manage")
    return selectors.product_get(product_id=product_id)


def _back(product: Product):
    return redirect("catalog:product_options", product.pk)


@require_GET
def product_options(request, product_id: int):
    """The groups, the options and the rules of one product, in a fixed number of
    queries whatever their number."""
    product = _product(request, product_id)
    model = option_selectors.option_model(product.pk)
    by_id = model.by_id()
    counts: dict[int | None, int] = {}
    for option in model.options.values():
        counts[option.group_id] = counts.get(option.group_id, 0) + 1
    context = {
        "product": product,
        "groups": [(group, counts.get(group.pk, 0)) for group in model.groups],
        "options": list(model.options.values()),
        "rules": [(rule, by_id[rule.option_id], by_id[rule.target_id]) for rule in model.rules],
    }
    return render(request, "catalog/options/page.html", context)


def _form_page(request, product: Product, form, *, title: str, submit: str):
    form.mark_errors()
    context = {"product": product, "form": form, "title": title, "submit": submit}
    status = 422 if form.errors else 200
    return render(request, "catalog/options/form.html", context, status=status)


def _save(
    request,
    product: Product,
    form,
    save: Callable[[dict[str, Any]], object],
    *,
    title: str,
    submit: str,
    done: str,
):
    """Validate the form, hand its values to ``save`` (a service), and go back to the
    options page; the service's refusal is shown beside its field, nothing saved."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, done)
            return _back(product)
    return _form_page(request, product, form, title=title, submit=submit)


def _delete(request, product: Product, delete: Callable[[], None], *, done: str):
    try:
        delete()
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return _back(product)


# --- groups ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def option_group_create(request, product_id: int):
    product = _product(request, product_id)
    form = OptionGroupForm(request.POST or None)
    return _save(
        request,
        product,
        form,
        lambda values: services.option_group_create(by=request.user, product=product, **values),
        title=_("New option group"),
        submit=_("Create the group"),
        done=_("Option group saved."),
    )


@require_http_methods(["GET", "POST"])
def option_group_edit(request, product_id: int, option_group_id: int):
    product = _product(request, product_id)
    group = option_selectors.option_group_get(product_id=product.pk, group_id=option_group_id)
    form = OptionGroupForm(
        request.POST or None, initial=OptionGroupForm.initial_of(group), editing=True
    )
    return _save(
        request,
        product,
        form,
        lambda values: services.option_group_update(by=request.user, group=group, changes=values),
        title=group.name,
        submit=_("Save"),
        done=_("Option group saved."),
    )


@require_POST
def option_group_delete(request, product_id: int, option_group_id: int):
    product = _product(request, product_id)
    group = option_selectors.option_group_get(product_id=product.pk, group_id=option_group_id)
    return _delete(
        request,
        product,
        lambda: services.option_group_delete(by=request.user, group=group),
        done=_("Option group deleted; its options stay, in no group."),
    )


# --- options --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def option_create(request, product_id: int):
    product = _product(request, product_id)
    model = option_selectors.option_model(product.pk)
    form = OptionForm(request.POST or None, model=model)
    return _save(
        request,
        product,
        form,
        lambda values: services.option_create(by=request.user, product=product, **values),
        title=_("New option"),
        submit=_("Create the option"),
        done=_("Option saved."),
    )


@require_http_methods(["GET", "POST"])
def option_edit(request, product_id: int, option_id: int):
    product = _product(request, product_id)
    option = option_selectors.option_get(product_id=product.pk, option_id=option_id)
    model = option_selectors.option_model(product.pk)
    form = OptionForm(
        request.POST or None, initial=OptionForm.initial_of(option), model=model, editing=True
    )
    return _save(
        request,
        product,
        form,
        lambda values: services.option_update(by=request.user, option=option, changes=values),
        title=option.name,
        submit=_("Save"),
        done=_("Option saved."),
    )


@require_POST
def option_delete(request, product_id: int, option_id: int):
    product = _product(request, product_id)
    option = option_selectors.option_get(product_id=product.pk, option_id=option_id)
    return _delete(
        request,
        product,
        lambda: services.option_delete(by=request.user, option=option),
        done=_("Option deleted, with its rules."),
    )


# --- rules ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def option_rule_create(request, product_id: int):
    product = _product(request, product_id)
    model = option_selectors.option_model(product.pk)
    form = OptionRuleForm(request.POST or None, model=model)
    return _save(
        request,
        product,
        form,
        lambda values: services.option_rule_create(by=request.user, product=product, **values),
        title=_("New option rule"),
        submit=_("Create the rule"),
        done=_("Option rule saved."),
    )


@require_http_methods(["GET", "POST"])
def option_rule_edit(request, product_id: int, option_rule_id: int):
    product = _product(request, product_id)
    rule = option_selectors.option_rule_get(product_id=product.pk, rule_id=option_rule_id)
    model = option_selectors.option_model(product.pk)
    form = OptionRuleForm(
        request.POST or None, initial=OptionRuleForm.initial_of(rule), model=model
    )
    return _save(
        request,
        product,
        form,
        lambda values: services.option_rule_update(by=request.user, rule=rule, changes=values),
        title=_("Option rule"),
        submit=_("Save"),
        done=_("Option rule saved."),
    )


@require_POST
def option_rule_delete(request, product_id: int, option_rule_id: int):
    product = _product(request, product_id)
    rule = option_selectors.option_rule_get(product_id=product.pk, rule_id=option_rule_id)
    return _delete(
        request,
        product,
        lambda: services.option_rule_delete(by=request.user, rule=rule),
        done=_("Option rule deleted."),
    )
