from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceContract(models.Model):
    """A service contract or a warranty: from ``starts_on`` to ``ends_on`` it covers the
    listed assets and every asset of the customer of the listed products, with
    entitlements (visits, hours; empty: unlimited) consumed by completed work orders."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Service contract")
        WARRANTY = "warranty", _("Warranty")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONTRACT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="service_contracts",
        verbose_name=_("customer"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_contracts",
        verbose_name=_("owner"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    assets = models.ManyToManyField(
        "service.Asset", blank=True, related_name="contracts", verbose_name=_("assets")
    )
    products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="service_contracts",
        verbose_name=_("products"),
    )
    sla_policy = models.ForeignKey(
        "service.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        verbose_name=_("SLA policy"),
    )
    visits_included = models.PositiveIntegerField(_("visits included"), null=True, blank=True)
    visits_used = models.PositiveIntegerField(_("visits used"), default=0)
    hours_included = models.DecimalField(
        _("hours included"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    hours_used = models.DecimalField(_("hours used"), max_digits=7, decimal_places=2, default=0)
    renewal_notice_days = models.PositiveIntegerField(_("renewal notice (days)"), default=30)
    renewal_alerted_at = models.DateTimeField(_("renewal alert sent at"), null=True, blank=True)
    cancelled_on = models.DateField(
        _("cancelled from"),
        null=True,
        blank=True,
        help_text=_("From this day the contract covers nothing."),
    )
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    renewed_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal",
        verbose_name=_("renewal of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "ends_on"], name="contract_customer"),
            models.Index(fields=["status", "ends_on"], name="contract_ending"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.name}"

    @classmethod
    def in_force_q(cls, on, prefix: str = "") -> models.Q:
        """The contracts covering anything on ``on``: within their dates, and active or
        cancelled from a later day (a cancelled contract covers nothing from its
        cancellation date; one cancelled without a date, nothing at all)."""
        return models.Q(**{f"{prefix}starts_on__lte": on, f"{prefix}ends_on__gte": on}) & (
            models.Q(**{f"{prefix}status": cls.Status.ACTIVE})
            | models.Q(**{f"{prefix}status": cls.Status.CANCELLED, f"{prefix}cancelled_on__gt": on})
        )

    def in_force_on(self, on) -> bool:
        """``in_force_q`` for a contract already read."""
        if not self.starts_on <= on <= self.ends_on:
            return False
        if self.status == self.Status.ACTIVE:
            return True
        return self.cancelled_on is not None and on < self.cancelled_on

    @property
    def visits_left(self) -> int | None:
        if self.visits_included is None:
            return None
        return max(0, self.visits_included - self.visits_used)

    @property
    def hours_left(self):
        if self.hours_included is None:
            return None
        return max(0, self.hours_included - self.hours_used)
