"""Service levels: a business-hours calendar (weekly hours, time zone, a region's public
holidays from the ``holidays`` package plus the company's own days) and SLA policies
(first-response and resolution targets in business minutes) matched to a case by its
queue, priority and customer segment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Monday first, as ``date.weekday()`` counts.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_hours() -> dict:
    return {day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]}


class BusinessCalendar(models.Model):
    """When the clock of a service level runs: the weekly hours in a time zone, minus the
    public holidays of a country (and region) and the company's own holidays."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    country = models.CharField(_("country"), max_length=2, default="ES")
    # A region of the country (ISO 3166-2 code without the country: "MD", "CT", "AN"):
    # its regional holidays count too. Blank: the national ones only.
    subdivision = models.CharField(_("region"), max_length=12, blank=True)
    # {"mon": [["09:00", "14:00"], ["15:00", "18:00"]], ...}; a missing day is closed.
    hours = models.JSONField(_("weekly hours"), default=default_hours)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarHoliday(models.Model):
    """A day the company is closed beyond the public holidays (a local feast, a closure)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="extra_holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("company holiday")
        verbose_name_plural = _("company holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets for the cases it matches. A blank criterion matches anything; the active
    policies with a marketing segment holding the case's customer come first (by rank,
    then id); otherwise the most specific active policy matching a case applies (two
    without a marketing segment that could match the same case with neither more
    specific than the other are refused)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("calendar"),
    )
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        verbose_name=_("queue"),
    )
    priority = models.CharField(_("priority"), max_length=8, blank=True)
    # The customer segment: person or organisation (customers.Customer.kind).
    segment = models.CharField(_("customer segment"), max_length=16, blank=True)
    # A marketing segment (``marketing.Segment``): when set, the policy applies to the
    # customers its SQL holds, tried before the policies without one in ``rank`` order
    # (lower first, then id); see docs/architecture.md, "Service levels".
    marketing_segment = models.ForeignKey(
        "marketing.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_policies",
        verbose_name=_("marketing segment"),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"),
        default=100,
        help_text=_("Among policies with a marketing segment: lower is tried first."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    warn_minutes = models.PositiveIntegerField(
        _("warn this many business minutes before a breach"), default=60
    )
    # On a breach: to whom the case goes, whether its priority goes up, who is told.
    escalate_to_queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalate to queue"),
    )
    escalate_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalate to agent"),
    )
    raise_priority = models.BooleanField(_("raise the priority on a breach"), default=True)
    manager_email = models.EmailField(_("manager to notify"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    CRITERIA = ("queue_id", "priority", "segment")

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def criteria(self) -> dict:
        return {name: getattr(self, name) for name in self.CRITERIA if getattr(self, name)}


class CaseSurvey(models.Model):
    """The customer's answer to the satisfaction survey sent when his case was resolved
    (one per case)."""

    case = models.OneToOneField("service.Case", on_delete=models.CASCADE, related_name="survey")
    score = models.PositiveSmallIntegerField(_("score (1 to 5)"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        # The warehouse refresh reads the answers given since its last load by it.
        indexes = [models.Index(fields=["answered_at"], name="casesurvey_answered")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class SlaRecountPending(models.Model):
    """A chunk of escalated cases whose recount (``sla_recount_task``) is owed: written
    by the SLA sweep in its escalation's transaction and deleted by the task in its
    own, so a process that dies between the sweep's commit and the enqueue (or a task
    that fails) leaves the row, and a later sweep queues it again."""

    case_ids = models.JSONField(_("cases"))
    queued_at = models.DateTimeField(_("last queued at"), db_index=True)

    class Meta:
        verbose_name = _("pending SLA recount")
        verbose_name_plural = _("pending SLA recounts")

    def __str__(self) -> str:
        return f"{len(self.case_ids)} cases, queued {self.queued_at:%Y-%m-%d %H:%M}"
