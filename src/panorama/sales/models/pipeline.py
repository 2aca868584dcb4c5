from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Pipeline(models.Model):
    """A sales process: its stages in order. A company may run several (new business,
    renewals, partners...), each configured by administrators."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(
        _("currency"), max_length=3, help_text=_("The currency its board sums in.")
    )
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class ForecastCategory(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        BEST_CASE = "best_case", _("Best case")
        COMMIT = "commit", _("Commit")
        CLOSED = "closed", _("Closed")
        OMITTED = "omitted", _("Omitted")

    # The opportunity fields a stage may require before a card enters it.
    REQUIRABLE = ("amount", "expected_close", "next_step", "lost_reason")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OPEN)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=12,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    # Field names from REQUIRABLE that must be filled for an opportunity to enter.
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN

    def requires(self) -> list[str]:
        """The fields an opportunity needs to enter this stage (a lost stage always
        needs the lost reason)."""
        fields = [f for f in self.required_fields or [] if f in self.REQUIRABLE]
        if self.kind == self.Kind.LOST and "lost_reason" not in fields:
            fields.append("lost_reason")
        return fields


class LostReason(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Competitor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Opportunity(models.Model):
    """A possible sale to one customer, moving through the stages of one pipeline.

    ``owner`` and ``team`` scope it the way customers are scoped (a rep sees his own and
    his team's). ``status`` repeats the stage's kind so lists and boards filter on one
    column. ``amount_base`` is ``amount`` in the company currency at the company's
    exchange rate, so a board sums opportunities in several currencies."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("customer"),
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage")
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount_base = models.DecimalField(
        _("amount (company currency)"), max_digits=14, decimal_places=2, default=0
    )
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: the stage's probability."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        verbose_name=_("team"),
    )
    lost_reason = models.ForeignKey(
        LostReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("lost reason"),
    )
    lost_note = models.TextField(_("why it was lost"), blank=True)
    competitors = models.ManyToManyField(
        Competitor, blank=True, related_name="opportunities", verbose_name=_("competitors")
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "-stage_entered_at", "-id"], name="opp_board"),
            models.Index(fields=["owner", "status"], name="opp_owner"),
            models.Index(fields=["team", "status"], name="opp_team"),
            models.Index(fields=["customer", "status"], name="opp_customer"),
            models.Index(fields=["status", "expected_close"], name="opp_close"),
            # The warehouse refresh reads the rows changed since its last load by it.
            models.Index(fields=["updated_at"], name="opp_updated"),
        ]

    # Not a column: the stage a move took it from, set by ``opportunity_move`` on the
    # instance it returns (the board's answer recounts both columns without a read).
    moved_from: "Stage | None" = None

    def __str__(self) -> str:
        return self.name

    @property
    def effective_probability(self) -> int:
        return self.probability if self.probability is not None else self.stage.probability


class StageTotal(models.Model):
    """How many opportunities a stage holds, and their sum in the company currency (in
    cents, exact), per owner and team: the board's column totals without reading every
    opportunity (200k of them cost PostgreSQL 60-110 ms a board).

    Kept by database triggers on ``sales_opportunity`` (migration 0007, SQLite and
    PostgreSQL), so every write counts: the services, a queryset ``update()``, a bulk
    seed, a cascade delete. ``owner_id`` and ``team_id`` are 0 for none, so the
    customers' scope rule (owner or team) applies to these rows as it is. Never written
    by Python code."""

    pipeline_id = models.BigIntegerField()
    stage_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    n = models.BigIntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("stage total")
        verbose_name_plural = _("stage totals")
        constraints = [
            models.UniqueConstraint(
                fields=["stage_id", "owner_id", "team_id"], name="stage_total_key"
            )
        ]
        indexes = [models.Index(fields=["pipeline_id", "stage_id"], name="stage_total_board")]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.owner_id}/{self.team_id}: {self.n}"


class StageChange(models.Model):
    """One move of an opportunity: who, when, from → to, and how long it sat before."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    seconds_in_previous = models.PositiveBigIntegerField(
        _("time in the previous stage (s)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "at", "id"]
        indexes = [models.Index(fields=["opportunity", "at"], name="stagechange_opp")]

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.to_stage_id}"


class OpportunityProduct(models.Model):
    """A product of the catalogue the opportunity is about, with a quantity."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="lines", verbose_name=_("opportunity")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("opportunity product")
        verbose_name_plural = _("opportunity products")
        ordering = ["opportunity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "product"], name="opportunity_product_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="opportunity_product_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
