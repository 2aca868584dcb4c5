"""factory_boy factories of the catalogue (kept beside its tests: the sales helpers
import them as ``tests.catalog.factories``)."""

from decimal import Decimal

import factory

from panorama.catalog.models import Category, ExchangeRate, Product, Tax, Unit


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Categoría {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "ud"
    name = "Unidad"


class TaxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tax
        django_get_or_create = ("code",)

    code = "iva21"
    name = "IVA 21 %"
    rate = Decimal("21.00")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Producto {n:04d}")
    kind = Product.Kind.PRODUCT
    list_price = Decimal("100.00")
    currency = "EUR"
    tax = factory.SubFactory(TaxFactory)
    unit = factory.SubFactory(UnitFactory)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "USD"
    rate = Decimal("0.90")
    valid_from = factory.Faker("date_object")
