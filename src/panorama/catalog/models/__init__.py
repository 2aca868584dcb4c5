"""The catalogue's models, one module per sub-domain; Django registers them from here."""

from .products import Category, ExchangeRate, Product, Tax, Unit

__all__ = ["Category", "ExchangeRate", "Product", "Tax", "Unit"]
