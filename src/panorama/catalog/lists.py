"""The catalogue's shared lists (core/lists): products, price lists, promotions,
financing plans. The catalogue is company-wide: every signed-in user reads them; the
"new" action and the bulk activate/deactivate are for ``catalog.manage`` (the service
checks it again on every row)."""

import copy
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import (
    ACTIVE_CHOICES,
    BY_NAME,
    BY_NAME_DESC,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    active_chip,
    active_edit,
    active_toggle,
    active_value,
    attr,
    choice,
    id_value,
    named_choices,
)
from panorama.core.lists.actions import ChunkResult, delete_action
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import money, number

from .forms import ProductForm
from .models import Category, Channel, FinancingPlan, PriceList, Product, Promotion
from .selectors import products_filter, terms
from .services.financing import financing_plan_update
from .services.price_lists import price_list_update
from .services.product_delete import product_restore, products_delete
from .services.products import product_update
from .services.promotions import promotion_update

STATUS = [("on", _("Active")), ("off", _("Archived"))]
VALIDITY = [("current", _("Valid today")), ("upcoming", _("Upcoming")), ("expired", _("Expired"))]


_status = active_chip(_("Archived"))


def _period(row: Any) -> Any:
    start = date_format(row.valid_from, "SHORT_DATE_FORMAT") if row.valid_from else ""
    end = date_format(row.valid_until, "SHORT_DATE_FORMAT") if row.valid_until else ""
    if not start and not end:
        return _("Always")
    return f"{start or '…'} – {end or '…'}"


def _manager_action(user: Any, url_name: str, label: Any) -> tuple[str, Any] | None:
    if permissions.can(user, "catalog.manage"):
        return reverse(url_name), label
    return None


class PriceListList(ListDefinition):
    name = "price_lists"
    label = _("Price lists")
    url_name = "catalog:price_list_list"
    noun = ngettext_lazy("%(count)s price list", "%(count)s price lists", "n")
    search_label = _("Name, code or segment")
    search_placeholder = _("e.g. pymes")
    empty_title = _("No price lists")
    empty_text = _("A price list gives some products other prices for a segment or a channel.")
    columns = [
        Column("name", _("Name"), link=True, sort="name"),
        Column("code", _("Code")),
        Column("currency", _("Currency")),
        Column("segment", _("Segment"), value=attr("segment")),
        Column("channel", _("Channel"), value=choice("channel")),
        Column("period", _("Validity"), value=_period),
        Column("active", _("Status"), value=_status),
    ]
    filters = [
        Filter("active", _("Status"), choices=STATUS),
        Filter("validity", _("Validity"), choices=VALIDITY),
        Filter("channel", _("Channel"), choices=Channel.choices),
    ]
    sorts = [BY_NAME]
    default_sort = "name"
    bulk_actions = [
        active_toggle(
            lambda user, row, active: price_list_update(
                by=user, price_list=row, changes={"active": active}
            ),
            permission="catalog.manage",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        validity = state.filters.get("validity", "")
        channel = state.filters.get("channel", "")
        return terms.price_lists(
            search=state.search,
            active=active_value(state),
            channel=channel if channel in Channel.values else "",
            validity=validity if validity in terms.VALIDITY else "",
        )

    def row_url(self, row: PriceList) -> str:
        return reverse("catalog:price_list_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return _manager_action(user, "catalog:price_list_create", _("New price list"))


def _value(row: Promotion) -> Any:
    if row.kind == Promotion.Kind.PERCENT:
        return f"{number(row.value)} %"
    if row.kind == Promotion.Kind.AMOUNT:
        return money(row.value, row.currency)
    return _("Buy %(buy)s, get %(free)s") % {"buy": row.buy_quantity, "free": row.free_quantity}


def _uses(row: Promotion) -> Any:
    if row.max_uses is None:
        return number(row.uses)
    return f"{number(row.uses)} / {number(row.max_uses)}"


class PromotionList(ListDefinition):
    name = "promotions"
    label = _("Promotions")
    url_name = "catalog:promotion_list"
    noun = ngettext_lazy("%(count)s promotion", "%(count)s promotions", "n")
    search_label = _("Name, code or coupon")
    search_placeholder = _("e.g. VERANO")
    empty_title = _("No promotions")
    empty_text = _("A promotion takes a percentage or an amount off, or gives units free.")
    columns = [
        Column("name", _("Name"), link=True, sort="name"),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("value", _("Discount"), value=_value),
        Column("coupon_code", _("Coupon"), value=attr("coupon_code")),
        Column("period", _("Validity"), value=_period),
        Column("uses", _("Uses"), value=_uses, numeric=True),
        Column("active", _("Status"), value=_status),
    ]
    filters = [
        Filter("active", _("Status"), choices=STATUS),
        Filter("validity", _("Validity"), choices=VALIDITY),
        Filter("kind", _("Kind"), choices=Promotion.Kind.choices),
        Filter(
            "coupon", _("Coupon"), choices=[("yes", _("With a coupon")), ("no", _("Automatic"))]
        ),
    ]
    sorts = [BY_NAME]
    default_sort = "name"
    bulk_actions = [
        active_toggle(
            lambda user, row, active: promotion_update(
                by=user, promotion=row, changes={"active": active}
            ),
            permission="catalog.manage",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        kind = state.filters.get("kind", "")
        validity = state.filters.get("validity", "")
        return terms.promotions(
            search=state.search,
            active=active_value(state),
            kind=kind if kind in Promotion.Kind.values else "",
            coupon={"yes": True, "no": False}.get(state.filters.get("coupon", "")),
            validity=validity if validity in terms.VALIDITY else "",
        )

    def row_url(self, row: Promotion) -> str:
        return reverse("catalog:promotion_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return _manager_action(user, "catalog:promotion_create", _("New promotion"))


class FinancingPlanList(ListDefinition):
    name = "financing_plans"
    label = _("Financing plans")
    url_name = "catalog:plan_list"
    noun = ngettext_lazy("%(count)s financing plan", "%(count)s financing plans", "n")
    search_label = _("Name or code")
    search_placeholder = _("e.g. 12m")
    empty_title = _("No financing plans")
    empty_text = _("A plan pays a purchase in monthly instalments at a rate.")
    columns = [
        Column("name", _("Name"), link=True, sort="name"),
        Column("instalments", _("Instalments"), numeric=True, sort="instalments"),
        Column("annual_rate", _("TIN"), value=lambda r: f"{number(r.annual_rate)} %", numeric=True),
        Column(
            "opening_fee_percent",
            _("Opening fee"),
            value=lambda r: f"{number(r.opening_fee_percent)} %",
            numeric=True,
        ),
        Column("active", _("Status"), value=_status),
    ]
    filters = [Filter("active", _("Status"), choices=STATUS)]
    sorts = [
        BY_NAME,
        Sort("instalments", _("Fewest instalments"), Keyset("instalments", "id", types=(int, int))),
    ]
    default_sort = "instalments"
    bulk_actions = [
        active_toggle(
            lambda user, row, active: financing_plan_update(
                by=user, plan=row, changes={"active": active}
            ),
            permission="catalog.manage",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        return terms.financing_plan_list(search=state.search, active=active_value(state))

    def row_url(self, row: FinancingPlan) -> str:
        return reverse("catalog:plan_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return _manager_action(user, "catalog:plan_create", _("New financing plan"))


def _categories(user: Any) -> list[tuple[str, Any]]:
    return named_choices(Category.objects.all())


def _product_edit(name: str) -> Edit:
    """A product's cell saved through ``product_update``, with the product form's own
    field: the same parsing (a price typed in the user's language), rules and messages."""
    return Edit(
        # The class's field (a copy): its choices-free fields need no query.
        field=lambda user: copy.deepcopy(ProductForm.base_fields[name]),
        initial=lambda row: getattr(row, name),
        save=lambda user, row, value: product_update(product=row, by=user, changes={name: value}),
        permission="catalog.manage",
    )


def _delete(user: Any, products: list[Product], _value: Any) -> ChunkResult:
    """The chunk deleted in one write; each product in use refused, naming what uses it;
    each deleted one's snapshot kept for the undo."""
    refused, kept = products_delete(by=user, products=products)
    return ChunkResult(refused=refused, kept=kept)


# products_delete: ``catalog.manage``; a product in use (quotes, orders, price lists,
# bundles, holdings, service...) refused with what uses it; undone by product_restore.
DELETE = delete_action(
    None,
    _("Choose “Delete them for good” to delete the selected products."),
    permission="catalog.manage",
    run_many=_delete,
    deletes=True,
    undo=lambda user, _row, kept: product_restore(by=user, snapshot=kept),
)


ACTIVE_EDIT = active_edit(
    lambda user, row, active: product_update(product=row, by=user, changes={"active": active}),
    permission="catalog.manage",
)


class ProductList(ListDefinition):
    name = "products"
    label = _("Products")
    url_name = "catalog:product_list"
    noun = ngettext_lazy("%(count)s product", "%(count)s products", "n")
    search_label = _("Name or SKU")
    search_placeholder = _("e.g. router, RT-5G")
    empty_title = _("No products yet")
    empty_text = _("Products and services are what quotes and orders sell.")
    columns = [
        Column("name", _("Name"), link=True, sort="name", edit=_product_edit("name")),
        Column("sku", _("SKU"), sort="sku"),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("category", _("Category"), value=attr("category.name")),
        Column(
            "list_price",
            _("List price"),
            value=lambda r: money(r.list_price, r.currency),
            numeric=True,
            edit=_product_edit("list_price"),
        ),
        Column("unit", _("Unit"), value=attr("unit.name"), default=False),
        Column("tax", _("Tax"), value=attr("tax.name"), default=False),
        Column("active", _("Status"), value=active_chip(), edit=ACTIVE_EDIT),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=Product.Kind.choices),
        Filter("active", _("Status"), choices=ACTIVE_CHOICES),
        Filter("category", _("Category"), choices=_categories),
    ]
    sorts = [
        BY_NAME,
        BY_NAME_DESC,
        Sort("sku", _("SKU"), Keyset("sku", types=(str,))),
    ]
    default_sort = "name"
    bulk_actions = [
        active_toggle(
            lambda user, row, active: product_update(
                product=row, by=user, changes={"active": active}
            ),
            permission="catalog.manage",
        ),
        DELETE,
    ]
    bulk_export = "core.export"
    row_related = ("category", "unit", "tax")

    def filtered(self, user, state: ListState) -> QuerySet:
        kind = state.filters.get("kind", "")
        return products_filter(
            search=state.search,
            kind=kind if kind in Product.Kind.values else "",
            category_id=id_value(state, "category"),
            active=active_value(state),
        )

    def row_url(self, row: Product) -> str:
        return reverse("catalog:product_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return _manager_action(user, "catalog:product_create", _("New product"))


PRODUCTS = ProductList()
PRICE_LISTS = PriceListList()
PROMOTIONS = PromotionList()
FINANCING_PLANS = FinancingPlanList()
