"""API shapes of a product's option groups, options and rules.

Records are addressed by id in the path and name each other by code in the body (an
option's ``group``, a rule's ``option`` and ``target``), as the configurator and pricing
do: codes never change, quotes keep them."""

from decimal import Decimal

from ninja import Field, Schema

from panorama.core.validation import text_field

from ..models import OptionGroup, ProductOption

_GROUP_CODE = "the code of one of the product's option groups; null: no group"
_OPTION_CODE = "the code of one of the product's options"
_KIND = "requires, excludes or includes"
_COMPONENT = (
    "the SKU of the catalogue product this option is (a bundle's component: an order "
    "reserves its stock); null: none"
)


class OptionOut(Schema):
    id: int
    code: str
    name: str
    price: Decimal
    included: bool
    group: str | None = Field(None, description="the group's code")
    component_id: int | None
    component: str | None = Field(None, description=_COMPONENT)
    position: int

    @staticmethod
    def resolve_group(obj) -> str | None:
        return obj.group.code if obj.group_id else None

    @staticmethod
    def resolve_component(obj) -> str | None:
        return obj.component.sku if obj.component_id else None


class OptionGroupOut(Schema):
    id: int
    code: str
    name: str
    min_choices: int
    max_choices: int | None
    position: int


class OptionRuleOut(Schema):
    id: int
    option: str = Field(description="the option's code")
    kind: str = Field(description=_KIND)
    target: str = Field(description="the other option's code")

    @staticmethod
    def resolve_option(obj) -> str:
        return obj.option.code

    @staticmethod
    def resolve_target(obj) -> str:
        return obj.target.code


class ProductOptionsOut(Schema):
    product_id: int
    groups: list[OptionGroupOut]
    options: list[OptionOut]
    rules: list[OptionRuleOut]


class OptionGroupIn(Schema):
    code: str = text_field(OptionGroup, "code", description="never changes")
    name: str = text_field(OptionGroup, "name")
    min_choices: int = Field(
        0, description="how many must be chosen; a new group starts at 0 (it has no options)"
    )
    max_choices: int | None = Field(None, description="null: no limit")
    position: int = 0


class OptionGroupPatch(Schema):
    name: str | None = text_field(OptionGroup, "name", None)
    min_choices: int | None = None
    max_choices: int | None = Field(None, description="null: no limit")
    position: int | None = None


class OptionIn(Schema):
    code: str = text_field(ProductOption, "code", description="never changes: quotes keep it")
    name: str = text_field(ProductOption, "name")
    price: Decimal = Field(Decimal(0), description="added per unit, in the product's currency")
    group: str | None = Field(None, description=_GROUP_CODE)
    included: bool = Field(False, description="always part of the product, at no charge")
    component: str | None = Field(None, description=_COMPONENT)
    position: int = 0


class OptionPatch(Schema):
    name: str | None = text_field(ProductOption, "name", None)
    price: Decimal | None = None
    group: str | None = Field(None, description=_GROUP_CODE)
    included: bool | None = None
    component: str | None = Field(None, description=_COMPONENT)
    position: int | None = None


class OptionRuleIn(Schema):
    option: str = Field(description=_OPTION_CODE)
    kind: str = Field(description=_KIND)
    target: str = Field(description=_OPTION_CODE)


class OptionRulePatch(Schema):
    option: str | None = Field(None, description=_OPTION_CODE)
    kind: str | None = Field(None, description=_KIND)
    target: str | None = Field(None, description=_OPTION_CODE)
