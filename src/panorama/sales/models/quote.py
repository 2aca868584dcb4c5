"""Quotes (proposals) and their lines.

A quote is priced line by line through the catalogue's pricing service; each line keeps
the amounts and the explanation of every step as they were when it was priced, so the
quote a customer received never changes under him. A new version copies the lines into
a new quote linked to the previous one."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def money_field(label: Any) -> models.DecimalField:
    """An amount in the record's currency, to the cent."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal(0))


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        DECLINED = "declined", _("Declined by the customer")  # the link or the portal

    # A quote can change only in these states; an edit puts it back to draft.
    EDITABLE = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.REJECTED)

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="quotes",
        verbose_name=_("customer"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        verbose_name=_("opportunity"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        verbose_name=_("team"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    channel = models.CharField(_("channel"), max_length=10, default="direct")
    price_list = models.CharField(
        _("price list"), max_length=40, blank=True, help_text=_("Empty: the best that applies.")
    )
    coupon = models.CharField(_("coupon"), max_length=40, blank=True)
    financing_plan = models.ForeignKey(
        "catalog.FinancingPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("financing plan"),
    )
    valid_until = models.DateField(_("valid until"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    net = money_field(_("net"))
    tax = money_field(_("tax"))
    total = money_field(_("total"))
    discount_total = money_field(_("discounts"))
    taxes = models.JSONField(_("taxes per rate"), default=list, blank=True)
    max_manual_discount = models.DecimalField(
        _("largest manual discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    # The approval threshold (%) in force when the lines were last priced: a new
    # threshold applies from a quote's next line change, never under a priced quote.
    approval_threshold = models.DecimalField(
        _("approval threshold (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    priced_on = models.DateField(_("priced on"), null=True, blank=True)
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_comment = models.TextField(_("approval comment"), blank=True)
    decided_at = models.DateTimeField(_("approval decided at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="quote_owner"),
            models.Index(fields=["team", "-id"], name="quote_team"),
            models.Index(fields=["customer", "-id"], name="quote_customer"),
            models.Index(fields=["status", "-id"], name="quote_status"),
            # The warehouse refresh reads the rows changed since its last load by it.
            models.Index(fields=["updated_at"], name="quote_updated"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Q-{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class QuoteLine(models.Model):
    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    manual_discount_percent = models.DecimalField(
        _("manual discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    list_unit_price = money_field(_("list unit price"))
    unit_price = money_field(_("unit price"))
    gross = money_field(_("gross"))
    discount_total = money_field(_("discounts"))
    net = money_field(_("net"))
    tax_name = models.CharField(_("tax"), max_length=60, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    tax = money_field(_("tax"))
    total = money_field(_("total"))
    price_list = models.CharField(_("price list"), max_length=40, blank=True)
    # [{"kind", "label", "amount", "promotion_id"}] and [{"kind", "text", "amount"}]
    discounts = models.JSONField(_("discounts"), default=list, blank=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="quote_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"
