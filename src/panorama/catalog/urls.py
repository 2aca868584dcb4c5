from django.urls import path

from .views import configure, financing, products

app_name = "catalog"
urlpatterns = [
    path("", products.product_list, name="product_list"),
    path("financing/", financing.financing, name="financing"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/", products.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path(
        "products/<int:product_id>/configure/",
        configure.product_configure,
        name="product_configure",
    ),
]
