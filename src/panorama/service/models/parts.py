from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Part(models.Model):
    """A spare part kept in stock (optionally a product of the catalogue)."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("product"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class StockLocation(models.Model):
    """Where parts are kept: a warehouse, or a van (which belongs to one technician)."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("Warehouse")
        VAN = "van", _("Van")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vans",
        verbose_name=_("technician"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="van") | models.Q(technician__isnull=True),
                name="stock_location_only_vans_have_technician",
                violation_error_message=_("Only a van belongs to a technician."),
            ),
            models.UniqueConstraint(
                fields=["technician"],
                condition=models.Q(kind="van", active=True),
                name="stock_location_one_van_per_technician",
                violation_error_message=_("This technician already has a van."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """How many of a part a location holds, and the minimum below which it is reordered."""

    location = models.ForeignKey(
        StockLocation, on_delete=models.CASCADE, related_name="levels", verbose_name=_("location")
    )
    part = models.ForeignKey(
        Part, on_delete=models.CASCADE, related_name="levels", verbose_name=_("part")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    minimum = models.PositiveIntegerField(_("reorder below"), default=0)
    reorder_alerted_at = models.DateTimeField(_("reorder alert sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["location__name", "part__name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "part"], name="stock_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.part} @ {self.location}: {self.quantity}"

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum


class StockMove(models.Model):
    """Every change of stock: received, transferred, used on a work order, adjusted."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Received")
        TRANSFER = "transfer", _("Transfer")
        CONSUMPTION = "consumption", _("Used on a work order")
        ADJUSTMENT = "adjustment", _("Adjustment")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="moves", verbose_name=_("part")
    )
    from_location = models.ForeignKey(
        StockLocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves_out",
        verbose_name=_("from"),
    )
    to_location = models.ForeignKey(
        StockLocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves_in",
        verbose_name=_("to"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    work_order = models.ForeignKey(
        "service.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_moves",
        verbose_name=_("work order"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["work_order"], name="stock_move_work_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.part_id}"
