"""The stock movements of a product, while no ERP keeps the stock: every change of its
stock on hand or reserved is one row (``catalog.services.stock`` writes them, nothing
else), so the figures on the product are the sum of its movements and their history
says who, when, why and for which order."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening stock")
        RECEIVED = "received", _("Receipt")
        ADJUSTED = "adjusted", _("Count adjustment")
        RESERVED = "reserved", _("Reserved by an order")
        SHIPPED = "shipped", _("Used by a shipped order")
        RELEASED = "released", _("Released by a cancelled order")

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="stock_movements",
        verbose_name=_("product"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Signed changes, and the figures they left.
    on_hand_change = models.IntegerField(_("change on hand"), default=0)
    reserved_change = models.IntegerField(_("change reserved"), default=0)
    on_hand_after = models.PositiveIntegerField(_("on hand after"))
    reserved_after = models.PositiveIntegerField(_("reserved after"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The order that moved it (sales sits above the catalogue: an id, not a key).
    order_id = models.PositiveBigIntegerField(_("order"), null=True, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        indexes = [models.Index(fields=["product", "-id"], name="stock_movement_by_product")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_change:+}/{self.reserved_change:+} ({self.product_id})"
