from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Defect(models.Model):
    """A fault found in a product (quality): which version and component, how severe,
    where it stands, the cases it caused and the installed assets it affects. The
    defect report counts them per product per month."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONFIRMED = "confirmed", _("Confirmed")
        FIXED = "fixed", _("Fixed")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Not a defect")

    OPEN_STATUSES = (Status.NEW, Status.CONFIRMED)

    # "D-000123", set from the id once the row exists.
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="defects",
        verbose_name=_("product"),
    )
    version = models.CharField(_("version"), max_length=40, blank=True)
    component = models.CharField(_("component"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    fixed_in = models.CharField(_("fixed in version"), max_length=40, blank=True)
    cases = models.ManyToManyField(
        "service.Case", blank=True, related_name="defects", verbose_name=_("cases")
    )
    # The installed-base assets it affects (of its product, at customers' sites).
    assets = models.ManyToManyField(
        "service.Asset", blank=True, related_name="defects", verbose_name=_("assets")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["product", "found_on"], name="defect_product_month"),
            models.Index(fields=["status", "-found_on"], name="defect_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
