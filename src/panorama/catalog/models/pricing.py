"""Price lists (per segment, channel and currency, with validity dates) and promotions
(percentage, amount, buy X get Y; automatic or by coupon; eligibility by segment or by a
product the customer holds)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .products import Category, Product, company_currency


class Channel(models.TextChoices):
    """Where a sale is made: a price list or a promotion may hold for one channel only."""

    DIRECT = "direct", _("Direct sales")
    BRANCH = "branch", _("Branch")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    PORTAL = "portal", _("Customer portal")
    PARTNER = "partner", _("Partner")


class PriceList(models.Model):
    """Prices of some products for a segment and/or a channel, in one currency, between
    two dates. Empty segment or channel: any."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default=company_currency)
    segment = models.CharField(_("segment"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="price_list_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """The unit price of a product in a price list from ``min_quantity`` units: a fixed
    ``price`` or a ``discount_percent`` off the list price (one of the two)."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="price_list_items",
        verbose_name=_("product"),
    )
    min_quantity = models.DecimalField(
        _("from quantity"),
        max_digits=12,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0)],
    )
    price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="price_list_item_unique"
            ),
            models.CheckConstraint(
                condition=(Q(price__isnull=False) & Q(discount_percent__isnull=True))
                | (Q(price__isnull=True) & Q(discount_percent__isnull=False)),
                name="price_list_item_price_or_discount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list} · {self.product_id} ≥ {self.min_quantity}"


class Promotion(models.Model):
    """A discount for some products (none chosen: every product), automatic or behind a
    coupon code, between two dates, for everyone or only for some segments or holders of
    some products (``customers.Holding.product_code``)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage off")
        AMOUNT = "amount", _("Amount off per unit")
        BUY_X_GET_Y = "buy_x_get_y", _("Buy X, get Y free")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("The percentage, or the amount off per unit in the promotion's currency."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=company_currency)
    buy_quantity = models.PositiveIntegerField(_("buy"), default=0)
    free_quantity = models.PositiveIntegerField(_("get free"), default=0)
    coupon_code = models.CharField(
        _("coupon code"),
        max_length=40,
        blank=True,
        help_text=_("Empty: the promotion applies by itself to whoever is eligible."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    segments = models.JSONField(_("segments"), default=list, blank=True)
    holding_codes = models.JSONField(_("held product codes"), default=list, blank=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="promotions", verbose_name=_("products")
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="promotions", verbose_name=_("categories")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="promotion_until_after_from",
            ),
            models.UniqueConstraint(
                fields=["coupon_code"],
                condition=~Q(coupon_code=""),
                name="promotion_coupon_unique",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="promotion_value_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
