"""Financing plans: pay a purchase in monthly instalments (French amortisation)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class FinancingPlan(models.Model):
    """``instalments`` monthly payments at an annual nominal rate (TIN) plus an opening
    fee (a percentage of the amount financed, paid up front)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    instalments = models.PositiveSmallIntegerField(
        _("instalments"), validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    annual_rate = models.DecimalField(
        _("annual nominal rate (TIN, %)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    opening_fee_percent = models.DecimalField(
        _("opening fee (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    min_amount = models.DecimalField(
        _("minimum amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("maximum amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("financing plan")
        verbose_name_plural = _("financing plans")
        ordering = ["instalments", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(instalments__gte=1), name="financing_plan_one_instalment_or_more"
            ),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0) & Q(opening_fee_percent__gte=0),
                name="financing_plan_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(max_amount__gte=F("min_amount")),
                name="financing_plan_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name
