"""Manager adjustments of the forecast: every one is kept, the latest for a period,
target and category is the one shown."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastAdjustment(models.Model):
    class Category(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        BEST_CASE = "best_case", _("Best case")
        COMMIT = "commit", _("Commit")
        CLOSED = "closed", _("Closed")

    # "2026-11" (a month) or "2026-Q4" (a quarter).
    period = models.CharField(_("period"), max_length=7)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("rep"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("team"),
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        ordering = ["period", "-at", "-id"]
        indexes = [models.Index(fields=["period", "-at"], name="forecast_adj_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rep__isnull=False, team__isnull=True)
                | models.Q(rep__isnull=True, team__isnull=False),
                name="forecast_adjustment_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.category} {self.amount}"
