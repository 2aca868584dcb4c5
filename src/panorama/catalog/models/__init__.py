"""The catalogue's models, one module per sub-domain; Django registers them from here."""

from .financing import FinancingPlan
from .options import OptionGroup, OptionRule, ProductOption
from .pricing import Channel, PriceList, PriceListItem, Promotion
from .products import Category, ExchangeRate, Product, Tax, Unit
from .stock import StockMovement

__all__ = [
    "Channel",
    "PriceList",
    "PriceListItem",
    "Promotion",
    "Category",
    "ExchangeRate",
    "FinancingPlan",
    "OptionGroup",
    "OptionRule",
    "Product",
    "ProductOption",
    "StockMovement",
    "Tax",
    "Unit",
]
