"""Writes to a product's options, option groups and rules (``catalog.manage``)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import OptionGroup, OptionRule, Product, ProductOption
from .products import decimal_clean


def _changed(product: Product, by: User | None) -> None:
    emit("product.updated", product_id=product.pk, fields=["options"], by=by.pk if by else None)


@transaction.atomic
def option_group_create(
    *,
    by: User | None,
    product: Product,
    code: str,
    name: str,
    min_choices: int = 0,
    max_choices: int | None = None,
    position: int = 0,
) -> OptionGroup:
    """A group of options of which between ``min_choices`` and ``max_choices`` are chosen."""
    ensure_can(by, "catalog.manage")
    group = OptionGroup(
        product=product,
        code=(code or "").strip(),
        name=(name or "").strip(),
        min_choices=min_choices,
        max_choices=max_choices,
        position=position,
    )
    rules_for(OptionGroup).check(group)
    if min_choices < 0 or (max_choices is not None and max_choices < max(min_choices, 1)):
        raise field_error(
            OptionGroup, "max_choices", _("At most must be at least 1 and not below at least.")
        )
    if OptionGroup.objects.filter(product=product, code=group.code).exists():
        raise field_error(OptionGroup, "code", _("This code is taken."))
    group.save()
    _changed(product, by)
    return group


@transaction.atomic
def option_create(
    *,
    by: User | None,
    product: Product,
    code: str,
    name: str,
    price: Decimal | str = Decimal(0),
    group: OptionGroup | None = None,
    included: bool = False,
    component: Product | None = None,
    position: int = 0,
) -> ProductOption:
    """An option of ``product`` at ``price`` more per unit (in the product's currency)."""
    ensure_can(by, "catalog.manage")
    option = ProductOption(
        product=product,
        group=group,
        code=(code or "").strip(),
        name=(name or "").strip(),
        price=decimal_clean(price, field="price"),
        included=included,
        component=component,
        position=position,
    )
    rules_for(ProductOption).check(option)
    if option.price < 0:
        raise field_error(ProductOption, "price", _("A price cannot be negative."))
    if group is not None and group.product_id != product.pk:
        raise field_error(ProductOption, "group", _("The group belongs to another product."))
    if component is not None and component.pk == product.pk:
        raise field_error(ProductOption, "component", _("A product cannot be its own option."))
    if ProductOption.objects.filter(product=product, code=option.code).exists():
        raise field_error(ProductOption, "code", _("This code is taken."))
    option.save()
    _changed(product, by)
    return option


@transaction.atomic
def option_rule_create(
    *, by: User | None, option: ProductOption, kind: str, target: ProductOption
) -> OptionRule:
    """``option`` requires / excludes / includes ``target`` (both of one product)."""
    ensure_can(by, "catalog.manage")
    rule = OptionRule(product_id=option.product_id, option=option, kind=kind, target=target)
    rules_for(OptionRule).check(rule)
    if target.product_id != option.product_id:
        raise field_error(OptionRule, "target", _("The option belongs to another product."))
    if target.pk == option.pk:
        raise ValidationFailed(_("An option cannot have a rule on itself."), field="target")
    if OptionRule.objects.filter(option=option, kind=kind, target=target).exists():
        raise ValidationFailed(_("This rule exists already."), field="target")
    rule.save()
    _changed(option.product, by)
    return rule
