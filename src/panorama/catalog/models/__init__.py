"""The catalogue's models, one module per sub-domain; Django registers them from here."""

from .options import OptionGroup, OptionRule, ProductOption
from .products import Category, ExchangeRate, Product, Tax, Unit

__all__ = [
    "Category",
    "ExchangeRate",
    "OptionGroup",
    "OptionRule",
    "Product",
    "ProductOption",
    "Tax",
    "Unit",
]
