from django.db import models
from django.utils.translation import gettext_lazy as _


class Asset(models.Model):
    """Something installed at a customer's site (the installed base): a product of the
    catalogue with its serial number, where it is, since when, and what it is part of
    (``parent``: a boiler's burner is a component of the boiler)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="assets",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("product"),
    )
    serial_number = models.CharField(_("serial number"), max_length=80)
    install_date = models.DateField(_("install date"), null=True, blank=True)
    site = models.CharField(_("location"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
        verbose_name=_("part of"),
    )
    notes = models.TextField(_("notes"), blank=True)
    last_serviced_on = models.DateField(_("last serviced on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["customer_id", "product__name", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"], name="asset_serial_per_product"
            ),
        ]
        indexes = [models.Index(fields=["customer", "parent"], name="asset_customer")]

    def __str__(self) -> str:
        return f"{self.product} · {self.serial_number}"
