"""The catalogue's fallback configuration screens. Products are created and edited in the
application, and the reference data (categories, units, taxes, exchange rates) on the
catalogue settings page (/catalog/settings/) and the API: their services check the rules
and emit events (``exchange_rate.changed``), so here they are read-only."""

from django.contrib import admin

from .models import (
    Category,
    ExchangeRate,
    FinancingPlan,
    OptionGroup,
    OptionRule,
    PriceList,
    PriceListItem,
    Product,
    ProductOption,
    Promotion,
    StockMovement,
    Tax,
    Unit,
)


class _ThroughTheSettingsPage(admin.ModelAdmin):
    """Read-only here: the catalogue settings page and the API write through the services
    (a rate above 0, no duplicate code, the ``exchange_rate.changed`` event)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(_ThroughTheSettingsPage):
    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(_ThroughTheSettingsPage):
    list_display = ("code", "name")


@admin.register(Tax)
class TaxAdmin(_ThroughTheSettingsPage):
    list_display = ("name", "code", "rate", "active")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(_ThroughTheSettingsPage):
    list_display = ("currency", "rate", "valid_from")
    list_filter = ("currency",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "kind", "category", "list_price", "currency", "active")
    list_filter = ("kind", "active", "category")
    search_fields = ("sku", "name")

    # Read-only here: the application's screens write through the services.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """Read-only: a product's stock history, written by ``services.stock`` alone."""

    list_display = ("at", "product", "kind", "on_hand_change", "reserved_change", "order_reference")
    list_filter = ("kind",)
    list_select_related = ("product",)
    search_fields = ("product__sku", "order_reference")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _ThroughTheOptionsPages(admin.ModelAdmin):
    """Read-only here: the product's options pages write through the services, which
    refuse a rule that could never be met or a required group without options."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OptionGroup)
class OptionGroupAdmin(_ThroughTheOptionsPages):
    list_display = ("product", "name", "code", "min_choices", "max_choices", "position")
    list_select_related = ("product",)
    search_fields = ("product__name", "name", "code")


@admin.register(ProductOption)
class ProductOptionAdmin(_ThroughTheOptionsPages):
    list_display = ("product", "name", "code", "group", "price", "included")
    list_select_related = ("product", "group")
    search_fields = ("product__name", "name", "code")
    raw_id_fields = ("product", "component")


@admin.register(OptionRule)
class OptionRuleAdmin(_ThroughTheOptionsPages):
    list_display = ("product", "option", "kind", "target")
    list_select_related = ("product", "option", "target")
    raw_id_fields = ("product", "option", "target")


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    raw_id_fields = ("product",)
    extra = 0


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "currency", "segment", "channel", "valid_from", "valid_until")
    list_filter = ("currency", "channel", "active")
    inlines = [PriceListItemInline]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "value", "coupon_code", "valid_until", "uses")
    list_filter = ("kind", "active")
    search_fields = ("name", "code", "coupon_code")
    filter_horizontal = ("products", "categories")
    readonly_fields = ("uses",)


@admin.register(FinancingPlan)
class FinancingPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "instalments", "annual_rate", "opening_fee_percent", "active")
    list_filter = ("active",)
