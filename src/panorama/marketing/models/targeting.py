"""What a segment tells whoever opens the ficha of one of its customers: its alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SegmentAlert(models.Model):
    """A note a marketer attaches to a segment ("Offer the 2% deposit before Friday"),
    shown on the ficha of every customer in it while active and within its dates."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")

    segment = models.ForeignKey(
        "marketing.Segment", on_delete=models.CASCADE, related_name="alerts"
    )
    text = models.CharField(_("text"), max_length=500)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.INFO)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("segment alert")
        verbose_name_plural = _("segment alerts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="segmentalert_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.text
