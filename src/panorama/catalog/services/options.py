"""Writes to a product's options, option groups and rules (``catalog.manage``).

Each write checks the permission, then one validation per kind of record (``_group_check``,
``_option_check``, ``_rule_check``: the same for a create and an edit), then whether the
product's options *as they would be after the change* can still make a valid
configuration (``option_integrity``): a rule that could never be met, a loop of
inclusions or a required group without options is refused with the reason, and nothing
is saved. The screens, the API, the seeding and the shell all come through here.
"""

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import OptionGroup, OptionRule, Product, ProductOption
from ..selectors.options import OptionModel, option_model
from . import option_integrity as integrity
from .products import decimal_clean

GROUP_FIELDS = ("name", "min_choices", "max_choices", "position")
# The code of an option never changes: quotes and orders keep the codes they were sold with.
OPTION_FIELDS = ("name", "price", "group", "included", "component", "position")
RULE_FIELDS = ("option", "kind", "target")
_NEW = 0  # the id a record being created has in the facts checked before it is saved


def _changed(product: Product | int, by: User | None) -> None:
    product_id = product if isinstance(product, int) else product.pk
    emit("product.updated", product_id=product_id, fields=["options"], by=by.pk if by else None)


def _locked_model(product_id: int) -> OptionModel:
    """The product's options as they are, the product locked until the transaction ends
    (two administrators adding rules at once cannot each miss the other's)."""
    list(Product.objects.select_for_update().filter(pk=product_id).values_list("pk"))
    return option_model(product_id)


def _refuse_new_problems(
    model: OptionModel, change: Callable[[integrity.Facts], None], *, field: str | None
) -> None:
    before = integrity.Facts.of(model)
    after = integrity.Facts.of(model)
    change(after)
    messages = integrity.new_problems(before, after)
    if messages:
        raise ValidationFailed(
            " ".join(messages), field=field, errors={field: messages} if field else {}
        )


def _unknown_fields(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)},
            field=unknown[0],
        )


# --- groups ---------------------------------------------------------------------------


def _group_check(group: OptionGroup, model: OptionModel) -> None:
    rules_for(OptionGroup).check(group)
    low, high = group.min_choices, group.max_choices
    if low is None or low < 0:
        raise field_error(OptionGroup, "min_choices", _("Give a whole number, 0 or more."))
    if high is not None and high < max(low, 1):
        raise field_error(
            OptionGroup, "max_choices", _("At most must be at least 1 and not below at least.")
        )
    if group.position is None or group.position < 0:
        raise field_error(OptionGroup, "position", _("Give a whole number, 0 or more."))
    if any(g.code == group.code and g.pk != group.pk for g in model.groups):
        raise field_error(OptionGroup, "code", _("This code is taken."))


def _group_fact(group: OptionGroup) -> integrity.GroupFact:
    return integrity.GroupFact(group.pk or _NEW, group.name, group.min_choices, group.max_choices)


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
    """A group of options of which between ``min_choices`` and ``max_choices`` are chosen.
    A new group has no options yet, so ``min_choices`` above 0 is refused: add the
    options, then raise it (``option_group_update``)."""
    ensure_can(by, "catalog.manage")
    group = OptionGroup(
        product=product,
        code=(code or "").strip(),
        name=(name or "").strip(),
        min_choices=min_choices,
        max_choices=max_choices,
        position=position,
    )
    model = _locked_model(product.pk)
    _group_check(group, model)

    def add(facts: integrity.Facts) -> None:
        facts.groups[_NEW] = _group_fact(group)

    _refuse_new_problems(model, add, field="min_choices")
    group.save()
    _changed(product, by)
    return group


@transaction.atomic
def option_group_update(
    *, by: User | None, group: OptionGroup, changes: dict[str, Any]
) -> OptionGroup:
    """Change a group's name, limits or position (its code stays)."""
    ensure_can(by, "catalog.manage")
    _unknown_fields(changes, GROUP_FIELDS)
    model = _locked_model(group.product_id)
    group = OptionGroup.objects.get(pk=group.pk)
    for name, value in changes.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    _group_check(group, model)

    def edit(facts: integrity.Facts) -> None:
        facts.groups[group.pk] = _group_fact(group)

    _refuse_new_problems(model, edit, field="min_choices")
    group.save()
    _changed(group.product_id, by)
    return group


@transaction.atomic
def option_group_delete(*, by: User | None, group: OptionGroup) -> None:
    """Delete a group; its options stay, in no group."""
    ensure_can(by, "catalog.manage")
    model = _locked_model(group.product_id)

    def remove(facts: integrity.Facts) -> None:
        del facts.groups[group.pk]
        for pk, option in list(facts.options.items()):
            if option.group_id == group.pk:
                facts.options[pk] = replace(option, group_id=None)

    _refuse_new_problems(model, remove, field=None)
    OptionGroup.objects.filter(pk=group.pk).delete()
    _changed(group.product_id, by)


# --- options --------------------------------------------------------------------------


def _option_check(option: ProductOption, model: OptionModel) -> None:
    rules_for(ProductOption).check(option)
    if option.price < 0:
        raise field_error(ProductOption, "price", _("A price cannot be negative."))
    if option.position is None or option.position < 0:
        raise field_error(ProductOption, "position", _("Give a whole number, 0 or more."))
    group = option.group
    if group is not None and group.product_id != option.product_id:
        raise field_error(ProductOption, "group", _("The group belongs to another product."))
    if option.component_id is not None and option.component_id == option.product_id:
        raise field_error(ProductOption, "component", _("A product cannot be its own option."))
    if option.component_id is not None and (
        ProductOption.objects.filter(product_id=option.component_id, component__isnull=False)
        .exclude(pk=option.pk)
        .exists()
    ):
        # One level only: an order reserves the stock of an option's component, not of
        # the components of that component.
        raise field_error(
            ProductOption, "component", _("A component cannot itself have components.")
        )
    if (
        option.component_id is not None
        and ProductOption.objects.filter(component_id=option.product_id).exists()
    ):
        raise field_error(
            ProductOption,
            "component",
            _("This product is a component of another: it cannot have components."),
        )
    taken = model.options.get(option.code)
    if taken is not None and taken.pk != option.pk:
        raise field_error(ProductOption, "code", _("This code is taken."))


def _option_fact(option: ProductOption) -> integrity.OptionFact:
    return integrity.OptionFact(option.pk or _NEW, option.name, option.group_id, option.included)


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
    model = _locked_model(product.pk)
    _option_check(option, model)

    def add(facts: integrity.Facts) -> None:
        facts.options[_NEW] = _option_fact(option)

    _refuse_new_problems(model, add, field="included")
    option.save()
    _changed(product, by)
    return option


@transaction.atomic
def option_update(
    *, by: User | None, option: ProductOption, changes: dict[str, Any]
) -> ProductOption:
    """Change an option's name, price, group, "included", component or position (its
    code stays)."""
    ensure_can(by, "catalog.manage")
    _unknown_fields(changes, OPTION_FIELDS)
    model = _locked_model(option.product_id)
    option = ProductOption.objects.select_related("group").get(pk=option.pk)
    for name, value in changes.items():
        if name == "price":
            value = decimal_clean(value, field="price")
        setattr(option, name, value.strip() if isinstance(value, str) else value)
    _option_check(option, model)

    def edit(facts: integrity.Facts) -> None:
        facts.options[option.pk] = _option_fact(option)

    _refuse_new_problems(model, edit, field="group" if "group" in changes else "included")
    option.save()
    _changed(option.product_id, by)
    return option


@transaction.atomic
def option_delete(*, by: User | None, option: ProductOption) -> None:
    """Delete an option and its rules. Quotes and orders that sold it keep its code."""
    ensure_can(by, "catalog.manage")
    model = _locked_model(option.product_id)

    def remove(facts: integrity.Facts) -> None:
        del facts.options[option.pk]
        facts.rules = [r for r in facts.rules if option.pk not in (r.option_id, r.target_id)]

    _refuse_new_problems(model, remove, field=None)
    ProductOption.objects.filter(pk=option.pk).delete()
    _changed(option.product_id, by)


# --- rules ----------------------------------------------------------------------------


def _rule_check(rule: OptionRule, model: OptionModel) -> None:
    rules_for(OptionRule).check(rule)
    for name in ("option", "target"):
        if getattr(rule, name).product_id != rule.product_id:
            raise field_error(OptionRule, name, _("The option belongs to another product."))
    if rule.target_id == rule.option_id:
        raise ValidationFailed(_("An option cannot have a rule on itself."), field="target")
    if any(
        (r.option_id, r.kind, r.target_id) == (rule.option_id, rule.kind, rule.target_id)
        and r.pk != rule.pk
        for r in model.rules
    ):
        raise ValidationFailed(_("This rule exists already."), field="target")


def _rule_fact(rule: OptionRule) -> integrity.RuleFact:
    return integrity.RuleFact(rule.option_id, rule.kind, rule.target_id)


@transaction.atomic
def option_rule_create(
    *,
    by: User | None,
    option: ProductOption,
    kind: str,
    target: ProductOption,
    product: Product | None = None,
) -> OptionRule:
    """``option`` requires / excludes / includes ``target``, both options of ``product``
    (by default: ``option``'s product)."""
    ensure_can(by, "catalog.manage")
    product_id = product.pk if product is not None else option.product_id
    rule = OptionRule(product_id=product_id, option=option, kind=kind, target=target)
    model = _locked_model(product_id)
    _rule_check(rule, model)

    def add(facts: integrity.Facts) -> None:
        facts.rules.append(_rule_fact(rule))

    _refuse_new_problems(model, add, field="target")
    rule.save()
    _changed(product_id, by)
    return rule


@transaction.atomic
def option_rule_update(*, by: User | None, rule: OptionRule, changes: dict[str, Any]) -> OptionRule:
    """Change what a rule says (its option, its kind, its other option)."""
    ensure_can(by, "catalog.manage")
    _unknown_fields(changes, RULE_FIELDS)
    model = _locked_model(rule.product_id)
    rule = OptionRule.objects.select_related("option", "target").get(pk=rule.pk)
    old = _rule_fact(rule)
    for name, value in changes.items():
        setattr(rule, name, value)
    _rule_check(rule, model)

    def edit(facts: integrity.Facts) -> None:
        facts.rules.remove(old)
        facts.rules.append(_rule_fact(rule))

    _refuse_new_problems(model, edit, field="target")
    rule.save()
    _changed(rule.product_id, by)
    return rule


@transaction.atomic
def option_rule_delete(*, by: User | None, rule: OptionRule) -> None:
    ensure_can(by, "catalog.manage")
    OptionRule.objects.filter(pk=rule.pk).delete()
    _changed(rule.product_id, by)
