from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TechnicianProfile(models.Model):
    """A field technician: his skills (free codes like a queue member's: "boiler",
    "fibre") and the area he covers. His van is a ``StockLocation`` of kind van."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="technician",
        verbose_name=_("user"),
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return str(self.user)

    def skill_list(self) -> list[str]:
        return [str(s).strip().lower() for s in self.skills or [] if str(s).strip()]


class MaintenancePlan(models.Model):
    """Preventive maintenance: every ``interval_days`` the asset gets a work order, created
    ``lead_days`` before it is due by the field sweep."""

    asset = models.ForeignKey(
        "service.Asset",
        on_delete=models.CASCADE,
        related_name="maintenance_plans",
        verbose_name=_("asset"),
    )
    name = models.CharField(_("name"), max_length=200)
    interval_days = models.PositiveIntegerField(_("every (days)"))
    next_due = models.DateField(_("next due"))
    lead_days = models.PositiveIntegerField(_("created days ahead"), default=7)
    skill = models.CharField(_("skill needed"), max_length=40, blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        indexes = [models.Index(fields=["active", "next_due"], name="plan_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1),
                name="plan_interval_positive",
                violation_error_message=_("The interval is at least one day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkOrder(models.Model):
    """A job for a technician at a customer's site: from a case, a maintenance plan or
    by hand; scheduled and dispatched, then done on the technician's phone (checklist,
    time, parts, the customer's signature)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.NEW, Status.SCHEDULED, Status.IN_PROGRESS)

    class Source(models.TextChoices):
        MANUAL = "manual", _("By hand")
        CASE = "case", _("From a case")
        PLAN = "plan", _("Maintenance plan")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="work_orders",
        verbose_name=_("customer"),
    )
    asset = models.ForeignKey(
        "service.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("asset"),
    )
    case = models.ForeignKey(
        "service.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("case"),
    )
    plan = models.ForeignKey(
        MaintenancePlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("maintenance plan"),
    )
    contract = models.ForeignKey(
        "service.ServiceContract",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("charged to contract"),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    skill = models.CharField(_("skill needed"), max_length=40, blank=True)
    # Where the job is (the customer's primary address: its region, else its city), to
    # dispatch it to a technician who covers that area.
    area = models.CharField(_("area"), max_length=100, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("technician"),
    )
    scheduled_start = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("planned minutes"), default=60)
    # [{"label": "Check the pressure", "done": false}, ...]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    minutes_spent = models.PositiveIntegerField(_("minutes spent"), null=True, blank=True)
    notes = models.TextField(_("technician's notes"), blank=True)
    signature = models.FileField(
        _("customer's signature"), upload_to="service/signatures/%Y/%m/", blank=True
    )
    signed_by = models.CharField(_("signed by"), max_length=120, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["scheduled_start", "id"]
        indexes = [
            models.Index(fields=["technician", "scheduled_start"], name="wo_technician_day"),
            models.Index(fields=["status", "scheduled_start"], name="wo_status_day"),
            models.Index(fields=["asset", "-created_at"], name="wo_asset"),
            models.Index(fields=["customer", "status"], name="wo_customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "scheduled_start"],
                condition=models.Q(plan__isnull=False),
                name="wo_plan_once_per_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
