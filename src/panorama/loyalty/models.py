"""Loyalty programmes, their tiers, earning rules and rewards; members and their ledger.

The ledger (``Movement``) is append-only: a balance changes only by a new movement, and
``Membership.balance`` is the sum of its movements, kept by the services with a
conditional UPDATE so it never goes below zero, whatever runs at the same time.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    points_name = models.CharField(_("points name"), max_length=40, default="puntos")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    points_per_unit = models.DecimalField(
        _("points per currency unit"), max_digits=8, decimal_places=2, default=Decimal(1)
    )
    expiry_months = models.PositiveIntegerField(
        _("points expire after (months)"), default=24, help_text=_("0: points never expire.")
    )
    qualification_months = models.PositiveIntegerField(
        _("tier qualification period (months)"), default=12
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_unit__gte=0), name="loyalty_programme_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(qualification_months__gte=1), name="loyalty_programme_qualification"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=60)
    threshold = models.PositiveIntegerField(
        _("points to qualify"),
        help_text=_("Points earned within the qualification period to reach this tier."),
    )
    multiplier = models.DecimalField(
        _("points multiplier"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["programme", "threshold", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="loyalty_tier_name"),
            models.UniqueConstraint(
                fields=["programme", "threshold"], name="loyalty_tier_threshold"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gt=0), name="loyalty_tier_multiplier_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EarningRule(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Extra points per unit of a product")
        CATEGORY = "category", _("Extra points per unit of a category")
        CAMPAIGN = "campaign", _("Bonus campaign (multiplier between two dates)")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("product"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
    )
    extra_points = models.PositiveIntegerField(_("extra points per unit"), default=0)
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Only customers in the segment when the order earns get the rule's points. PROTECT:
    # deleting the segment would silently give the bonus to every member.
    segment = models.ForeignKey(
        "marketing.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only for the segment"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["programme", "kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Reward(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="rewards", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=120)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["programme", "cost", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="loyalty_reward_name"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="loyalty_reward_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="members", verbose_name=_("programme")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="loyalty_memberships",
        verbose_name=_("customer"),
    )
    card_number = models.CharField(_("card number"), max_length=24, unique=True)
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("tier"),
    )
    balance = models.IntegerField(_("balance"), default=0)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "customer"], name="loyalty_one_membership"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["customer"], name="loyalty_member_customer")]

    def __str__(self) -> str:
        return self.card_number


class Movement(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjusted")
        REVERSE = "reverse", _("Reversed")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="movements", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    points = models.IntegerField(_("points"))  # + credits, − debits
    balance_after = models.IntegerField(_("balance after"))
    occurred_at = models.DateTimeField(_("date"), db_index=True)
    order = models.ForeignKey(
        "sales.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("order"),
    )
    reward = models.ForeignKey(
        Reward,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("reward"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("points movement")
        verbose_name_plural = _("points movements")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # An order earns once and is reversed once, whoever delivers its events twice.
            models.UniqueConstraint(
                fields=["membership", "order", "kind"],
                condition=Q(order__isnull=False),
                name="loyalty_order_once",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_movement_not_zero"),
        ]
        indexes = [
            models.Index(fields=["membership", "-occurred_at", "-id"], name="loyalty_statement")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"
