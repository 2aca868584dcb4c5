"""The configurator: does a set of options make a valid product, and if not, why.

``configuration_check(product=, options=[codes])`` resolves what comes included, then
checks every rule and every group, and returns all the problems at once (never only the
first), each a sentence that names the options concerned. Pricing, quotes and the API
call it; ``Configuration.raise_if_invalid()`` turns the problems into one
``ValidationFailed`` on ``options`` that lists them all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from ..models import OptionRule, Product, ProductOption
from ..selectors.options import OptionModel, option_model


@dataclass(frozen=True)
class ChosenOption:
    code: str
    name: str
    price: Decimal  # charged per unit, in the product's currency (0 when included)
    included: bool
    reason: str  # why it is included ("" when chosen and charged)
    component_id: int | None


@dataclass(frozen=True)
class Problem:
    code: str  # unknown, repeated, requires, excludes, too_few, too_many
    message: str
    options: tuple[str, ...]  # the option codes it names


@dataclass(frozen=True)
class Configuration:
    product_id: int
    options: tuple[ChosenOption, ...]
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    @property
    def options_price(self) -> Decimal:
        return sum((option.price for option in self.options), Decimal(0))

    def raise_if_invalid(self, *, field: str = "options") -> None:
        if self.problems:
            messages = [problem.message for problem in self.problems]
            raise ValidationFailed(" ".join(messages), field=field, errors={field: messages})


def _quoted(option: ProductOption) -> str:
    return f"“{option.name}”"


def _names(options: Sequence[ProductOption]) -> str:
    return ", ".join(_quoted(option) for option in options)


def _resolve(
    model: OptionModel, chosen: list[ProductOption]
) -> dict[int, tuple[ProductOption, str]]:
    """The chosen options plus what comes with them: option id → (option, why included)."""
    by_id = model.by_id()
    resolved: dict[int, tuple[ProductOption, str]] = {o.pk: (o, "") for o in chosen}
    for option in model.options.values():
        if option.included:
            resolved[option.pk] = (option, _("included with the product"))
    includes = [r for r in model.rules if r.kind == OptionRule.Kind.INCLUDES]
    grew = True
    while grew:  # a rule may include an option that includes another
        grew = False
        for rule in includes:
            if rule.option_id in resolved and not resolved.get(rule.target_id, (None, ""))[1]:
                reason = _("included with %(option)s") % {"option": _quoted(by_id[rule.option_id])}
                resolved[rule.target_id] = (by_id[rule.target_id], reason)
                grew = True
    return resolved


def _problems(
    product: Product, model: OptionModel, codes: Sequence[str]
) -> tuple[list[ProductOption], list[Problem]]:
    problems: list[Problem] = []
    chosen: list[ProductOption] = []
    seen: set[str] = set()
    for raw in codes:
        code = str(raw).strip()
        option = model.options.get(code)
        if option is None:
            problems.append(
                Problem(
                    "unknown",
                    _("%(product)s has no option %(code)s.")
                    % {"product": product.name, "code": code},
                    (code,),
                )
            )
        elif code in seen:
            problems.append(
                Problem(
                    "repeated",
                    _("The option %(option)s is chosen more than once.")
                    % {"option": _quoted(option)},
                    (code,),
                )
            )
        else:
            seen.add(code)
            chosen.append(option)
    return chosen, problems


def configuration_check(
    *, product: Product, options: Sequence[str], model: OptionModel | None = None
) -> Configuration:
    """Check ``options`` (option codes) against ``product``'s rules and groups.

    ``model``: the product's options as already read (``selectors.options.option_models``
    for a batch); by default they are read here (three queries)."""
    model = model if model is not None else option_model(product.pk)
    chosen, problems = _problems(product, model, options)
    resolved = _resolve(model, chosen)
    by_id = model.by_id()
    for rule in model.rules:
        if rule.option_id not in resolved:
            continue
        option, target = by_id[rule.option_id], by_id[rule.target_id]
        if rule.kind == OptionRule.Kind.REQUIRES and rule.target_id not in resolved:
            problems.append(
                Problem(
                    "requires",
                    _("%(option)s requires %(other)s: add %(other)s or remove %(option)s.")
                    % {"option": _quoted(option), "other": _quoted(target)},
                    (option.code, target.code),
                )
            )
        elif rule.kind == OptionRule.Kind.EXCLUDES and rule.target_id in resolved:
            problems.append(
                Problem(
                    "excludes",
                    _("%(option)s cannot be combined with %(other)s: keep only one of them.")
                    % {"option": _quoted(option), "other": _quoted(target)},
                    (option.code, target.code),
                )
            )
    for group in model.groups:
        members = model.in_group(group)
        picked = [o for o in members if o.pk in resolved]
        if len(picked) < group.min_choices:
            problems.append(
                Problem(
                    "too_few",
                    _("Choose at least %(min)s of %(group)s (%(choices)s); you chose %(count)s.")
                    % {
                        "min": group.min_choices,
                        "group": f"“{group.name}”",
                        "choices": _names(members),
                        "count": len(picked),
                    },
                    tuple(o.code for o in members),
                )
            )
        if group.max_choices is not None and len(picked) > group.max_choices:
            problems.append(
                Problem(
                    "too_many",
                    _("Choose at most %(max)s of %(group)s; you chose %(count)s: %(chosen)s.")
                    % {
                        "max": group.max_choices,
                        "group": f"“{group.name}”",
                        "count": len(picked),
                        "chosen": _names(picked),
                    },
                    tuple(o.code for o in picked),
                )
            )
    ordered = [resolved[o.pk] for o in model.options.values() if o.pk in resolved]
    return Configuration(
        product_id=product.pk,
        options=tuple(
            ChosenOption(
                code=o.code,
                name=o.name,
                price=Decimal(0) if why else o.price,
                included=bool(why),
                reason=why,
                component_id=o.component_id,
            )
            for o, why in ordered
        ),
        problems=tuple(problems),
    )
