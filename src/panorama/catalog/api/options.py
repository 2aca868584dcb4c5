"""A product's option groups, options and rules: /api/v1/catalog/products/{id}/...

Every signed-in user reads them (the catalogue is company-wide). Writes are the options
pages' (``views/options.py``) through the same services (``services.options``): the same
permission (``catalog.manage``, 403 otherwise, before the body is looked at, as on the
pages), the same validation and the same refusals, word for word, as a 422 naming the
field. In the body, records name each other by code, as the configurator does."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed

from .. import selectors
from ..models import OptionGroup, Product, ProductOption
from ..schemas.options import (
    OptionGroupIn,
    OptionGroupOut,
    OptionGroupPatch,
    OptionIn,
    OptionOut,
    OptionPatch,
    OptionRuleIn,
    OptionRuleOut,
    OptionRulePatch,
    ProductOptionsOut,
)
from ..selectors import options as option_selectors
from ..services import options as services
from .products import _changes

router = Router(tags=["catalog options"])

PRODUCT = "/catalog/products/{product_id}"


def _managed_product(request, product_id: int) -> Product:
    """The product, for a user who may change the catalogue (403 for anyone else, as the
    options pages answer; the service checks again whoever calls it)."""
    ensure_can(request.user, "catalog.manage")
    return selectors.product_get(product_id=product_id)


def _group(product: Product, code: str | None) -> OptionGroup | None:
    """The product's group named ``code`` (None for none); a 422 on ``group`` otherwise."""
    if code is None or code == "":
        return None
    group = OptionGroup.objects.filter(product=product, code=code).first()
    if group is None:
        raise ValidationFailed(
            _("%(product)s has no option group %(code)s.")
            % {"product": product.name, "code": code},
            field="group",
        )
    return group


def _component(sku: str | None) -> Product | None:
    """The catalogue product of SKU ``sku`` (None for none); a 422 on ``component``."""
    if sku is None or sku == "":
        return None
    component = Product.objects.filter(sku=sku).first()
    if component is None:
        raise ValidationFailed(
            _("There is no product with SKU %(sku)s.") % {"sku": sku}, field="component"
        )
    return component


def _option(product: Product, code: str, *, field: str) -> ProductOption:
    """The product's option named ``code``; a 422 on ``field`` otherwise."""
    option = ProductOption.objects.filter(product=product, code=code).first()
    if option is None:
        raise ValidationFailed(
            _("%(product)s has no option %(code)s.") % {"product": product.name, "code": code},
            field=field,
        )
    return option


# --- reading --------------------------------------------------------------------------


@router.get(
    f"{PRODUCT}/options",
    response=ProductOptionsOut,
    summary="A product's option groups, options and rules",
    description="In a fixed number of queries, whatever their number.",
)
def product_options(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    model = option_selectors.option_model(product.pk)
    return {
        "product_id": product.pk,
        "groups": model.groups,
        "options": list(model.options.values()),
        "rules": model.rules,
    }


@router.get(f"{PRODUCT}/option-groups", response=list[OptionGroupOut])
def option_group_list(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    return option_selectors.option_model(product.pk).groups


@router.get(f"{PRODUCT}/option-groups/{{option_group_id}}", response=OptionGroupOut)
def option_group_get(request, product_id: int, option_group_id: int):
    return option_selectors.option_group_get(product_id=product_id, group_id=option_group_id)


@router.get(
    f"{PRODUCT}/option-groups/{{option_group_id}}/options",
    response=list[OptionOut],
    summary="The options of one group",
)
def option_group_options(request, product_id: int, option_group_id: int):
    group = option_selectors.option_group_get(product_id=product_id, group_id=option_group_id)
    return option_selectors.option_model(product_id).in_group(group)


@router.get(f"{PRODUCT}/options/{{option_id}}", response=OptionOut)
def option_get(request, product_id: int, option_id: int):
    return option_selectors.option_get(product_id=product_id, option_id=option_id)


@router.get(f"{PRODUCT}/option-rules", response=list[OptionRuleOut])
def option_rule_list(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    return option_selectors.option_model(product.pk).rules


@router.get(f"{PRODUCT}/option-rules/{{option_rule_id}}", response=OptionRuleOut)
def option_rule_get(request, product_id: int, option_rule_id: int):
    return option_selectors.option_rule_get(product_id=product_id, rule_id=option_rule_id)


# --- groups ---------------------------------------------------------------------------


@router.post(
    f"{PRODUCT}/option-groups",
    response={201: OptionGroupOut},
    description="A new group has no options, so `min_choices` above 0 is refused: create "
    "it at 0, add its options, then raise it (PATCH).",
)
def option_group_create(request, product_id: int, payload: OptionGroupIn):
    product = _managed_product(request, product_id)
    group = services.option_group_create(by=request.user, product=product, **payload.dict())
    return Status(201, option_selectors.option_group_get(product_id=product.pk, group_id=group.pk))


@router.patch(f"{PRODUCT}/option-groups/{{option_group_id}}", response=OptionGroupOut)
def option_group_update(request, product_id: int, option_group_id: int, payload: OptionGroupPatch):
    product = _managed_product(request, product_id)
    group = option_selectors.option_group_get(product_id=product.pk, group_id=option_group_id)
    changes = _changes(payload, nullable={"max_choices"})
    services.option_group_update(by=request.user, group=group, changes=changes)
    return option_selectors.option_group_get(product_id=product.pk, group_id=group.pk)


@router.delete(
    f"{PRODUCT}/option-groups/{{option_group_id}}",
    response={204: None},
    description="Its options stay, in no group.",
)
def option_group_delete(request, product_id: int, option_group_id: int):
    product = _managed_product(request, product_id)
    group = option_selectors.option_group_get(product_id=product.pk, group_id=option_group_id)
    services.option_group_delete(by=request.user, group=group)
    return Status(204, None)


# --- options --------------------------------------------------------------------------


@router.post(f"{PRODUCT}/options", response={201: OptionOut})
def option_create(request, product_id: int, payload: OptionIn):
    product = _managed_product(request, product_id)
    data = payload.dict()
    data["group"] = _group(product, data["group"])
    data["component"] = _component(data["component"])
    option = services.option_create(by=request.user, product=product, **data)
    return Status(201, option_selectors.option_get(product_id=product.pk, option_id=option.pk))


@router.patch(f"{PRODUCT}/options/{{option_id}}", response=OptionOut)
def option_update(request, product_id: int, option_id: int, payload: OptionPatch):
    product = _managed_product(request, product_id)
    option = option_selectors.option_get(product_id=product.pk, option_id=option_id)
    changes = _changes(payload, nullable={"group", "component"})
    if "group" in changes:
        changes["group"] = _group(product, changes["group"])
    if "component" in changes:
        changes["component"] = _component(changes["component"])
    services.option_update(by=request.user, option=option, changes=changes)
    return option_selectors.option_get(product_id=product.pk, option_id=option.pk)


@router.delete(
    f"{PRODUCT}/options/{{option_id}}",
    response={204: None},
    description="Its rules go with it; quotes and orders that sold it keep its code.",
)
def option_delete(request, product_id: int, option_id: int):
    product = _managed_product(request, product_id)
    option = option_selectors.option_get(product_id=product.pk, option_id=option_id)
    services.option_delete(by=request.user, option=option)
    return Status(204, None)


# --- rules ----------------------------------------------------------------------------


@router.post(f"{PRODUCT}/option-rules", response={201: OptionRuleOut})
def option_rule_create(request, product_id: int, payload: OptionRuleIn):
    product = _managed_product(request, product_id)
    rule = services.option_rule_create(
        by=request.user,
        product=product,
        option=_option(product, payload.option, field="option"),
        kind=payload.kind,
        target=_option(product, payload.target, field="target"),
    )
    return Status(201, option_selectors.option_rule_get(product_id=product.pk, rule_id=rule.pk))


@router.patch(f"{PRODUCT}/option-rules/{{option_rule_id}}", response=OptionRuleOut)
def option_rule_update(request, product_id: int, option_rule_id: int, payload: OptionRulePatch):
    product = _managed_product(request, product_id)
    rule = option_selectors.option_rule_get(product_id=product.pk, rule_id=option_rule_id)
    changes = _changes(payload)
    for name in ("option", "target"):
        if name in changes:
            changes[name] = _option(product, changes[name], field=name)
    services.option_rule_update(by=request.user, rule=rule, changes=changes)
    return option_selectors.option_rule_get(product_id=product.pk, rule_id=rule.pk)


@router.delete(f"{PRODUCT}/option-rules/{{option_rule_id}}", response={204: None})
def option_rule_delete(request, product_id: int, option_rule_id: int):
    product = _managed_product(request, product_id)
    rule = option_selectors.option_rule_get(product_id=product.pk, rule_id=option_rule_id)
    services.option_rule_delete(by=request.user, rule=rule)
    return Status(204, None)
