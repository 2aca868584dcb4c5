"""A product's options, groups and rules, read in three queries whatever their number
(and for many products at once: still three)."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound

from ..models import OptionGroup, OptionRule, ProductOption


@dataclass
class OptionModel:
    """Everything the configurator needs about one product's options."""

    product_id: int
    groups: list[OptionGroup] = field(default_factory=list)
    options: dict[str, ProductOption] = field(default_factory=dict)  # by code, in order
    rules: list[OptionRule] = field(default_factory=list)

    def by_id(self) -> dict[int, ProductOption]:
        return {option.pk: option for option in self.options.values()}

    def in_group(self, group: OptionGroup) -> list[ProductOption]:
        return [o for o in self.options.values() if o.group_id == group.pk]

    def sections(self) -> list[dict]:
        """The options as a picker shows them (the configurator, a quote's line): one
        section per group, in order, then the options in no group (``group`` None)."""
        sections: list[dict] = [
            {"group": group, "options": self.in_group(group)} for group in self.groups
        ]
        loose = [o for o in self.options.values() if o.group_id is None]
        if loose:
            sections.append({"group": None, "options": loose})
        return sections


def option_models(product_ids: Iterable[int]) -> dict[int, OptionModel]:
    """The option model of each product, in three queries."""
    ids = set(product_ids)
    models = {pk: OptionModel(pk) for pk in ids}
    if not ids:
        return models
    groups = {}
    for group in OptionGroup.objects.filter(product_id__in=ids).order_by("position", "id"):
        models[group.product_id].groups.append(group)
        groups[group.pk] = group
    options = {}
    listed = ProductOption.objects.filter(product_id__in=ids).select_related("component")
    for option in listed.order_by("position", "id"):
        if option.group_id is not None:
            option.group = groups[option.group_id]  # no query to read it later
        models[option.product_id].options[option.code] = option
        options[option.pk] = option
    for rule in OptionRule.objects.filter(product_id__in=ids).order_by("id"):
        rule.option, rule.target = options[rule.option_id], options[rule.target_id]
        models[rule.product_id].rules.append(rule)
    return models


def option_model(product_id: int) -> OptionModel:
    return option_models([product_id])[product_id]


def option_names(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The names of options given as (product id, option code), in one query (none for
    no pairs): what a quote, its PDF or an order shows for the codes a line keeps."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = ProductOption.objects.filter(
        product_id__in={p for p, _c in wanted}, code__in={c for _p, c in wanted}
    ).values_list("product_id", "code", "name")
    return {(p, c): name for p, c, name in rows if (p, c) in wanted}


def option_components(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The component product of each option given as (product id, option code) that has
    one, in one query (none for no pairs): the stock an order line of a bundle holds."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = ProductOption.objects.filter(
        product_id__in={p for p, _c in wanted},
        code__in={c for _p, c in wanted},
        component__isnull=False,
    ).values_list("product_id", "code", "component_id")
    return {(p, c): component for p, c, component in rows if (p, c) in wanted}


def option_group_get(*, product_id: int, group_id: int) -> OptionGroup:
    """One group of ``product_id`` (NotFound for another product's)."""
    group = OptionGroup.objects.filter(product_id=product_id, pk=group_id).first()
    if group is None:
        raise NotFound(_("This option group does not exist."))
    return group


def option_get(*, product_id: int, option_id: int) -> ProductOption:
    """One option of ``product_id`` (NotFound for another product's)."""
    option = (
        ProductOption.objects.select_related("group", "component")
        .filter(product_id=product_id, pk=option_id)
        .first()
    )
    if option is None:
        raise NotFound(_("This option does not exist."))
    return option


def option_rule_get(*, product_id: int, rule_id: int) -> OptionRule:
    """One rule of ``product_id`` (NotFound for another product's)."""
    rule = (
        OptionRule.objects.select_related("option", "target")
        .filter(product_id=product_id, pk=rule_id)
        .first()
    )
    if rule is None:
        raise NotFound(_("This option rule does not exist."))
    return rule
