"""Analytics data owned by this app: imported purchase history and per-customer scores.

Why imported orders are not ``sales.Order``: a sales order is a document the CRM runs
(reference, status lifecycle, owner, lines priced from catalogue products that must
exist); a history row from another system is a fact that already happened: a date,
an amount, maybe a product name that is not in our catalogue. Forcing one into the other
would mean inventing catalogue products and statuses. So the import writes
``Purchase``/``PurchaseLine`` (documented in docs/analytics.md), keyed by the file's
``order_id`` for idempotency; the models, the scores panel and the warehouse read them
beside the CRM's own orders.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PurchaseImport(models.Model):
    """One run of ``import orders``: its counts and the rejected rows with their reasons.
    The command runs it at once (``done`` when saved); the UI and the API queue it for
    the task worker with its uploaded file (``services/purchase_jobs.py``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file"), max_length=255)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DONE
    )
    # The uploaded file while the job waits or runs; deleted once read (personal data).
    file = models.FileField(_("uploaded file"), upload_to="order-imports/%Y/%m/", blank=True)
    # The file's lines after the header (counted when queued) and the rows read so far.
    total_rows = models.PositiveIntegerField(_("lines"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The process running it and its last sign of life: the worker's sweep queues again a
    # run whose process is gone (the import writes in one transaction and is idempotent).
    worker = models.CharField(_("worker"), max_length=64, blank=True)
    restarts = models.PositiveSmallIntegerField(_("restarts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    orders_created = models.PositiveIntegerField(_("orders created"), default=0)
    orders_unchanged = models.PositiveIntegerField(_("orders unchanged"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # [{"row": n, "cells": [...], "problems": [{"field": f, "message": m}, ...]}]
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order history import")
        verbose_name_plural = _("order history imports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"


class Purchase(models.Model):
    """An order of the customer's history, imported from another system."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="purchases",
        verbose_name=_("customer"),
    )
    # The file's order_id; without one, a key made of the row's customer, date, amount
    # and its occurrence in the file, so a re-run finds it again.
    external_id = models.CharField(_("order ID"), max_length=255, unique=True)
    ordered_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # Items bought (the file's quantities added; 1 a row without one).
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    import_job = models.ForeignKey(
        PurchaseImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchases",
        verbose_name=_("import"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [models.Index(fields=["customer", "ordered_on"], name="purchase_customer_date")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.ordered_on} {self.amount}"


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(
        Purchase, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase")
    )
    product = models.CharField(_("product"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("purchase line")
        verbose_name_plural = _("purchase lines")
        indexes = [models.Index(fields=["product"], name="purchase_line_product")]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class CustomerScore(models.Model):
    """The latest model scores of one customer, written back by ``analytics rfm`` and
    ``analytics clv`` (and shown in the ficha's scores panel)."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score",
        verbose_name=_("customer"),
    )
    recency_days = models.PositiveIntegerField(_("days since last purchase"), null=True)
    frequency = models.PositiveIntegerField(_("purchases"), null=True)
    monetary = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, null=True)
    rfm_r = models.PositiveSmallIntegerField(_("R score"), null=True)
    rfm_f = models.PositiveSmallIntegerField(_("F score"), null=True)
    rfm_m = models.PositiveSmallIntegerField(_("M score"), null=True)
    rfm_segment = models.CharField(_("RFM segment"), max_length=32, blank=True)
    p_alive = models.FloatField(_("probability alive"), null=True)
    expected_purchases = models.FloatField(_("expected purchases (next year)"), null=True)
    clv = models.DecimalField(_("lifetime value"), max_digits=14, decimal_places=2, null=True)
    churn_risk = models.FloatField(_("churn risk"), null=True)
    # [{"feature": name, "contribution": log-odds}], the largest first
    churn_reasons = models.JSONField(_("churn reasons"), default=list, blank=True)
    next_best_offer = models.CharField(_("next best offer"), max_length=200, blank=True)
    # {"because": [products], "confidence", "lift"}
    offer_basis = models.JSONField(_("why this offer"), default=dict, blank=True)
    # The k-means cluster's number (its profile and name are in the latest cluster run).
    cluster = models.PositiveSmallIntegerField(_("cluster"), null=True)
    rfm_at = models.DateTimeField(_("RFM computed at"), null=True)
    clv_at = models.DateTimeField(_("CLV computed at"), null=True)
    churn_at = models.DateTimeField(_("churn risk computed at"), null=True)
    offer_at = models.DateTimeField(_("offer computed at"), null=True)
    cluster_at = models.DateTimeField(_("cluster computed at"), null=True)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes = [
            models.Index(fields=["rfm_segment"], name="score_rfm_segment"),
            models.Index(fields=["churn_risk"], name="score_churn_risk"),
            models.Index(fields=["cluster"], name="score_cluster"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.rfm_segment}"

    @property
    def segment_label(self) -> str:
        from .mining.rfm import SEGMENTS

        return str(SEGMENTS.get(self.rfm_segment, self.rfm_segment))


class ModelRun(models.Model):
    """One run of a model: its card (data, date, parameters, metrics) as printed."""

    class Kind(models.TextChoices):
        CLV = "clv", _("Lifetime value")
        RFM = "rfm", _("RFM")
        CHURN = "churn", _("Churn propensity")
        BASKET = "basket", _("Basket analysis")
        FORECAST = "forecast", _("Forecast")
        CLUSTER = "cluster", _("Clustering")

    kind = models.CharField(_("model"), max_length=12, choices=Kind.choices)
    card = models.JSONField(_("model card"), default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("model run")
        verbose_name_plural = _("model runs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "-id"], name="model_run_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    """A saved report of the report builder: a warehouse mart, its dimensions, measures
    and filters (each from the mart's whitelist, checked by ``report_clean``), a chart;
    its owner edits it, the roles it is shared with read it (each within his scope)."""

    class Chart(models.TextChoices):
        BAR = "bar", _("Bars")
        LINE = "line", _("Line")
        DOUGHNUT = "doughnut", _("Doughnut")
        TABLE = "table", _("Table only")

    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="analytics_reports",
        verbose_name=_("owner"),
    )
    source = models.CharField(_("data"), max_length=64)
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    # [{"column": name, "agg": "sum" | "count" | "avg"}]
    measures = models.JSONField(_("measures"), default=list)
    # [{"column": name, "op": "eq" | "ne" | "gte" | "lte", "value": text}]
    filters = models.JSONField(_("filters"), default=list, blank=True)
    chart = models.CharField(_("chart"), max_length=10, choices=Chart.choices, default=Chart.BAR)
    shared_roles = models.JSONField(_("shared with roles"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReportSchedule(models.Model):
    """A saved report e-mailed on schedule: each recipient (a user who may read the
    report) gets his own rows (his scope) as a CSV or XLSX attachment. The worker's
    sweep sends those whose ``next_due_at`` has passed and moves it on."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="schedule", verbose_name=_("report")
    )
    frequency = models.CharField(
        _("how often"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    hour = models.PositiveSmallIntegerField(
        _("at (hour)"), default=7, validators=[MaxValueValidator(23)]
    )
    format = models.CharField(_("file"), max_length=4, choices=Format.choices, default="xlsx")
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients")
    )
    active = models.BooleanField(_("active"), default=True)
    next_due_at = models.DateTimeField(_("next sending"))
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        indexes = [models.Index(fields=["active", "next_due_at"], name="report_schedule_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="report_schedule_hour")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.frequency}"


class DeletedRow(models.Model):
    """A row deleted from an operational table the warehouse reads incrementally,
    written by a database trigger (``warehouse/triggers.py``), so an erasure's cascade,
    a merge or plain SQL are all seen. The refresh reads the entries after its mark and
    deletes those rows from the warehouse instead of reading every source id; a
    successful load prunes what it has read. ``row_id`` empty: the trigger was missing
    for a while (a table rebuilt by a migration), so the next refresh checks that table
    whole."""

    table_name = models.CharField(max_length=63)
    row_id = models.BigIntegerField(null=True)
    deleted_at = models.DateTimeField()

    class Meta:
        verbose_name = "deleted row"
        verbose_name_plural = "deleted rows"

    def __str__(self) -> str:
        return f"{self.table_name} {self.row_id}"
