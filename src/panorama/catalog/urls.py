from django.urls import path

from .views import configure, financing, options, price_lists, products, promotions, settings

app_name = "catalog"
urlpatterns = [
    path("", products.product_list, name="product_list"),
    path("financing/", financing.financing, name="financing"),
    path("settings/", settings.catalog_settings, name="settings"),
    path("settings/categories/", settings.category_add, name="category_add"),
    path(
        "settings/categories/<int:category_id>/edit/",
        settings.category_edit,
        name="category_edit",
    ),
    path("settings/units/", settings.unit_add, name="unit_add"),
    path("settings/units/<int:unit_id>/edit/", settings.unit_edit, name="unit_edit"),
    path("settings/taxes/", settings.tax_add, name="tax_add"),
    path("settings/taxes/<int:tax_id>/edit/", settings.tax_edit, name="tax_edit"),
    path("settings/exchange-rates/", settings.rate_set, name="rate_set"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/", products.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path("products/<int:product_id>/delete/", products.product_delete, name="product_delete"),
    path(
        "products/<int:product_id>/stock-receipts/",
        products.product_stock_receive,
        name="product_stock_receive",
    ),
    path(
        "products/<int:product_id>/stock-adjustments/",
        products.product_stock_adjust,
        name="product_stock_adjust",
    ),
    path(
        "products/<int:product_id>/configure/",
        configure.product_configure,
        name="product_configure",
    ),
    path("products/<int:product_id>/options/", options.product_options, name="product_options"),
    path(
        "products/<int:product_id>/options/groups/new/",
        options.option_group_create,
        name="option_group_create",
    ),
    path(
        "products/<int:product_id>/options/groups/<int:option_group_id>/edit/",
        options.option_group_edit,
        name="option_group_edit",
    ),
    path(
        "products/<int:product_id>/options/groups/<int:option_group_id>/delete/",
        options.option_group_delete,
        name="option_group_delete",
    ),
    path("products/<int:product_id>/options/new/", options.option_create, name="option_create"),
    path(
        "products/<int:product_id>/options/<int:option_id>/edit/",
        options.option_edit,
        name="option_edit",
    ),
    path(
        "products/<int:product_id>/options/<int:option_id>/delete/",
        options.option_delete,
        name="option_delete",
    ),
    path(
        "products/<int:product_id>/options/rules/new/",
        options.option_rule_create,
        name="option_rule_create",
    ),
    path(
        "products/<int:product_id>/options/rules/<int:option_rule_id>/edit/",
        options.option_rule_edit,
        name="option_rule_edit",
    ),
    path(
        "products/<int:product_id>/options/rules/<int:option_rule_id>/delete/",
        options.option_rule_delete,
        name="option_rule_delete",
    ),
    path("price-lists/", price_lists.price_list_list, name="price_list_list"),
    path("price-lists/new/", price_lists.price_list_create, name="price_list_create"),
    path(
        "price-lists/<int:price_list_id>/",
        price_lists.price_list_detail,
        name="price_list_detail",
    ),
    path(
        "price-lists/<int:price_list_id>/edit/",
        price_lists.price_list_edit,
        name="price_list_edit",
    ),
    path(
        "price-lists/<int:price_list_id>/archive/",
        price_lists.price_list_archive,
        name="price_list_archive",
    ),
    path(
        "price-lists/<int:price_list_id>/try/",
        price_lists.price_list_try,
        name="price_list_try",
    ),
    path(
        "price-lists/<int:price_list_id>/items/<int:item_id>/remove/",
        price_lists.price_list_item_remove,
        name="price_list_item_remove",
    ),
    path("promotions/", promotions.promotion_list, name="promotion_list"),
    path("promotions/new/", promotions.promotion_create, name="promotion_create"),
    path("promotions/<int:promotion_id>/", promotions.promotion_detail, name="promotion_detail"),
    path("promotions/<int:promotion_id>/edit/", promotions.promotion_edit, name="promotion_edit"),
    path(
        "promotions/<int:promotion_id>/archive/",
        promotions.promotion_archive,
        name="promotion_archive",
    ),
    path("promotions/<int:promotion_id>/try/", promotions.promotion_try, name="promotion_try"),
    path("financing-plans/", financing.plan_list, name="plan_list"),
    path("financing-plans/new/", financing.plan_create, name="plan_create"),
    path("financing-plans/<int:plan_id>/", financing.plan_detail, name="plan_detail"),
    path("financing-plans/<int:plan_id>/edit/", financing.plan_edit, name="plan_edit"),
    path("financing-plans/<int:plan_id>/archive/", financing.plan_archive, name="plan_archive"),
]
