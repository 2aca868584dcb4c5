"""Orders: from an accepted quote or placed directly, through their lifecycle."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .quote import money_field


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    # status → the statuses it may move to
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.CONFIRMED, Status.CANCELLED),
        Status.CONFIRMED: (Status.SHIPPED, Status.CANCELLED),
        Status.SHIPPED: (Status.DELIVERED,),
        Status.DELIVERED: (),
        Status.CANCELLED: (),
    }

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="orders",
        verbose_name=_("customer"),
    )
    quote = models.OneToOneField(
        "sales.Quote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order",
        verbose_name=_("quote"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("team"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    # The coupon code the order was priced with (typed on the order or the quote's).
    coupon = models.CharField(_("coupon"), max_length=40, blank=True)
    net = money_field(_("net"))
    tax = money_field(_("tax"))
    total = money_field(_("total"))
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    # Confirmed with more than the free stock of a product: the rest waits (see
    # catalog.services.stock); it cannot ship until the stock is there.
    backorder = models.BooleanField(_("on backorder"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="order_owner"),
            models.Index(fields=["team", "-id"], name="order_team"),
            models.Index(fields=["customer", "-id"], name="order_customer"),
            # The warehouse refresh reads the rows changed since its last load by it.
            models.Index(fields=["updated_at"], name="order_updated"),
        ]

    def __str__(self) -> str:
        return self.reference or f"O-{self.pk}"

    def next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.status, ())


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    unit_price = money_field(_("unit price"))
    net = money_field(_("net"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    tax = money_field(_("tax"))
    total = money_field(_("total"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    # Units of a stock-tracked product this line holds reserved (confirmed, not yet
    # shipped), and the units it waits for (on backorder).
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    backordered = models.PositiveIntegerField(_("on backorder"), default=0)
    # A bundle's components (its options that are catalogue products), fixed when the
    # order is placed: [{"product_id", "units", "reserved", "backordered"}], the stock
    # each holds as the line's own product does.
    components = models.JSONField(_("components"), default=list, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class OrderPromotion(models.Model):
    """A promotion (a coupon or an automatic one) that priced an order and counted one
    use of it. Cancelling the order gives that use back, once: ``returned_at`` says it
    was (see ``services.order``)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="promotions_used",
        verbose_name=_("order"),
    )
    promotion = models.ForeignKey(
        "catalog.Promotion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("promotion"),
    )
    returned_at = models.DateTimeField(_("use given back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("promotion used by an order")
        verbose_name_plural = _("promotions used by orders")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "promotion"], name="order_promotion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.promotion_id}"
