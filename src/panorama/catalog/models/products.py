"""Products and services and what describes them: categories, units, taxes, and the
exchange rates that turn any currency into the company's."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def company_currency() -> str:
    return settings.PANORAMA_COMPANY_CURRENCY


class Category(models.Model):
    """A node of the catalogue's tree (e.g. "Cuentas" under "Banca de particulares")."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """What a quantity counts: units, hours, months, metres..."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tax(models.Model):
    """A sales tax rate (IVA 21 %, 10 %, 4 %, exempt...)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    rate = models.DecimalField(
        _("rate (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        ordering = ["-rate", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_between_0_and_100"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the company sells: a product (goods) or a service. The stock fields
    serve when no ERP is connected; an ERP connector replaces them (see
    ``catalog.selectors.availability``)."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("unit"),
    )
    tax = models.ForeignKey(
        Tax,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("tax"),
    )
    list_price = models.DecimalField(
        _("list price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default=company_currency)
    active = models.BooleanField(_("active"), default=True)
    track_stock = models.BooleanField(_("track stock"), default=False)
    stock_on_hand = models.PositiveIntegerField(_("stock on hand"), default=0)
    stock_reserved = models.PositiveIntegerField(_("stock reserved"), default=0)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="product_by_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gte=0), name="product_list_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def stock_available(self) -> int:
        """Free stock: on hand less what confirmed orders hold reserved (never below 0)."""
        return max(self.stock_on_hand - self.stock_reserved, 0)


class ExchangeRate(models.Model):
    """One unit of ``currency`` is worth ``rate`` units of the company currency
    (``PANORAMA_COMPANY_CURRENCY``) from ``valid_from`` until the next rate."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"], name="exchange_rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"
