"""Every read of the catalogue, for views, the API and other apps."""

from .money import (
    RateBook,
    company_currency,
    convert,
    currency_clean,
    exchange_rates,
    rate,
    rates_by_currency,
)
from .products import (
    categories,
    category_get,
    category_tree,
    product_get,
    product_list,
    products,
    products_filter,
    tax_get,
    taxes,
    unit_get,
    units,
)
from .stock import (
    Availability,
    AvailabilitySource,
    availability,
    availability_source_set,
    stock_kept_here,
    stock_movements,
)

__all__ = [
    "Availability",
    "AvailabilitySource",
    "RateBook",
    "availability",
    "availability_source_set",
    "categories",
    "category_get",
    "category_tree",
    "company_currency",
    "convert",
    "currency_clean",
    "exchange_rates",
    "product_get",
    "product_list",
    "products",
    "products_filter",
    "stock_kept_here",
    "stock_movements",
    "rate",
    "rates_by_currency",
    "tax_get",
    "taxes",
    "unit_get",
    "units",
]
