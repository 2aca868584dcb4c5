"""Every read of the catalogue, for views, the API and other apps."""

from .money import RateBook, company_currency, convert, currency_clean, rate
from .products import categories, product_get, product_list, products, taxes, units
from .stock import Availability, AvailabilitySource, availability, availability_source_set

__all__ = [
    "Availability",
    "AvailabilitySource",
    "RateBook",
    "availability",
    "availability_source_set",
    "categories",
    "company_currency",
    "convert",
    "currency_clean",
    "product_get",
    "product_list",
    "products",
    "rate",
    "taxes",
    "units",
]
